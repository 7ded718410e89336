/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named) and writes
 * their sections of docs/benchmarks.md. Each benchmark is a module bench/<name>.ts exporting
 * `run(): Promise<void>`. Arguments starting with `--` are options for the benchmarks, which read
 * them from process.argv (e.g. `npm run bench -- scale --quick`). `--help` prints, for the named
 * benchmarks or all, what each measures and its options: the opening comment of its module.
 */
import { readFileSync } from 'node:fs';

const ALL = ['election', 'is-leader', 'assign', 'partitions', 'federation', 'alternatives', 'handoff-ab', 'scale', 'transfer', 'rolling-restart', 'throttle'] as const;

/** The opening doc comment of bench/<name>.ts, without its comment marks (dist/bench/main.js runs two levels below the checkout). */
function moduleComment(name: string): string {
  const source = readFileSync(new URL(`../../bench/${name}.ts`, import.meta.url), 'utf8');
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? ' (no description)';
  return comment
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

function printHelp(names: readonly string[]): void {
  console.log('usage: npm run bench [-- NAME ...] [--OPTION ...]   (or node dist/bench/main.js after a build)');
  console.log(`runs the named benchmarks, all when none is named: ${ALL.join(', ')}\n`);
  for (const name of names) console.log(`${name}\n  ${moduleComment(name).replaceAll('\n', '\n  ')}\n`);
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = asked.filter((name) => !(ALL as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    printHelp(asked.length > 0 ? asked : ALL);
    return;
  }
  for (const name of asked.length > 0 ? asked : ALL) {
    console.log(`bench ${name} ...`);
    const module = (await import(`./${name}.js`)) as { run: () => Promise<void> };
    await module.run();
  }
}

await main();
