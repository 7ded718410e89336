/**
 * Issue 12 (ZooKeeper): what a held term keeps. A node holds a term per bucket it owns, for
 * thousands of buckets, so a term must keep its watch and its signal and nothing of the
 * campaign that won it: no stat (the library's raw record holds six Buffers), no closure per
 * campaign, no function per watched path. Counted with `v8.queryObjects` (it collects garbage
 * first, so only what is still reachable is counted) before and after a session wins many
 * elections. Real standalone server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });
/** Real time the standalone server may take to start, ms: startStandalone waits up to 45 s for the JVM. */
const START_TIMEOUT_MS = 60_000;
/** Terms held by the measured session: enough that a few objects made once do not count per term. */
const TERMS = 300;
/**
 * Functions a held term keeps: its own watcher, the judge of its signal, the forwarding watch
 * its confirming `exists` set (registered with the client until the term ends), and the
 * library's wrapper of the one registration on its candidate's path; one more for slack.
 */
const MAX_FUNCTIONS_PER_TERM = 5;

const count = (ctor: new (...args: never[]) => unknown): number => v8.queryObjects(ctor, { format: 'count' }) as number;

describe('ZooKeeper: a held term keeps nothing of its campaign', () => {
  let zk: StandaloneZooKeeper;
  let backend: Backend;

  before(async () => {
    zk = await startStandalone();
    backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'held-memory' });
  }, { timeout: START_TIMEOUT_MS });
  after(async () => {
    await backend?.close();
    await zk?.close();
  });

  it(`${TERMS} held terms keep no Buffer and at most ${MAX_FUNCTIONS_PER_TERM} functions each`, async () => {
    const session = await backend.openSession({ nodeId: 'n1', info: {}, timing: TIMING });
    const warm: Leadership[] = await Promise.all(Array.from({ length: 20 }, (_, i) => session.campaign(`warm-${i}`, {})));
    const [functions, buffers] = [count(Function), count(Buffer)];
    const held = await Promise.all(Array.from({ length: TERMS }, (_, i) => session.campaign(`item-${i}`, {})));
    const perTerm = { functions: (count(Function) - functions) / TERMS, buffers: (count(Buffer) - buffers) / TERMS };
    assert.equal(held.filter((l) => l.held()).length, TERMS);
    assert.ok(perTerm.buffers < 0.5, `a held term keeps ${perTerm.buffers.toFixed(2)} Buffers`);
    assert.ok(perTerm.functions <= MAX_FUNCTIONS_PER_TERM, `a held term keeps ${perTerm.functions.toFixed(2)} functions`);
    await Promise.all([...warm, ...held].map((l) => l.resign()));
  });
});
