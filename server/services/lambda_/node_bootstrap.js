// The Node.js runtime's worker process: loads the handler once, then runs one invocation at a time, as
// Lambda's runtime does. Requests arrive on stdin and answers leave on stdout, one JSON object per line;
// what the handler writes through console or process.stdout/stderr is its log, in Lambda's line format.
"use strict";

const path = require("node:path");
const readline = require("node:readline");
const util = require("node:util");
const { pathToFileURL } = require("node:url");

const writeProtocol = process.stdout.write.bind(process.stdout);
let captured = "";
const LOG_KEPT = 256 * 1024;
let requestId = "undefined";
const capture = (chunk) => {
  captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  return true;
};
process.stdout.write = capture;
process.stderr.write = capture;
for (const [method, level] of [
  ["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"],
]) {
  console[method] = (...args) => {
    capture(`${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...args)}\n`);
  };
}

function errorOf(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || "Error",
      errorMessage: error.message,
      trace: String(error.stack || "").split("\n"),
    };
  }
  return { errorType: "string", errorMessage: String(error), trace: [] };
}

async function importModule(root, moduleName) {
  const base = path.resolve(root, moduleName);
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const file = base + extension;
    if (!require("node:fs").existsSync(file)) continue;
    if (extension !== ".mjs") {
      try {
        return require(file);
      } catch (error) {
        if (error.code !== "ERR_REQUIRE_ESM") throw error;
      }
    }
    return import(pathToFileURL(file).href);
  }
  const missing = new Error(`Cannot find module '${moduleName}'`);
  missing.code = "MODULE_NOT_FOUND";
  throw missing;
}

async function load() {
  const handlerName = process.env._HANDLER || "";
  const dot = handlerName.lastIndexOf(".");
  const moduleName = handlerName.slice(0, dot);
  const functionName = handlerName.slice(dot + 1);
  let module;
  try {
    module = await importModule(process.env.LAMBDA_TASK_ROOT, moduleName);
  } catch (error) {
    return {
      errorType: "Runtime.ImportModuleError",
      errorMessage: `Error: ${error.message}`,
      trace: [`Runtime.ImportModuleError: Error: ${error.message}`],
    };
  }
  let handler = module[functionName];
  if (handler === undefined && module.default) handler = module.default[functionName];
  if (typeof handler !== "function") {
    return {
      errorType: "Runtime.HandlerNotFound",
      errorMessage: `${handlerName} is undefined or not exported`,
      trace: [],
    };
  }
  return handler;
}

function contextOf(request, settle) {
  const deadline = Date.now() + request.timeout_s * 1000;
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: request.invoked_function_arn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: request.request_id,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => settle(null, result),
    fail: (error) => settle(error ?? "handled"),
    done: (error, result) => settle(error, result),
  };
}

// Runs the handler in either style: an async function (or one returning a promise), or one taking a callback.
function run(handler, event, request) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      resolve(error !== null && error !== undefined ? { error: errorOf(error) } : { result });
    };
    try {
      const returned = handler(event, contextOf(request, settle), settle);
      if (returned && typeof returned.then === "function") {
        returned.then((result) => settle(null, result), (error) => settle(error));
      } else if (handler.length < 3) {
        settle(null, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

async function main() {
  const handler = await load();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const request = JSON.parse(line);
    requestId = request.request_id;
    let answer;
    if (typeof handler !== "function") {
      answer = { error: handler };
    } else {
      const ran = await run(handler, request.event, request);
      answer = {};
      if (ran.error) {
        answer.error = ran.error;
        capture(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(ran.error)}\n`);
      } else {
        answer.result = JSON.stringify(ran.result === undefined ? null : ran.result);
      }
    }
    answer.log = captured.slice(-LOG_KEPT); // printing 20 MB fails nothing: Tail shows 4 KB anyway
    captured = "";
    writeProtocol(JSON.stringify(answer) + "\n");
  }
  process.exit(0); // stdin closed: the server is gone or done with this worker, whatever timers remain
}

main();
