/**
 * The chaos checker catches what it must: an overlap, a stale write accepted, an orphan, a
 * holder-less stretch beyond its bound; and passes a clean history, including a frozen holder
 * that wakes up, is refused, and steps down.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkRun } from '../../chaos/checker/check.js';
import { CONTROLLER_FILE, REGISTER_FILE, writeRunInfo, type History } from '../../chaos/history.js';
import { BOUNDS } from '../../chaos/timing.js';
import { HistoryBuilder } from './history-builder.js';

const CHECKER = fileURLToPath(new URL('../../chaos/checker/main.js', import.meta.url));

/** Two nodes take turns on the cluster role; settled at 0, quiescent at 10 s. */
function cleanRun(): HistoryBuilder {
  return new HistoryBuilder()
    .event(0, 'spawn', { node: 'n1', pid: 101 })
    .event(0, 'spawn', { node: 'n2', pid: 102 })
    .term('leader', 'n1', 101, 1, 100, 5_000)
    .event(100, 'settled')
    .term('leader', 'n2', 102, 2, 5_300, 12_000)
    .event(10_000, 'quiescent');
}

const kinds = (history: History) => checkRun(history).violations.map((v) => v.kind);

describe('chaos checker', () => {
  it('passes a clean history', () => {
    const verdict = checkRun(cleanRun().build());
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.worstGapMs, 300);
  });

  it('catches an overlap: two processes acting for one key at once', () => {
    const history = cleanRun().term('leader', 'n3', 103, 3, 6_000, 6_400).build();
    const verdict = checkRun(history);
    assert.ok(verdict.violations.some((v) => v.kind === 'overlap' && v.message.includes('n3') && v.message.includes('n2')), verdict.violations.map((v) => `${v.kind}: ${v.message}`).join('; '));
    assert.equal(verdict.overlaps, 1);
  });

  it('catches a stale write accepted by the register', () => {
    const history = cleanRun().op(7_000, 'write', 'leader', 'n1', 101, 1, 'accepted').build();
    const verdict = checkRun(history);
    assert.ok(verdict.violations.some((v) => v.kind === 'stale write accepted'), verdict.violations.map((v) => `${v.kind}: ${v.message}`).join('; '));
    assert.ok(verdict.staleAccepted >= 1);
  });

  it('counts a refused stale write as fencing that worked, not a violation', () => {
    const verdict = checkRun(cleanRun().op(7_000, 'write', 'leader', 'n1', 101, 1, 'stale').build());
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.staleRefused, 1);
  });

  it('catches an orphan: nobody holds a key at quiescence', () => {
    const history = new HistoryBuilder(['leader', 'bucket/1'])
      .term('leader', 'n1', 101, 1, 100, 12_000)
      .term('bucket/1', 'n1', 101, 1, 100, 9_000)
      .event(100, 'settled')
      .event(9_990, 'quiescent')
      .build();
    assert.ok(kinds(history).includes('orphan'));
    assert.equal(checkRun(history).orphans, 1);
  });

  it('catches a key without a holder for longer than its bound', () => {
    const history = new HistoryBuilder()
      .term('leader', 'n1', 101, 1, 100, 1_000)
      .event(100, 'settled')
      .term('leader', 'n2', 102, 2, 1_000 + 60_000, 70_000)
      .event(65_000, 'quiescent')
      .build();
    assert.ok(kinds(history).includes('unavailable too long'));
  });

  it('holds a release on purpose to the graceful bound, a release in a crash-like fault to the crash bound', () => {
    const gapMs = BOUNDS.graceful + 500;
    const run = (withFault: boolean) => {
      const builder = new HistoryBuilder()
        .term('leader', 'n1', 101, 1, 100, 1_000, 'NOT_LEADER: term 1 of election "cluster-leader" ended: resigned')
        .event(100, 'settled')
        .term('leader', 'n2', 102, 2, 1_000 + gapMs, 30_000)
        .event(20_000, 'quiescent');
      if (withFault) builder.event(900, 'fault', { detail: 'cut n1' }).event(1_100, 'heal', { detail: 'healed n1' });
      return checkRun(builder.build());
    };
    assert.ok(run(false).violations.some((v) => v.kind === 'unavailable too long' && v.message.includes('graceful')));
    assert.deepEqual(run(true).violations, []);
  });

  it('measures a stretch without a holder from the end of a store-wide fault', () => {
    const history = new HistoryBuilder()
      .term('leader', 'n1', 101, 1, 100, 1_000)
      .event(100, 'settled')
      .event(1_000, 'fault', { detail: 'quorum lost', fromHeal: true })
      .event(40_000, 'heal', { detail: 'quorum back', fromHeal: true })
      .term('leader', 'n2', 102, 2, 43_000, 70_000)
      .event(65_000, 'quiescent')
      .build();
    const verdict = checkRun(history);
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.worstGapMs, 3_000);
  });

  it('does not count a frozen holder as acting: it wakes, is refused, and steps down', () => {
    const history = new HistoryBuilder()
      .op(100, 'begin', 'leader', 'n1', 101, 1)
      .op(350, 'write', 'leader', 'n1', 101, 1)
      .event(100, 'settled')
      .event(400, 'freeze', { node: 'n1', pid: 101 })
      .term('leader', 'n2', 102, 2, 4_600, 12_000)
      .event(6_400, 'thaw', { node: 'n1', pid: 101 })
      .op(6_401, 'write', 'leader', 'n1', 101, 1, 'stale')
      .op(6_402, 'end', 'leader', 'n1', 101, 1)
      .event(10_000, 'quiescent')
      .build();
    const verdict = checkRun(history);
    assert.deepEqual(verdict.violations, []);
    assert.equal(verdict.staleRefused, 1);
  });

  it('counts a thawed holder whose write was accepted as acting again: an overlap', () => {
    const history = new HistoryBuilder()
      .op(100, 'begin', 'leader', 'n1', 101, 5)
      .event(100, 'settled')
      .event(400, 'freeze', { node: 'n1', pid: 101 })
      .term('leader', 'n2', 102, 2, 4_600, 12_000)
      .event(6_400, 'thaw', { node: 'n1', pid: 101 })
      .op(6_401, 'write', 'leader', 'n1', 101, 5)
      .op(6_600, 'end', 'leader', 'n1', 101, 5)
      .event(10_000, 'quiescent')
      .build();
    assert.ok(kinds(history).includes('overlap'));
  });

  it('as a program: exits 1 and prints the history excerpt of a violation; 0 on a clean run', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'baton-checker-'));
    try {
      const save = (name: string, history: History) => {
        const dir = path.join(root, name);
        mkdirSync(dir);
        writeRunInfo(dir, { ...history.info, fault: name });
        writeFileSync(path.join(dir, REGISTER_FILE), history.register.map((e) => JSON.stringify(e)).join('\n'));
        writeFileSync(path.join(dir, CONTROLLER_FILE), history.controller.map((e) => JSON.stringify(e)).join('\n'));
        return dir;
      };
      const clean = save('clean', cleanRun().build());
      const ok = spawnSync(process.execPath, [CHECKER, clean], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /no violation/);
      const bad = save('overlap', cleanRun().term('leader', 'n3', 103, 3, 6_000, 6_400).build());
      const failed = spawnSync(process.execPath, [CHECKER, root], { encoding: 'utf8' });
      assert.equal(failed.status, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /VIOLATION: overlap/);
      assert.match(failed.stdout, /register +begin leader n3 pid 103 token 3: accepted/);
      assert.ok(failed.stdout.includes(bad));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
