#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's built-in test runner.
// Arguments narrow the set: `node scripts/run-tests.mjs election sql` runs files whose path
// contains "election" or "sql". The runner's own summary is the last thing printed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { SLOWEST_FIRST } from './slow-tests.mjs';

const root = 'dist/test';
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

/**
 * The files in the order they start: those of SLOWEST_FIRST in its order, then the rest by name.
 * With two slots, a long file started last keeps one core busy alone while the other idles;
 * started first, it runs beside the many short ones. A fragment that names no file (a renamed
 * test) fails a full run, so the list cannot go stale unnoticed.
 */
function startOrder(files) {
  const slow = SLOWEST_FIRST.map((fragment) => ({ fragment, matched: files.filter((f) => f.includes(fragment)) }));
  const stale = slow.filter((s) => s.matched.length === 0).map((s) => s.fragment);
  if (filters.length === 0 && stale.length > 0) {
    console.error(`scripts/slow-tests.mjs names no test file for: ${stale.join(', ')}; update the list`);
    process.exit(1);
  }
  const first = [...new Set(slow.flatMap((s) => s.matched))];
  return [...first, ...files.filter((f) => !first.includes(f))];
}

const files = findTests(root)
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${root} match ${filters.join(', ') || '(any)'}; run "npm run build" first`);
  process.exit(1);
}
// Two files at a time: the machine has 2 cores and most tests wait on real servers, not CPU.
// A single test may take at most 180 s (ZooKeeper session expiry scenarios are the slowest).
// run() rather than `node --test`: the command line sorts its files by name.
const stream = run({ files: startOrder(files), concurrency: 2, timeout: 180_000 });
stream.on('test:fail', ({ todo, skip }) => {
  if (todo === undefined && skip === undefined) process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
