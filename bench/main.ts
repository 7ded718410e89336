/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named) and writes
 * their sections of docs/benchmarks.md. Each benchmark is a module bench/<name>.ts exporting
 * `run(): Promise<void>`. Arguments starting with `--` are options for the benchmarks, which read
 * them from process.argv (e.g. `npm run bench -- scale --quick`).
 */
const ALL = ['election', 'is-leader', 'assign', 'partitions', 'federation', 'alternatives', 'handoff-ab', 'scale', 'transfer', 'rolling-restart', 'throttle'] as const;

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const unknown = asked.filter((name) => !(ALL as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
  for (const name of asked.length > 0 ? asked : ALL) {
    console.log(`bench ${name} ...`);
    const module = (await import(`./${name}.js`)) as { run: () => Promise<void> };
    await module.run();
  }
}

await main();
