// The Posthouse dashboard: polls the admin API every second and drives it (send, redrive). Plain JavaScript,
// no build step. Writes send JSON, as the admin API requires; with an admin token, it is asked for once.
"use strict";

const REFRESH_MS = 1000;
const RATE_POINTS = 30;
const state = { selected: null, sent: {}, rates: {}, task: null };

function token() {
  return sessionStorage.getItem("posthouse-admin-token");
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const reply = await fetch(path, { ...options, headers });
  if (reply.status === 401) {
    const given = prompt("Admin token");
    if (given) {
      sessionStorage.setItem("posthouse-admin-token", given);
      return api(path, options);
    }
  }
  const body = await reply.json();
  if (!reply.ok) throw new Error(body.message || body.error || reply.status);
  return body;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  cells.forEach((c) => tr.appendChild(c));
  return tr;
}

function sparkline(points) {
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("class", "rate");
  svg.setAttribute("width", "90");
  svg.setAttribute("height", "18");
  const top = Math.max(1, ...points);
  const line = document.createElementNS(svgNs, "polyline");
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#3157d5");
  line.setAttribute("points", points.map((p, i) => `${i * 3},${17 - (p / top) * 16}`).join(" "));
  svg.appendChild(line);
  return svg;
}

function queuePath(q) {
  return `/admin/sqs/queues/${q.account}/${q.region}/${encodeURIComponent(q.name)}`;
}

async function refreshQueues() {
  const { queues } = await api("/admin/sqs/queues");
  const body = document.getElementById("queues");
  body.replaceChildren();
  for (const q of queues) {
    const before = state.sent[q.arn];
    const rate = before === undefined ? 0 : Math.max(0, q.sent - before) / (REFRESH_MS / 1000);
    state.sent[q.arn] = q.sent;
    const rates = (state.rates[q.arn] = [...(state.rates[q.arn] || []), rate].slice(-RATE_POINTS));
    const chart = document.createElement("td");
    chart.appendChild(sparkline(rates));
    const tr = row([
      cell(q.name),
      cell(q.visible, "number"),
      cell(q.in_flight, "number"),
      cell(q.delayed, "number"),
      cell(q.oldest_message_age_s === null ? "" : `${q.oldest_message_age_s.toFixed(1)} s`, "number"),
      cell(rate.toFixed(1), "number"),
      chart,
    ]);
    tr.className = "queue" + (state.selected && state.selected.arn === q.arn ? " selected" : "");
    tr.dataset.queue = q.name;
    tr.dataset.testid = `queue-${q.name}`;
    tr.onclick = () => select(q);
    body.appendChild(tr);
  }
}

async function select(queue) {
  state.selected = queue;
  document.getElementById("queue-detail").hidden = false;
  document.getElementById("queue-name").textContent = queue.name;
  await refreshDetail();
}

async function refreshDetail() {
  const q = state.selected;
  if (!q) return;
  const { messages } = await api(`${queuePath(q)}/messages?limit=50`);
  const body = document.getElementById("messages");
  body.replaceChildren();
  for (const m of messages) {
    const attributes = Object.entries(m.attributes || {})
      .map(([name, v]) => `${name}=${v.StringValue ?? "(binary)"}`)
      .join(", ");
    const tr = row([cell(m.message_id), cell(m.state), cell(m.receive_count, "number"), cell(m.body), cell(attributes)]);
    tr.dataset.testid = "message";
    body.appendChild(tr);
  }
  const { sources } = await api(`${queuePath(q)}/dead-letter-sources`);
  const redrive = document.getElementById("redrive");
  redrive.hidden = sources.length === 0;
  document.getElementById("redrive-sources").textContent = sources.map((s) => s.arn.split(":").pop()).join(", ");
  if (sources.length) await refreshTask();
}

async function refreshTask() {
  const { Results: tasks } = await api(`${queuePath(state.selected)}/move-tasks`);
  const task = tasks && tasks[0];
  const status = document.getElementById("redrive-status");
  const progress = document.getElementById("redrive-progress");
  const cancel = document.getElementById("redrive-cancel");
  if (!task) {
    status.textContent = "";
    cancel.hidden = true;
    return;
  }
  const total = task.ApproximateNumberOfMessagesToMove || task.ApproximateNumberOfMessagesMoved || 1;
  progress.max = total;
  progress.value = task.ApproximateNumberOfMessagesMoved;
  const seconds = Math.max(1, (Date.now() - task.StartedTimestamp) / 1000);
  const velocity = task.ApproximateNumberOfMessagesMoved / seconds;
  status.textContent = `${task.Status}: ${task.ApproximateNumberOfMessagesMoved} of ${total} moved (${velocity.toFixed(1)}/s)`;
  cancel.hidden = task.Status !== "RUNNING";
  state.task = task;
}

async function refreshSubscriptions() {
  const { subscriptions } = await api("/admin/sns/subscriptions");
  const body = document.getElementById("subscriptions");
  body.replaceChildren();
  for (const s of subscriptions) {
    const deliveries = document.createElement("td");
    if (s.protocol === "http" || s.protocol === "https") {
      const { attempts } = await api(`/admin/sns/subscriptions/${encodeURIComponent(s.arn)}/deliveries`);
      deliveries.textContent = (attempts || []).slice(-3).map((a) => `${a.status ?? a.problem}`).join(" · ");
    }
    body.appendChild(row([cell(s.topic_arn.split(":").pop()), cell(s.protocol), cell(s.endpoint), cell(s.pending_confirmation ? "no" : "yes"), deliveries]));
  }
}

function fill(id, items, cellsOf) {
  document.getElementById(id).replaceChildren(...items.map((item) => row(cellsOf(item))));
}

async function refreshFunctions() {
  const { functions } = await api("/admin/lambda/functions");
  fill("functions", functions, (f) => [
    cell(f.name),
    cell(f.runtime),
    ...[f.invocations, f.errors, f.throttles, f.running].map((n) => cell(n, "number")),
  ]);
}

async function refreshMappings() {
  const { mappings } = await api("/admin/lambda/mappings");
  fill("mappings", mappings, (m) => {
    const a = m.stats || {};
    return [
      cell((m.FunctionArn || "").split(":").pop()),
      cell((m.EventSourceArn || "").split(":").pop()),
      cell(m.State),
      ...[a.batches, a.records, a.errors, a.duration_ms_p50].map((n) => cell(n, "number")),
    ];
  });
}

async function refreshHealth() {
  const reply = await fetch("/health");
  const health = await reply.json();
  const badge = document.getElementById("health");
  badge.textContent = health.status === "ok" ? "healthy" : `unhealthy: ${health.storage.problem}`;
  badge.className = health.status === "ok" ? "ok" : "bad";
}

async function refresh() {
  try {
    await Promise.all([refreshQueues(), refreshSubscriptions(), refreshFunctions(), refreshMappings(), refreshHealth()]);
    await refreshDetail();
  } catch (error) {
    document.getElementById("health").textContent = `error: ${error.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

document.getElementById("send-form").onsubmit = async (event) => {
  event.preventDefault();
  const input = document.getElementById("send-body");
  await api(`${queuePath(state.selected)}/send`, { method: "POST", body: JSON.stringify({ body: input.value }) });
  input.value = "";
  await refreshDetail();
};

document.getElementById("redrive-start").onclick = async () => {
  await api(`${queuePath(state.selected)}/move-tasks`, { method: "POST", body: "{}" });
  await refreshTask();
};

document.getElementById("redrive-cancel").onclick = async () => {
  if (!state.task) return;
  await api(`${queuePath(state.selected)}/move-tasks/cancel`, {
    method: "POST",
    body: JSON.stringify({ task_handle: state.task.TaskHandle }),
  });
  await refreshTask();
};

refresh();
