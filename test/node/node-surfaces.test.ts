/**
 * BatonNode runs the surfaces its process entry attaches (NodeSurface) and no HTTP of its own:
 * a surface starts once the store is open, its ports are advertised, and it closes with the node.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../src/backends/memory/index.js';
import { BatonNode } from '../../src/node/baton-node.js';
import type { NodeSurface } from '../../src/node/node-surface.js';
import { waitFor } from '../support/wait.js';
import { silentLogger, testConfig } from './node-helpers.js';

describe('BatonNode surfaces', () => {
  const store = new MemoryStore();
  const nodes: BatonNode[] = [];
  after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
  });

  async function advertisedPorts(cluster: string, nodeId: string): Promise<unknown> {
    const member = await waitFor(`${nodeId} to be a member`, async () => (await store.backend(cluster).members()).find((m) => m.nodeId === nodeId));
    return member.info['ports'];
  }

  it('a bare node serves no HTTP and advertises no http port', async () => {
    const node = new BatonNode(testConfig({ cluster: 'bare', nodeId: 'n1' }), { openBackend: async () => store.backend('bare'), logger: silentLogger });
    nodes.push(node);
    await node.start();
    assert.equal(node.port, 0);
    assert.deepEqual(await advertisedPorts('bare', 'n1'), {});
  });

  it('starts an attached surface after the store opened, advertises its ports, closes it before the store', async () => {
    const events: string[] = [];
    const surface = (node: BatonNode): NodeSurface => ({
      async start() {
        events.push(`start with a ${node.backend.kind} store`); // node.backend throws before the store is open
        return { admin: 9001 };
      },
      async close() {
        events.push('close');
      },
    });
    const node = new BatonNode(testConfig({ cluster: 'attached', nodeId: 'n1', advertise: { ports: { grpc: 9000 } } }), {
      openBackend: async () => {
        const backend = store.backend('attached');
        const close = backend.close.bind(backend);
        return Object.assign(backend, { close: async () => (events.push('store closed'), close()) });
      },
      logger: silentLogger,
      surfaces: [surface],
    });
    nodes.push(node);
    await node.start();
    assert.deepEqual(await advertisedPorts('attached', 'n1'), { admin: 9001, grpc: 9000 });
    await node.close();
    assert.deepEqual(events, ['start with a memory store', 'close', 'store closed']);
  });
});
