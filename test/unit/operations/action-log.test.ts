/**
 * The operator's action log: appends from concurrent writers all land, the log keeps only the
 * newest ACTION_LOG_LIMIT actions, and entries that do not parse are skipped, not fatal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { ACTION_LOG_KEY, ACTION_LOG_LIMIT, operatorName, readActions, recordAction } from '../../../src/operations/index.js';

describe('operator action log', () => {
  it('keeps every action of writers appending at once, in one order', async () => {
    const { kv } = new MemoryStore().backend('ops');
    await Promise.all(Array.from({ length: 8 }, (_, i) => recordAction(kv, { verb: 'drain', by: `op${i}`, detail: { node: `n${i}` } })));
    const actions = await readActions(kv);
    assert.deepEqual(actions.map((a) => a.by).sort(), ['op0', 'op1', 'op2', 'op3', 'op4', 'op5', 'op6', 'op7']);
    for (const action of actions) assert.ok(!Number.isNaN(Date.parse(action.at)), action.at);
  });

  it(`keeps only the newest ${ACTION_LOG_LIMIT}`, async () => {
    const { kv } = new MemoryStore().backend('ops');
    for (let i = 0; i < ACTION_LOG_LIMIT + 3; i++) await recordAction(kv, { verb: 'maintenance-on', by: 'op', detail: { i } });
    const actions = await readActions(kv);
    assert.equal(actions.length, ACTION_LOG_LIMIT);
    assert.deepEqual(actions[0]?.detail, { i: 3 });
    assert.deepEqual(actions.at(-1)?.detail, { i: ACTION_LOG_LIMIT + 2 });
  });

  it('skips stored entries that do not parse and appends after the rest', async () => {
    const { kv } = new MemoryStore().backend('ops');
    await kv.put(ACTION_LOG_KEY, { actions: [{ verb: 'drain' }, 7, { verb: 'drain', by: 'a', at: '2026-11-30T00:00:00.000Z', detail: {} }] });
    await recordAction(kv, { verb: 'drain-cancel', by: 'b', detail: {} });
    assert.deepEqual((await readActions(kv)).map((a) => a.verb), ['drain', 'drain-cancel']);
  });

  it('names the operator: given, else BATON_OPERATOR, else user@host', () => {
    assert.equal(operatorName(' alice '), 'alice');
    const saved = process.env.BATON_OPERATOR;
    try {
      process.env.BATON_OPERATOR = 'bob';
      assert.equal(operatorName(), 'bob');
      delete process.env.BATON_OPERATOR;
      assert.match(operatorName(), /^.+@.+$/);
    } finally {
      if (saved === undefined) delete process.env.BATON_OPERATOR;
      else process.env.BATON_OPERATOR = saved;
    }
  });
});
