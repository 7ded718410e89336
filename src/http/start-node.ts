/**
 * The process entry of a node: the runtime (BatonNode: store, session, features) composed with
 * its HTTP API. `baton start` runs exactly this; library users call it the same way.
 */
import type { BatonConfig } from '../config/types.js';
import { BatonNode, type StartNodeOptions } from '../node/baton-node.js';
import { httpSurface } from './http-surface.js';

/**
 * A node that serves its HTTP API (`config.http`) once started, not started yet: add listeners
 * (`node.buckets.on(...)`) before `start()` so no early acquisition is missed.
 *
 * @example
 * const node = createNode(config);
 * node.buckets.on('acquired', (bucket, { token }) => console.log(bucket, token));
 * await node.start();
 */
export function createNode(config: BatonConfig, options: StartNodeOptions = {}): BatonNode {
  return new BatonNode(config, { ...options, surfaces: [...(options.surfaces ?? []), httpSurface] });
}

/**
 * Starts a node from a validated config, serving its HTTP API.
 *
 * @example
 * import { loadConfig, startNode } from 'baton-cluster';
 * const { config } = loadConfig({ values: { store: 'sqlite:./.baton/app.db', http: { port: 0 } } });
 * const node = await startNode(config);
 * console.log(node.url, node.isLeader());
 * await node.close();
 */
export async function startNode(config: BatonConfig, options: StartNodeOptions = {}): Promise<BatonNode> {
  const node = createNode(config, options);
  await node.start();
  return node;
}
