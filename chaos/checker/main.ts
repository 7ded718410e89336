/**
 * The chaos checker, a program of its own: reads run directories (or directories holding them),
 * judges each run (check.ts), prints the table per backend and fault, and for every violation its
 * history excerpt. Exits 1 when any run has a violation (runs that break the clock bound on
 * purpose are reported and do not count), 2 on bad arguments.
 *
 * Usage: node dist/chaos/checker/main.js [--markdown FILE] DIR...
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readHistory, RUN_FILE } from '../history.js';
import { checkRun } from './check.js';
import { excerpt } from './excerpt.js';
import { markdownTable, rows, textTable } from './table.js';

function runDirs(dir: string): string[] {
  if (existsSync(path.join(dir, RUN_FILE))) return [dir];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such directory`);
  return readdirSync(dir).map((name) => path.join(dir, name)).filter((d) => existsSync(path.join(d, RUN_FILE))).sort();
}

function main(argv: readonly string[]): number {
  let markdown: string | null = null;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--markdown') markdown = argv[++i] ?? null;
    else if (argv[i] === '--help') {
      process.stdout.write('usage: node dist/chaos/checker/main.js [--markdown FILE] DIR...\n');
      return 0;
    } else dirs.push(...runDirs(argv[i]!));
  }
  if (dirs.length === 0) {
    process.stderr.write('checker: no chaos run directories given (each holds run.json)\n');
    return 2;
  }
  const verdicts = dirs.map((dir) => checkRun(readHistory(dir)));
  const table = rows(verdicts);
  process.stdout.write(`\n${textTable(table)}\n`);
  if (markdown !== null) writeFileSync(markdown, `${markdownTable(table)}\n`);
  let failed = false;
  for (const verdict of verdicts) {
    const expected = verdict.history.info.expectViolations === true;
    for (const violation of verdict.violations) {
      failed ||= !expected;
      process.stdout.write(`\n${expected ? 'beyond the bound (expected)' : 'VIOLATION'}: ${violation.kind}: ${violation.message}\n  run ${verdict.history.dir} (${verdict.history.info.backend}, ${verdict.history.info.fault}, seed ${verdict.history.info.seed})\n${excerpt(verdict.history, violation)}\n`);
    }
  }
  process.stdout.write(failed ? '\nchecker: violations found\n' : '\nchecker: no violation\n');
  return failed ? 1 : 0;
}

process.stdout.on('error', () => undefined); // a reader that stopped early (| head) is not our failure
process.exitCode = main(process.argv.slice(2));
