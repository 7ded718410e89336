import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Session } from '../../../src/contract/index.js';
import { AssignService } from '../../../src/buckets/assign-service.js';
import { assignmentsKey } from '../../../src/buckets/assignment-layout.js';
import { BucketMetrics } from '../../../src/buckets/bucket-metrics.js';
import { BucketOwner } from '../../../src/buckets/bucket-owner.js';
import { isBatonError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { waitFor } from '../../support/wait.js';
import { TestCluster, freshCluster, lead, storedTable, type TestNode } from '../../buckets/bucket-harness.js';

const store = new MemoryStore();
const harness = {
  name: 'memory',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster: string) => store.backend(cluster),
  writeRawKv: async (cluster: string, key: string, text: string) => store.writeRawKv(cluster, key, text),
  teardown: async () => undefined,
};

interface Recorded {
  readonly owner: BucketOwner;
  readonly events: string[];
  readonly tokens: Map<string, number>;
  readonly signals: Map<string, AbortSignal>;
}

const owners: BucketOwner[] = [];
const clusters: TestCluster[] = [];
after(async () => {
  await Promise.allSettled(owners.map((o) => o.close()));
  await Promise.allSettled(clusters.map((c) => c.close()));
});

function cluster(): TestCluster {
  const c = new TestCluster(harness, freshCluster('owner'));
  clusters.push(c);
  return c;
}

/** An owner whose events go to `log` as "acquired:node:bucket" / "released:node:bucket:reason". */
async function owner(node: TestNode, log: string[], metrics?: BucketMetrics): Promise<Recorded> {
  const o = new BucketOwner({ backend: node.backend, session: node.session, metrics });
  owners.push(o);
  const tokens = new Map<string, number>();
  const signals = new Map<string, AbortSignal>();
  o.on('acquired', (bucket, { token, signal }) => {
    tokens.set(bucket, token);
    signals.set(bucket, signal);
    log.push(`acquired:${node.id}:${bucket}`);
  });
  o.on('released', (bucket, reason) => {
    assert.equal(signals.get(bucket)?.aborted, true, 'the signal aborts before released is emitted');
    log.push(`released:${node.id}:${bucket}:${reason}`);
  });
  await o.start();
  return { owner: o, events: log, tokens, signals };
}

describe('BucketOwner (memory backend)', () => {
  it('hands a bucket over only after the old owner has finished releasing it', async () => {
    const c = cluster();
    const log: string[] = [];
    const [a, b] = [await c.node('a'), await c.node('b')];
    const svc = new AssignService({ backend: a.backend, leadership: await lead(a), clock: new FakeClock() });
    await svc.tick();
    const [ra, rb] = [await owner(a, log), await owner(b, log)];
    await waitFor('a and b to own 50 each', () => ra.owner.owned().length === 50 && rb.owner.owned().length === 50);
    const fromB = new Set(rb.owner.owned());
    // b's work takes long to stop: its released listener blocks until we let it go.
    let letGo!: () => void;
    const blocked = new Promise<void>((resolve) => (letGo = resolve));
    rb.owner.on('released', () => blocked);
    const nodeC = await c.node('c');
    const rc = await owner(nodeC, log);
    await svc.tick();
    const target = (await storedTable(a.backend)).get('c')!;
    const movedFromB = target.filter((bucket) => fromB.has(bucket));
    const movedFromA = target.filter((bucket) => !fromB.has(bucket));
    assert.ok(movedFromA.length > 0 && movedFromB.length > 0, 'c takes buckets from both');
    await waitFor('c to own the buckets a released', () => movedFromA.every((x) => rc.owner.owned().includes(x)));
    assert.deepEqual(rc.owner.owned().filter((x) => fromB.has(x)), [], 'nothing of b while b is still releasing');
    letGo();
    await waitFor('c to own its whole target', () => rc.owner.owned().length === target.length);
    for (const bucket of movedFromB) {
      const released = log.indexOf(`released:b:${bucket}:moved`);
      const acquired = log.indexOf(`acquired:c:${bucket}`);
      assert.ok(released >= 0 && released < acquired, `bucket ${bucket}: b released before c acquired`);
      assert.ok(rc.tokens.get(bucket)! > rb.tokens.get(bucket)!, `bucket ${bucket}: the token increases`);
    }
    assert.equal(ra.owner.owned().length + rb.owner.owned().length + rc.owner.owned().length, 100);
  });

  it('ends every ownership when the session is lost', async () => {
    const c = cluster();
    const log: string[] = [];
    const a = await c.node('a');
    await new AssignService({ backend: a.backend, leadership: await lead(a), clock: new FakeClock() }).tick();
    const ra = await owner(a, log);
    await waitFor('a to own 100', () => ra.owner.owned().length === 100);
    store.expire(a.session.id);
    await waitFor('every signal aborted', () => [...ra.signals.values()].every((s) => s.aborted));
    await waitFor('released(lost) for each bucket', () => log.filter((e) => e.endsWith(':lost')).length === 100);
    assert.deepEqual(ra.owner.owned(), []);
  });

  it('keeps its buckets while its own target is corrupt, and follows the repaired one', async () => {
    const c = cluster();
    const log: string[] = [];
    const [a, b] = [await c.node('a'), await c.node('b')];
    const svc = new AssignService({ backend: a.backend, leadership: await lead(a), clock: new FakeClock() });
    await svc.tick();
    const registry = new Registry();
    const metrics = new BucketMetrics(registry);
    const rb = await owner(b, log, metrics);
    await waitFor('b to own 50', () => rb.owner.owned().length === 50);
    const before = rb.owner.owned();
    await harness.writeRawKv(c.name, assignmentsKey('b'), '[1, 2');
    const corruptCount = async () => (await metrics.corrupt.get()).values.find((v) => v.labels['key'] === assignmentsKey('b'))?.value ?? 0;
    await waitFor('the corrupt target to be reported with its key', async () => (await corruptCount()) >= 1);
    assert.deepEqual(rb.owner.owned(), before, 'no change while the target is corrupt');
    assert.deepEqual(rb.owner.target(), before);
    await svc.tick();
    assert.deepEqual((await storedTable(a.backend)).get('b'), before, 'the leader rewrote the same target');
    assert.deepEqual(rb.owner.owned(), before);
    assert.ok(!log.some((e) => e.startsWith('released')), 'nothing was released');
  });

  it('aborts its campaign for a bucket that leaves its target before it won it', async () => {
    const c = cluster();
    const log: string[] = [];
    const [b, nodeC] = [await c.node('b'), await c.node('c')];
    const writer = await c.reader();
    await writer.kv.put(assignmentsKey('b'), ['1']);
    const rb = await owner(b, log);
    await waitFor('b to own bucket 1', () => rb.owner.owned().includes('1'));
    // c's session, with every campaign's signal recorded.
    const campaigns = new Map<string, AbortSignal>();
    const real = nodeC.session;
    const session: Session = {
      id: real.id,
      nodeId: real.nodeId,
      timing: real.timing,
      lost: real.lost,
      get state() {
        return real.state;
      },
      onStateChange: (listener, options) => real.onStateChange(listener, options),
      updateInfo: (info, options) => real.updateInfo(info, options),
      campaign: (election, info, options) => {
        if (options?.signal) campaigns.set(election, options.signal);
        return real.campaign(election, info, options);
      },
      close: (options) => real.close(options),
    };
    const rc = await owner({ ...nodeC, session }, log);
    await writer.kv.put(assignmentsKey('c'), ['1']);
    const signal = await waitFor('c to campaign for bucket 1', () => campaigns.get('bucket/1'));
    assert.equal(signal.aborted, false, 'c waits: b still holds bucket 1');
    await writer.kv.put(assignmentsKey('c'), []);
    await waitFor('c\'s campaign to be aborted', () => signal.aborted);
    await writer.kv.put(assignmentsKey('b'), []);
    await waitFor('b to release bucket 1', () => log.includes('released:b:1:moved'));
    assert.deepEqual(rc.owner.owned(), []);
    assert.ok(!log.includes('acquired:c:1'), 'c never acquired it');
  });

  it('is started once, closes idempotently, and releases everything on close', async () => {
    const c = cluster();
    const log: string[] = [];
    const a = await c.node('a');
    await new AssignService({ backend: a.backend, leadership: await lead(a), clock: new FakeClock() }).tick();
    const ra = await owner(a, log);
    await assert.rejects(ra.owner.start(), (e) => isBatonError(e, 'STATE'));
    await waitFor('a to own 100', () => ra.owner.owned().length === 100);
    await Promise.all([ra.owner.close(), ra.owner.close()]);
    assert.deepEqual(ra.owner.owned(), []);
    assert.equal(log.filter((e) => e.endsWith(':closed')).length, 100);
    const reader = await c.reader();
    assert.equal(await reader.leader('bucket/1'), null, 'the bucket election was resigned');
  });
});
