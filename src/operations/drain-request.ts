/**
 * The drain request of one node (issue 19), stored at `operations/drain/{node}`: the node is to
 * hand its cluster leadership and its items to other live nodes and take nothing new, so it can
 * stop without leaving anything without a holder. The cluster leader's placement treats it as
 * a graceful leaver (its items move at once); the node itself stops campaigning for the cluster
 * leadership. Deleting the document ends the drain; a node deletes its own stale one when it
 * starts (it would otherwise never take work).
 *
 * The document's presence is the request; its fields are for people: who asked, when (the
 * writer's wall clock, ISO 8601, never compared), and why. A document whose fields do not parse
 * is still a request.
 */
import type { CallOptions, Kv } from '../contract/contract.js';
import { isJsonObject, type Json, type JsonObject } from '../contract/json.js';
import { DRAIN_PREFIX, drainKey } from './operations-layout.js';

export interface DrainRequest {
  /** Who asked (operatorName(), or the node itself on SIGTERM). */
  readonly by: string;
  /** When, the writer's wall clock, ISO 8601; null when the stored value says nothing parsable. */
  readonly since: string | null;
  /** Why, free text ('' when not given). */
  readonly reason: string;
}

/** Stores the request of `nodeId` (overwriting an earlier one) and returns it as stored. */
export async function writeDrainRequest(kv: Kv, nodeId: string, request: { readonly by: string; readonly reason?: string }, options: CallOptions = {}): Promise<DrainRequest> {
  const stored: DrainRequest = { by: request.by, since: new Date().toISOString(), reason: request.reason ?? '' };
  await kv.put(drainKey(nodeId), { by: stored.by, since: stored.since, reason: stored.reason }, options);
  return stored;
}

/** Deletes the request of `nodeId`; the request that was there, or null when there was none. */
export async function clearDrainRequest(kv: Kv, nodeId: string, options: CallOptions = {}): Promise<DrainRequest | null> {
  const entry = await kv.get(drainKey(nodeId), options);
  if (entry === null) return null;
  // Unconditional: whatever was written in between, the caller means "no drain".
  await kv.delete(drainKey(nodeId), options);
  return parseDrainRequest(entry.value);
}

/** The stored request of `nodeId`, or null. */
export async function readDrainRequest(kv: Kv, nodeId: string, options: CallOptions = {}): Promise<DrainRequest | null> {
  const entry = await kv.get(drainKey(nodeId), options);
  return entry === null ? null : parseDrainRequest(entry.value);
}

/** Every stored request, by node id. */
export async function readDrainRequests(kv: Kv, options: CallOptions = {}): Promise<Map<string, DrainRequest>> {
  const entries = await kv.list(DRAIN_PREFIX, options);
  return new Map(entries.map((entry) => [entry.key.slice(DRAIN_PREFIX.length), parseDrainRequest(entry.value)]));
}

/** The request as JSON (HTTP replies, `baton drain --json`). */
export function drainRequestJson(request: DrainRequest): JsonObject {
  return { by: request.by, since: request.since, reason: request.reason };
}

function parseDrainRequest(value: Json): DrainRequest {
  const doc = isJsonObject(value) ? value : {};
  return {
    by: typeof doc.by === 'string' ? doc.by : 'unknown',
    since: typeof doc.since === 'string' ? doc.since : null,
    reason: typeof doc.reason === 'string' ? doc.reason : '',
  };
}


/**
 * The live nodes whose drain goes ahead now: those asked to drain, as long as some live node
 * was not. With every live node asked, none could take over, so they all keep what they hold
 * and may lead (a drain moves things only where they can go). The leader's placement and each
 * node's campaign hold both decide by this one rule.
 */
export function drainingNow(live: Iterable<string>, requested: { has(nodeId: string): boolean }): Set<string> {
  const nodes = [...live];
  const draining = nodes.filter((nodeId) => requested.has(nodeId));
  return draining.length < nodes.length ? new Set(draining) : new Set();
}
