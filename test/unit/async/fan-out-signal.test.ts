/**
 * fanOutSignal: one request fanned out into many parallel calls listens on one derived signal
 * without Node's listener-leak warning (seen on ZooKeeper with 10 members: one read per member),
 * and the derived signal still aborts with its caller's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fanOutSignal } from '../../../src/async.js';

describe('fanOutSignal', () => {
  it('carries 50 listeners without a MaxListenersExceededWarning and aborts with its source', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const source = new AbortController();
      const derived = fanOutSignal(source.signal);
      let aborted = 0;
      for (let i = 0; i < 50; i++) derived.addEventListener('abort', () => (aborted += 1), { once: true });
      source.abort(new Error('caller gave up'));
      assert.equal(derived.aborted, true);
      assert.equal((derived.reason as Error).message, 'caller gave up');
      assert.equal(aborted, 50);
      // Warnings are emitted on the next tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((name) => name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('passes undefined through', () => {
    assert.equal(fanOutSignal(undefined), undefined);
  });
});
