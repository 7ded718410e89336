/**
 * The node's drain (issue 19): `POST /drain` asks this node to hand its cluster leadership and
 * items to other live nodes and take nothing new (or withdraws that with `cancel`), and
 * `GET /ready-to-stop` says whether stopping it now would leave anything without a holder.
 */
import type { NodeHolding } from '../../node/node-drain.js';
import { errorSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

const holdingSchema = {
  type: 'object',
  required: ['ready', 'draining', 'leader', 'items'],
  properties: {
    ready: { type: 'boolean', description: 'The node holds no election now: stopping it leaves nothing without a holder' },
    draining: { type: 'boolean', description: 'A drain request for this node is stored' },
    leader: { type: 'boolean', description: 'The node leads the cluster now' },
    items: {
      type: 'object',
      description: 'Items held now by group (`buckets`, `partitions/<name>`); only groups that hold something',
      additionalProperties: { type: 'array', items: { type: ['string', 'integer'] } },
    },
  },
} as const;

const drainBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200, description: 'Who asks, for the action log (default: "http@<caller address>")' },
    reason: { type: 'string', maxLength: 500, description: 'Why, stored with the request and logged' },
    cancel: { type: 'boolean', description: 'Withdraw this node\'s drain request instead' },
  },
} as const;

interface DrainBody {
  readonly by?: string;
  readonly reason?: string;
  readonly cancel?: boolean;
}

export const drainRoutes: RouteModule = (app, { node }) => {
  app.post('/drain', {
    config: { auth: true },
    schema: {
      summary: 'Drain this node: hand its cluster leadership and items to other live nodes, take nothing new',
      description: 'Stores the request (operations/drain/{node}) and answers at once, 202 with what the node still holds; poll GET /ready-to-stop. With `cancel: true` the request is withdrawn (200). Logged in the action log with `by`.',
      tags: ['node'],
      body: drainBody,
      response: { 200: holdingSchema, 202: holdingSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema },
    },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as DrainBody;
    const by = body.by ?? `http@${request.ip}`;
    if (body.cancel === true) {
      await node.cancelDrain({ by });
      return reply.status(200).send(node.holding());
    }
    const { holding } = await node.drain({ by, timeoutMs: 0, ...(body.reason === undefined ? {} : { reason: body.reason }) });
    return reply.status(holding.ready ? 200 : 202).send(holding);
  });

  app.get('/ready-to-stop', {
    schema: {
      summary: 'Whether stopping this node now leaves nothing without a holder',
      description: '200 when the node holds no election (not the cluster leader, no bucket, no partition); 503 with what it still holds otherwise. Drain it first (POST /drain) to get there without a gap.',
      tags: ['node'],
      response: { 200: holdingSchema, 503: holdingSchema },
    },
  }, async (_request, reply) => {
    const holding: NodeHolding = node.holding();
    return reply.status(holding.ready ? 200 : 503).send(holding);
  });
};
