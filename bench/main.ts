/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named) and writes
 * their sections of docs/benchmarks.md. Each benchmark is a module bench/<name>.ts exporting
 * `run(): Promise<void>`.
 */
const ALL = ['election', 'is-leader', 'assign', 'partitions', 'federation', 'alternatives'] as const;

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
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
