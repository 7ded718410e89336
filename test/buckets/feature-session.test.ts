/**
 * The bucket feature across a lost session (memory backend, real nodes): the node stops acting
 * for its buckets at once, does not mark a graceful leave, and on its new session takes back the
 * same buckets (they stayed its target through the offline grace, nothing moved).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/backends/memory/index.js';
import { lastUpdateKey } from '../../src/buckets/assignment-layout.js';
import type { BucketsFeature } from '../../src/buckets/buckets-feature.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/index.js';
import { waitFor } from '../support/wait.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';

const COUNT = 10;
/** Far longer than the test: the lost node's buckets must stay its target, not move. */
const GRACE_MS = 600_000;

describe('bucket feature across a lost session (memory backend)', () => {
  const store = new MemoryStore();
  const nodes: BatonNode[] = [];
  after(() => Promise.allSettled(nodes.map((n) => n.close())));

  async function start(nodeId: string): Promise<BatonNode> {
    const config = testConfig({ cluster: 'fs', nodeId, buckets: { enabled: true, count: COUNT, offlineGraceMs: GRACE_MS } });
    const node = await startNode(config, { openBackend: async () => store.backend('fs'), logger: silentLogger });
    nodes.push(node);
    return node;
  }

  it('releases on loss without marking a leave, and takes the same buckets back on the new session', async () => {
    const a = await start('a');
    const b = await start('b');
    const [fa, fb] = [a.feature<BucketsFeature>('buckets')!, b.feature<BucketsFeature>('buckets')!];
    await waitFor('5 buckets each', () => fa.owned().length === 5 && fb.owned().length === 5);
    const [ownedA, ownedB] = [fa.owned(), fb.owned()];
    const events: string[] = [];
    fb.on('released', (bucket, reason) => void events.push(`released:${bucket}:${reason}`));
    fb.on('acquired', (bucket) => void events.push(`acquired:${bucket}`));
    const sessionB = (await a.backend.members()).find((m) => m.nodeId === 'b')!.sessionId;
    store.expire(sessionB);
    await waitFor('b to release its 5 buckets as lost', () => events.filter((e) => e.endsWith(':lost')).length === 5);
    assert.notEqual(await a.backend.kv.get(lastUpdateKey('b')), null, 'a lost session is not a graceful leave');
    await waitFor('b to own its buckets again', () => events.filter((e) => e.startsWith('acquired')).length === 5, { timeoutMs: 10_000 });
    assert.deepEqual(fb.owned(), ownedB, 'the same buckets came back');
    assert.deepEqual(fa.owned(), ownedA, 'nothing moved to a');
  });
});
