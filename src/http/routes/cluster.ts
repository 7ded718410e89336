import type { LeaderRecord } from '../../contract/contract.js';
import { systemClock } from '../../clock.js';
import { CLUSTER_LEADER_ELECTION, transferLeadership } from '../../election/index.js';
import { operatorName } from '../../operations/index.js';
import { errorSchema, infoSchema, leaderSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

/** The JSON shape of a leader in replies. */
export function leaderJson(leader: LeaderRecord): { nodeId: string; term: number; since: number; info: LeaderRecord['info'] } {
  return { nodeId: leader.nodeId, term: leader.term, since: leader.since, info: leader.info };
}

const memberSchema = {
  type: 'object',
  required: ['nodeId', 'sessionId', 'info', 'live', 'leader'],
  properties: {
    nodeId: { type: 'string' },
    sessionId: { type: 'string' },
    info: infoSchema,
    live: { type: 'boolean', description: 'The member\'s session is alive (listed members always are)' },
    leader: { type: 'boolean', description: 'This member leads the cluster' },
  },
} as const;

/**
 * How long `POST /leader/transfer` waits for the new term by default, ms: as the CLI (two default
 * TTLs: one handoff when the target is live, room for a loaded store and a fallback election).
 */
const TRANSFER_TIMEOUT_MS = 30_000;

const transferOutcomeSchema = {
  type: 'object',
  required: ['moved', 'from', 'to', 'leader', 'by'],
  properties: {
    moved: { type: 'boolean', description: 'A new term started (false: `to` led already, nothing was asked)' },
    from: { type: 'object', required: ['nodeId', 'term'], properties: { nodeId: { type: 'string' }, term: { type: 'integer' } } },
    to: { type: ['string', 'null'] },
    leader: { type: 'object', required: ['nodeId', 'term'], properties: { nodeId: { type: 'string' }, term: { type: 'integer' } } },
    by: { type: 'string' },
  },
} as const;

/** `GET /cluster` (members, leader, term), `GET /leader` (where clients find the active node), `POST /leader/transfer`. */
export const clusterRoutes: RouteModule = (app, { node }) => {
  app.get('/cluster', {
    schema: {
      summary: 'Live members, the current leader and its term, read from the store',
      tags: ['cluster'],
      response: {
        200: {
          type: 'object',
          required: ['cluster', 'self', 'leader', 'term', 'members'],
          properties: {
            cluster: { type: 'string' },
            self: {
              type: 'object',
              required: ['nodeId', 'session', 'leader'],
              properties: { nodeId: { type: 'string' }, session: { type: 'string' }, leader: { type: 'boolean' } },
            },
            leader: { anyOf: [leaderSchema, { type: 'null' }] },
            term: { type: ['integer', 'null'] },
            members: { type: 'array', items: memberSchema },
          },
        },
        503: errorSchema,
      },
    },
  }, async () => {
    const [members, leader] = await Promise.all([node.backend.members(), node.backend.leader(CLUSTER_LEADER_ELECTION)]);
    return {
      cluster: node.config.cluster,
      self: { nodeId: node.nodeId, session: node.sessionState, leader: node.isLeader() },
      leader: leader ? leaderJson(leader) : null,
      term: leader?.term ?? null,
      members: members.map((m) => ({ nodeId: m.nodeId, sessionId: m.sessionId, info: m.info, live: true, leader: m.nodeId === leader?.nodeId })),
    };
  });

  app.get('/leader', {
    schema: {
      summary: 'The current cluster leader',
      description: 'Clients use it to find the active node. 503 NO_LEADER while there is none (during a failover).',
      tags: ['cluster'],
      response: { 200: leaderSchema, 503: errorSchema },
    },
  }, async (_request, reply) => {
    const leader = await node.backend.leader(CLUSTER_LEADER_ELECTION);
    if (leader === null) return reply.status(503).send({ code: 'NO_LEADER', message: `cluster "${node.config.cluster}" has no leader right now; retry shortly` });
    return leaderJson(leader);
  });

  app.post('/leader/transfer', {
    config: { auth: true },
    schema: {
      summary: 'Move the cluster leadership now, to a new term (to the node named, or any other live node)',
      description:
        'Stores the leader-transfer request, logs the action, and answers once a new term started. 404 NOT_FOUND when `to` is not a live member, 409 STATE when nobody leads, `to` is draining, no other node is live, or no new term started within `timeoutMs`.',
      tags: ['cluster'],
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          to: { type: 'string', minLength: 1, description: 'The live node to lead next; omitted: any other live node' },
          by: { type: 'string', minLength: 1, description: 'Who asks, for the action log (default: BATON_OPERATOR on the node, else user@host)' },
          timeoutMs: { type: 'integer', minimum: 1, description: `How long to wait for the new term (default ${TRANSFER_TIMEOUT_MS})` },
        },
      },
      response: { 200: transferOutcomeSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema },
    },
  }, async (request) => {
    const body = (request.body ?? {}) as { to?: string; by?: string; timeoutMs?: number };
    const by = operatorName(body.by);
    const outcome = await transferLeadership(node.backend, { to: body.to, by, waitMs: body.timeoutMs ?? TRANSFER_TIMEOUT_MS, clock: systemClock });
    return { ...outcome, by };
  });
};
