import { packageIdentity } from '../../version.js';
import type { NodeView } from '../node-view.js';
import type { RouteModule } from './route-module.js';

/** What a node says about itself (`GET /node`); the dashboard reads it from every member. */
export interface NodeStatus {
  readonly nodeId: string;
  readonly version: string;
  readonly session: string;
  readonly lastRenewalAgeMs: number | null;
  readonly leader: boolean;
  readonly zone: string | null;
  readonly weight: number;
  readonly draining: boolean;
}

export const nodeStatusSchema = {
  type: 'object',
  required: ['nodeId', 'version', 'session', 'lastRenewalAgeMs', 'leader', 'zone', 'weight', 'draining'],
  properties: {
    nodeId: { type: 'string' },
    version: { type: 'string', description: 'The baton package version the node runs' },
    session: { type: 'string', enum: ['none', 'live', 'suspended', 'lost', 'closed'], description: 'State of the node\'s session, judged when asked' },
    lastRenewalAgeMs: { type: ['integer', 'null'], description: 'How long ago its last successful session renewal ended (its monotonic clock); null before the first or on ZooKeeper' },
    leader: { type: 'boolean', description: 'This node leads the cluster' },
    zone: { type: ['string', 'null'] },
    weight: { type: 'number' },
    draining: { type: 'boolean', description: 'A drain request for this node is stored (as the node last read it): it is handing its work to the others' },
  },
} as const;

const VERSION = packageIdentity().version;

export function nodeStatusOf(node: NodeView): NodeStatus {
  return {
    nodeId: node.nodeId,
    version: VERSION,
    session: node.sessionState,
    lastRenewalAgeMs: node.lastRenewalAgeMs ?? null,
    leader: node.isLeader(),
    zone: node.config.advertise.zone,
    weight: node.config.advertise.weight,
    draining: node.holding().draining,
  };
}

/** `GET /node`: this node's session state, the age of its last renewal, version, zone, weight, whether it drains. */
export const nodeStatusRoutes: RouteModule = (app, { node }) => {
  app.get('/node', {
    schema: { summary: 'This node: session state, age of its last renewal, version, zone, weight and whether it drains', tags: ['node'], response: { 200: nodeStatusSchema } },
  }, async () => nodeStatusOf(node));
};
