/**
 * What a PostgreSQL change announcement (a NOTIFY on the connection's channel) carries, written
 * and read in one place: the cluster, the topics (election names) it wakes, chunked under
 * PostgreSQL's payload limit, and the handover a topic may carry. connection.ts sends and
 * receives them; this file only builds the statements and parses the payloads.
 */
import type { Handover } from '../dialect.js';

/**
 * Between the cluster and the topic (an election's name) in an announcement's payload
 * (`cluster/election`); a cluster name has no "/" (names.ts), so the first one splits. A
 * process from before topics announces the cluster alone, which wakes every waiter here as it
 * always did; it ignores a topic's payload, so during a rolling upgrade its waiting campaigns
 * notice a release from a newer process by their re-check, at most one retry period later.
 */
const TOPIC_SEPARATOR = '/';
/**
 * Between the topics of one announcement that names many elections (`cluster/a b c`): a
 * statement that took many leases sends one NOTIFY per chunk of names, not one per row, and
 * each node parses it once. Election names hold no space (names.ts). A process from before
 * this reads the names as one topic nobody follows, so during a rolling upgrade its waiting
 * campaigns notice such takes by their re-check, as above.
 */
const TOPICS_SEPARATOR = ' ';
/**
 * Bytes of topics (with their separators) one NOTIFY carries at most, give or take one topic:
 * PostgreSQL refuses a payload of 8,000 bytes or more. A chunk ends after the topic that
 * crosses this budget, so a payload is at most the cluster (128), the separator, this budget
 * and one more topic: a name (512) with a handover's holder and ticket (two UUIDs, 36 each),
 * term (at most 20 digits) and three separators (HANDOVER_SEPARATOR): 7,736 bytes.
 */
const TOPICS_BYTES_PER_NOTIFY = 7_000;

/**
 * Between the topic and a handover's holder session, ticket and term in a payload
 * (`cluster/election#holder#ticket#term`): no election name, session id or ticket has a `#`
 * (names.ts; both ids are UUIDs), nor a space (TOPICS_SEPARATOR). A process from before
 * handovers reads the whole tail as a topic it does not follow and is not woken, which it need
 * not be: the lease went to a waiter of a newer process, and an older process never registers
 * as one.
 */
const HANDOVER_SEPARATOR = '#';

/** The payload that announces a change in `cluster`, to the waiters of `topic` if given, else to all. */
export function announcementPayload(cluster: string, topic?: string): string {
  return topic === undefined ? cluster : `${cluster}${TOPIC_SEPARATOR}${topic}`;
}

/**
 * `sql` (a statement returning its changed rows) as one statement that also NOTIFYs once per
 * changed row, on the channel and with the payload given as its last two parameters (see
 * announcementPayload). With `handover`, a row that names a new holder (statements.ts
 * leaseHandOver) appends it to its payload (`#holder#ticket#term`). `columns` are more output
 * columns, computed per changed row.
 */
export function announcedPerRow(sql: string, handover: boolean, columns: string): string {
  const handed = handover ? ` || ${handedTo('changed.')}` : '';
  return `WITH changed AS (${sql}) SELECT changed.*, pg_notify(?, ?${handed}) AS announced${columns} FROM changed`;
}

/**
 * The tail a handover adds to its topic (`#holder#ticket#term`), or '' for a row released to
 * nobody: an expression over the columns holder, ticket and term of a changed row (`row` is
 * their qualifier, with its dot, or '').
 */
function handedTo(row: string): string {
  const sep = `'${HANDOVER_SEPARATOR}'`;
  return `COALESCE(${sep} || ${row}holder || ${sep} || ${row}ticket || ${sep} || ${row}term, '')`;
}

/**
 * `sql` (a statement that returns the election of each changed row as `name`) as one statement
 * that also announces those names, each with the new holder it was handed to when `handover`
 * (statements.ts leaseHandOverMany: `name#holder#ticket#term`, as announcedPerRow): sorted by
 * name, the topics are cut into chunks of about TOPICS_BYTES_PER_NOTIFY bytes (a running sum
 * of their lengths, divided), and each chunk is one NOTIFY of `cluster/topic topic ...`, sent
 * at commit like any other; a statement that changed nothing sends none (the scalar subquery
 * runs only when a row is returned). Its last two parameters are the channel and
 * {@link topicsPrefix} of the cluster; `columns` as above.
 */
export function announcedInChunks(sql: string, handover: boolean, columns: string): string {
  const topic = handover ? `name || ${handedTo('')}` : 'name';
  const chunked = `SELECT name, ${topic} AS topic, SUM(octet_length(${topic}) + 1) OVER (ORDER BY name) / ${TOPICS_BYTES_PER_NOTIFY} AS chunk FROM changed`;
  const announced = `SELECT pg_notify(?, CAST(? AS text) || string_agg(topic, '${TOPICS_SEPARATOR}' ORDER BY name)) FROM (${chunked}) c GROUP BY chunk`;
  return `WITH changed AS (${sql}), announced AS (${announced}) SELECT changed.*, (SELECT COUNT(*) FROM announced) AS announced${columns} FROM changed`;
}

/** What a payload of announcedInChunks starts with: the topics follow it. */
export function topicsPrefix(cluster: string): string {
  return `${cluster}${TOPIC_SEPARATOR}`;
}

/** A payload as announced: its cluster, and each topic it names with the handover it carries. */
export interface Announcement {
  readonly cluster: string;
  /** `[undefined]` for a payload that names no topic: a change anywhere in the cluster. */
  readonly topics: readonly (readonly [topic: string | undefined, handover?: Handover])[];
}

/** A topic as announced, split into the election and the handover it carries, if any. */
function handedOver(topic: string | undefined): [string | undefined, Handover?] {
  if (topic === undefined || !topic.includes(HANDOVER_SEPARATOR)) return [topic];
  const [election, holder, ticket, term] = topic.split(HANDOVER_SEPARATOR);
  if (holder === undefined || ticket === undefined || term === undefined) return [election];
  return [election, { holder, ticket, term: Number(term) }];
}

/** Reads a payload sent by any of the statements above (or by a process from before topics). */
export function parsedAnnouncement(payload: string): Announcement {
  const at = payload.indexOf(TOPIC_SEPARATOR);
  if (at < 0) return { cluster: payload, topics: [[undefined]] };
  return { cluster: payload.slice(0, at), topics: payload.slice(at + 1).split(TOPICS_SEPARATOR).map(handedOver) };
}
