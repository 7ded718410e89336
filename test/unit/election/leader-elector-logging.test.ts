import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { LeaderElector } from '../../../src/election/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { oneSession } from '../../support/one-session.js';

describe('LeaderElector: logging', () => {
  it('writes one structured line per state change with node id, term and reason', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const clock = new FakeClock();
    const backend = new MemoryStore({ clock }).backend('t');
    const elector = new LeaderElector({ backend, nodeId: 'a', info: {}, timing: DEFAULT_TIMING, clock, logger: pino({ level: 'info' }, sink) });
    try {
      elector.start();
      await clock.advance(0);
      await elector.resign();
    } finally {
      await elector.close();
      await backend.close();
    }
    const changes = lines.map((l) => ({ nodeId: l['nodeId'], term: l['term'], reason: l['reason'] }));
    assert.deepEqual(changes.filter((c) => c.reason === 'elected'), [{ nodeId: 'a', term: 1, reason: 'elected' }]);
    assert.deepEqual(changes.filter((c) => c.reason === 'moved'), [{ nodeId: 'a', term: 1, reason: 'moved' }]);
    assert.ok(changes.some((c) => c.reason === 'closed' && c.nodeId === 'a'));
    assert.ok(lines.every((l) => l['nodeId'] === 'a'), 'every line names the node');
  });

  it('writes each key once per line under a logger that binds the node id already', async () => {
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const clock = new FakeClock();
    const memory = new MemoryStore({ clock }).backend('t');
    let failedReads = 0;
    // The first leader read fails, so the observer logs too (it names the election).
    const backend = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'leader' && failedReads === 0) {
          return () => {
            failedReads++;
            return Promise.reject(new Error('store hiccup'));
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const session = await memory.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    const logger = pino({ level: 'info', base: { cluster: 't', nodeId: 'a' } }, sink);
    const elector = new LeaderElector({ backend, sessions: oneSession(session), clock, logger });
    try {
      elector.start();
      await clock.advance(DEFAULT_TIMING.retryPeriodMs);
    } finally {
      await elector.close();
      await memory.close();
    }
    assert.equal(failedReads, 1);
    assert.ok(raw.some((line) => line.includes('leader read failed')), 'the observer logged its failed read');
    assert.ok(raw.some((line) => line.includes('"reason":"elected"')));
    for (const line of raw) {
      for (const key of ['nodeId', 'election', 'cluster']) assert.equal(line.split(`"${key}":`).length - 1, 1, `one ${key} in ${line}`);
    }
  });
});
