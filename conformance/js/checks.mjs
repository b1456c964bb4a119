// What every check script shares: `expect`, and running the checks to print {check: {ok, detail}} as JSON.

export function expect(condition, detail) {
  if (!condition) throw new Error(detail);
}

export async function runChecks(checks, cleanUp = async () => {}) {
  const results = {};
  for (const [name, check] of Object.entries(checks)) {
    try {
      results[name] = { ok: true, detail: await check() };
    } catch (error) {
      results[name] = { ok: false, detail: `${error.name}: ${error.message}` };
    }
  }
  await cleanUp();
  console.log(JSON.stringify(results));
}
