#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's built-in test runner.
// Arguments narrow the set: `node scripts/run-tests.mjs election sql` runs files whose path
// contains "election" or "sql". The runner's own summary is the last thing printed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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

const files = findTests(root)
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${root} match ${filters.join(', ') || '(any)'}; run "npm run build" first`);
  process.exit(1);
}
// Two files at a time: the machine has 2 cores and most tests wait on real servers, not CPU.
// A single test may take at most 180 s (ZooKeeper session expiry scenarios are the slowest).
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
