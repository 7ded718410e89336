/**
 * Where the operator's verbs live in the cluster's KV store (issue 19), apart from every other
 * stored folder so listing those never meets an operations document:
 *
 *   operations/maintenance          the placement freeze: {reason, by, since, until, auto}
 *   operations/drain/{node}         a node asked to hand everything over before it stops
 *   operations/leader-transfer      a request to move the cluster leadership: {to, toSession, from,
 *                                   fromTerm, by, at, reason, standingBy, ended}
 *   operations/log                  the last ACTION_LOG_LIMIT operator actions, newest last
 *
 * Operators write these documents (CLI or HTTP) with a compare-and-set and no fence: they are
 * requests, and the nodes act on them through the same fenced writes and elections as always,
 * so a request can delay or direct a move but never make two holders.
 */
import { validateSegment } from '../contract/names.js';

export const OPERATIONS_PREFIX = 'operations/';
export const MAINTENANCE_KEY = `${OPERATIONS_PREFIX}maintenance`;
export const DRAIN_PREFIX = `${OPERATIONS_PREFIX}drain/`;
export const LEADER_TRANSFER_KEY = `${OPERATIONS_PREFIX}leader-transfer`;
export const ACTION_LOG_KEY = `${OPERATIONS_PREFIX}log`;

/** The drain request of one node. */
export function drainKey(nodeId: string): string {
  return `${DRAIN_PREFIX}${validateSegment('node id', nodeId)}`;
}
