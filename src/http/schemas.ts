/** JSON schemas shared by routes (each route declares its own from these). */

/** Every error reply: a stable code and a message for humans. */
export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable error code (NO_LEADER, NOT_READY, UNAUTHORIZED, ...)' },
    message: { type: 'string' },
  },
} as const;

/** Free-form JSON object (member and leader info). */
export const infoSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'What the node advertises: host, ports, zone, weight, tags',
} as const;

export const leaderSchema = {
  type: 'object',
  required: ['nodeId', 'term', 'since', 'info'],
  properties: {
    nodeId: { type: 'string' },
    term: { type: 'integer', description: 'Fencing token of this leadership term' },
    since: { type: 'integer', description: 'When the term began, epoch ms as the store recorded it' },
    info: infoSchema,
  },
} as const;
