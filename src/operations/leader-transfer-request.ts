/**
 * The leader-transfer request (`operations/leader-transfer`): an operator (or the leader itself,
 * for the preferred leader) asks that the cluster leadership move off the term `fromTerm`, to
 * `to` or to any other live node. The nodes act on it through their elections (the leader steps
 * down, the other contenders hold off while the target takes it, src/election/); the document
 * itself decides nothing, so a stale or torn request can delay a move, never make two leaders.
 *
 * One request at a time: a new one replaces the last. It is over once a term above `fromTerm`
 * starts (the new leader marks it `ended`); it stays in the store after that, as the record of
 * the last transfer.
 */
import type { CallOptions, Fence, Kv, KvEntry } from '../contract/contract.js';
import { isJsonObject, type JsonObject } from '../contract/json.js';
import { VersionConflictError } from '../errors.js';
import { LEADER_TRANSFER_KEY } from './operations-layout.js';

/** The action-log verb of every transfer (operator or preferred leader). */
export const LEADER_TRANSFER_VERB = 'leader-transfer';
/** `reason` of a transfer an operator asked for. */
export const OPERATOR_REASON = 'operator';
/** `reason` of a transfer the leader asked for, to the configured preferred leader. */
export const PREFERRED_LEADER_REASON = 'preferred leader';

export interface LeaderTransferRequest {
  /** The node asked to lead next, or null: any live node but `from`. */
  readonly to: string | null;
  /** The session of `to` when the request was made (a restarted target is a new session), or null. */
  readonly toSession: string | null;
  /** The node that led term `fromTerm` when the request was made. */
  readonly from: string;
  /** The term the leadership moves off; a term above it ends the request. */
  readonly fromTerm: number;
  /** Who asked (operatorName(), or the leader's node id for a preferred-leader move). */
  readonly by: string;
  /** The writer's wall clock, ISO 8601 (for people only, never for timing). */
  readonly at: string;
  /** Why, in a few words: 'operator' or 'preferred leader'. */
  readonly reason: string;
  /** The other contenders that have withdrawn their campaigns for this request (node ids). */
  readonly standingBy: readonly string[];
  /** The term that ended the request and its leader, once one started; null while pending. */
  readonly ended: { readonly nodeId: string; readonly term: number } | null;
}

/** What a requester gives; the rest starts empty. */
export type NewLeaderTransfer = Omit<LeaderTransferRequest, 'standingBy' | 'ended' | 'at'> & { readonly at?: string };

/** The stored request and its version, or null when there is none (or it does not parse). */
export async function readLeaderTransfer(kv: Kv, options: CallOptions = {}): Promise<{ readonly request: LeaderTransferRequest; readonly version: number } | null> {
  const entry = await kv.get(LEADER_TRANSFER_KEY, options);
  return parseEntry(entry);
}

/** Stores `request`, replacing any earlier one; resolves with it as stored. */
export async function writeLeaderTransfer(kv: Kv, request: NewLeaderTransfer, options: CallOptions = {}): Promise<LeaderTransferRequest> {
  const stored: LeaderTransferRequest = { ...request, at: request.at ?? new Date().toISOString(), standingBy: [], ended: null };
  await kv.put(LEADER_TRANSFER_KEY, requestJson(stored), options);
  return stored;
}

/**
 * Adds `nodeId` to the request's standing-by list when the stored request is still the one
 * judged (same `from`, `fromTerm` and `at`) and pending; a compare-and-set, retried on a
 * conflict. Resolves false when there was nothing to add it to.
 */
export async function standBy(kv: Kv, judged: LeaderTransferRequest, nodeId: string, options: CallOptions = {}): Promise<boolean> {
  return update(kv, judged, options, (request) => (request.ended !== null || request.standingBy.includes(nodeId) ? null : { ...request, standingBy: [...request.standingBy, nodeId] }));
}

/**
 * Marks the stored request ended by `term` of `nodeId`, when it is pending and `term` is above
 * its `fromTerm`; fenced by the new leader's term, so only a leader that still holds it marks.
 */
export async function endLeaderTransfer(kv: Kv, ended: { readonly nodeId: string; readonly term: number }, fence: Fence, options: CallOptions = {}): Promise<boolean> {
  return update(kv, null, { ...options, fence }, (request) => (request.ended !== null || ended.term <= request.fromTerm ? null : { ...request, ended }));
}

/** Whether two readings name the same request (the standing-by list and the end may differ). */
export function sameRequest(a: LeaderTransferRequest, b: LeaderTransferRequest): boolean {
  return a.from === b.from && a.fromTerm === b.fromTerm && a.at === b.at && a.to === b.to && a.by === b.by;
}

/** A conflict means another node wrote in between (one write per node and request at most). */
const UPDATE_ATTEMPTS = 10;

async function update(
  kv: Kv,
  judged: LeaderTransferRequest | null,
  options: CallOptions & { readonly fence?: Fence },
  change: (request: LeaderTransferRequest) => LeaderTransferRequest | null,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const stored = await readLeaderTransfer(kv, options);
    if (stored === null || (judged !== null && !sameRequest(stored.request, judged))) return false;
    const next = change(stored.request);
    if (next === null) return false;
    try {
      await kv.put(LEADER_TRANSFER_KEY, requestJson(next), { ...options, expectVersion: stored.version });
      return true;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= UPDATE_ATTEMPTS) throw error;
    }
  }
}

function parseEntry(entry: KvEntry | null): { readonly request: LeaderTransferRequest; readonly version: number } | null {
  if (entry === null || !isJsonObject(entry.value)) return null;
  const { to, toSession, from, fromTerm, by, at, reason, standingBy, ended } = entry.value;
  if ((to !== null && typeof to !== 'string') || typeof from !== 'string' || typeof fromTerm !== 'number' || typeof by !== 'string' || typeof at !== 'string') return null;
  const request: LeaderTransferRequest = {
    to,
    toSession: typeof toSession === 'string' ? toSession : null,
    from,
    fromTerm,
    by,
    at,
    reason: typeof reason === 'string' ? reason : OPERATOR_REASON,
    standingBy: Array.isArray(standingBy) ? standingBy.filter((id): id is string => typeof id === 'string') : [],
    ended: isJsonObject(ended) && typeof ended.nodeId === 'string' && typeof ended.term === 'number' ? { nodeId: ended.nodeId, term: ended.term } : null,
  };
  return { request, version: entry.version };
}

function requestJson(request: LeaderTransferRequest): JsonObject {
  return {
    to: request.to,
    toSession: request.toSession,
    from: request.from,
    fromTerm: request.fromTerm,
    by: request.by,
    at: request.at,
    reason: request.reason,
    standingBy: [...request.standingBy],
    ended: request.ended === null ? null : { nodeId: request.ended.nodeId, term: request.ended.term },
  };
}
