import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DemoPrinter } from '../../../src/cli/demo/demo-printer.js';
import { Handovers } from '../../../src/cli/demo/handovers.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

interface Printed {
  readonly event: string;
  readonly what?: string;
  readonly from?: string | null;
  readonly to?: string;
  readonly buckets?: string[];
  readonly tookMs?: number | null;
  readonly cause?: string | null;
}

function setUp(): { clock: FakeClock; handovers: Handovers; printed: () => Printed[] } {
  const lines: string[] = [];
  const printer = new DemoPrinter({ out: (text) => void lines.push(text), err: () => undefined, env: {} }, true);
  const clock = new FakeClock(0);
  return { clock, handovers: new Handovers(printer, clock), printed: () => lines.map((l) => JSON.parse(l) as Printed) };
}

describe('demo handovers', () => {
  it('times a leader handover from the kill, through the leaderless spell', () => {
    const { clock, handovers, printed } = setUp();
    handovers.leaderChanged({ nodeId: 'node-1', term: 1 });
    clock.jump(1000);
    handovers.fault('node-1', 'killed');
    clock.jump(5000);
    handovers.leaderChanged(null);
    clock.jump(1000);
    handovers.leaderChanged({ nodeId: 'node-2', term: 2 });
    assert.deepEqual(printed().map((p) => [p.what, p.from, p.to, p.tookMs, p.cause]), [['leader', 'node-1', 'node-2', 6000, 'killed']]);
  });

  it('times a bucket from the freeze of its owner (which says released only once thawed), a move from the release', () => {
    const { clock, handovers, printed } = setUp();
    handovers.message({ type: 'acquired', nodeId: 'node-1', bucket: '1', token: 1, at: 0 });
    handovers.flush();
    clock.jump(1000);
    handovers.fault('node-1', 'frozen');
    clock.jump(8000);
    handovers.message({ type: 'released', nodeId: 'node-1', bucket: '1', reason: 'lost', writes: 3, at: 0 });
    clock.jump(500);
    handovers.message({ type: 'acquired', nodeId: 'node-2', bucket: '1', token: 2, at: 0 });
    handovers.flush();
    clock.jump(1000);
    handovers.message({ type: 'released', nodeId: 'node-2', bucket: '1', reason: 'moved', writes: 1, at: 0 });
    clock.jump(100);
    handovers.message({ type: 'acquired', nodeId: 'node-3', bucket: '1', token: 3, at: 0 });
    handovers.flush();
    assert.deepEqual(printed().map((p) => [p.buckets, p.from, p.to, p.tookMs, p.cause]), [
      [['1'], null, 'node-1', null, 'placed'],
      [['1'], 'node-1', 'node-2', 8500, 'frozen'],
      [['1'], 'node-2', 'node-3', 100, 'released (moved)'],
    ]);
  });
});
