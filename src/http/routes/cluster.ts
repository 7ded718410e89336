import type { LeaderRecord } from '../../contract/contract.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
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

/** `GET /cluster` (members, leader, term) and `GET /leader` (where clients find the active node). */
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
};
