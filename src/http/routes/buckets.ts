import { DEFAULT_BUCKETS_OPTIONS, validateBucketsOptions } from '../../buckets/buckets-options.js';
import { assignmentStore } from '../../buckets/amoro-store.js';
import { bucketCountOf } from '../../cluster-settings/index.js';
import type { BucketsFeature } from '../../buckets/buckets-feature.js';
import { readBucketStatus } from '../../buckets/bucket-status.js';
import { errorSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

const bucketList = { type: 'array', items: { type: 'string' }, description: 'Bucket ids, in numeric order' } as const;

const nodeBucketsSchema = {
  type: 'object',
  required: ['nodeId', 'buckets', 'count', 'lastUpdateTime', 'state', 'graceElapsedMs', 'corrupt'],
  properties: {
    nodeId: { type: 'string' },
    buckets: bucketList,
    count: { type: 'integer' },
    lastUpdateTime: { type: ['integer', 'null'], description: 'When the leader last wrote this node\'s target, epoch ms (display only)' },
    state: { type: 'string', enum: ['live', 'grace', 'leaving'], description: 'live member, gone but inside its offline grace, or gone for good' },
    graceElapsedMs: { type: ['integer', 'null'], description: 'Offline grace used so far (nodes in grace)' },
    corrupt: { type: 'boolean', description: 'The stored target is corrupt; the leader rewrites it' },
  },
} as const;

/** `GET /buckets`: every node's bucket target as stored, whether it is live or in grace. */
export const bucketsRoutes: RouteModule = (app, { node }) => {
  app.get('/buckets', {
    schema: {
      summary: 'Bucket assignment: per node its buckets, their count, the last update and whether the node is live or in grace',
      tags: ['buckets'],
      response: {
        200: {
          type: 'object',
          required: ['enabled', 'bucketCount', 'self', 'nodes', 'unassigned', 'corruptKeys'],
          properties: {
            enabled: { type: 'boolean', description: 'This node runs the bucket feature (buckets.enabled)' },
            bucketCount: { type: 'integer' },
            self: {
              type: 'object',
              required: ['nodeId', 'owned'],
              properties: { nodeId: { type: 'string' }, owned: { ...bucketList, description: 'Buckets this node owns right now' } },
            },
            nodes: { type: 'array', items: nodeBucketsSchema },
            unassigned: { ...bucketList, description: 'Buckets no target lists (during a change, or with no live node)' },
            corruptKeys: { type: 'array', items: { type: 'string' } },
          },
        },
        503: errorSchema,
      },
    },
  }, async () => {
    const feature = node.feature<BucketsFeature>('buckets');
    // A node running buckets has agreed with the cluster at start; any other reads the stored count.
    const count = feature?.options.count ?? (await bucketCountOf(node.backend.kv, node.config.buckets?.count ?? DEFAULT_BUCKETS_OPTIONS.count)).value;
    const status = await readBucketStatus(assignmentStore(node.backend, feature?.options ?? validateBucketsOptions(node.config.buckets)), count);
    return { enabled: feature !== undefined, ...status, self: { nodeId: node.nodeId, owned: feature?.owned() ?? [] } };
  });
};
