/**
 * Why a node could not open its session, said for a person: which case it is and how long the
 * node will wait. A node id held by a session that advertises this node's own host and HTTP
 * port (which this process now holds, so no live process there can) or that stopped renewing
 * is this node's previous process, which crashed: its session expires on its own (docs/safety.md
 * rule 5) and the node joins then. A holder unrenewed for longer than renewDeadlineMs (the cluster
 * shares one timing) has passed its own local deadline and stopped acting (docs/safety.md rule 3), so
 * it is no live node; a busy but live one renews well within it. One that still renews belongs to another live node, which only
 * stopping it (or another nodeId) cures.
 */
import type { BatonConfig } from '../config/types.js';
import { isBatonError, NodeIdInUseError } from '../errors.js';

/** The fields and message of the warning a node logs before retrying its session. */
export interface SessionRetryNotice {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function where(info: Readonly<Record<string, unknown>> | undefined): string {
  if (info === undefined) return '';
  const ports = typeof info['ports'] === 'object' && info['ports'] !== null ? Object.entries(info['ports']).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '';
  return ` (host ${String(info['host'] ?? '?')}${ports === '' ? '' : `, ports ${ports}`})`;
}

/** Whether the holder advertises the host and HTTP port this process has bound (a port is held once per host). */
function sameAddress(holder: Readonly<Record<string, unknown>> | undefined, own: Readonly<Record<string, unknown>>): boolean {
  const port = (info: Readonly<Record<string, unknown>>) => (info['ports'] as Record<string, unknown> | undefined)?.['http'];
  return holder !== undefined && holder['host'] === own['host'] && port(holder) !== undefined && port(holder) === port(own);
}

/** `own` is this node's member info (its host and the HTTP port it has bound). */
export function sessionRetryNotice(error: unknown, config: BatonConfig, own: Readonly<Record<string, unknown>>, retryInMs: number): SessionRetryNotice {
  const retry = `retrying in ${seconds(retryInMs)}`;
  if (!(error instanceof NodeIdInUseError)) {
    const reason = isBatonError(error) ? error.code : 'error';
    return { fields: { reason, error: error instanceof Error ? error.message : String(error), retryInMs }, message: `cannot open a session (${error instanceof Error ? error.message : String(error)}); ${retry}` };
  }
  const { nodeId, holder } = error;
  const base = { reason: 'NODE_ID_IN_USE', retryInMs, holder: holder.info ?? null };
  const mine = sameAddress(holder.info, own);
  if (mine || (holder.renewedMsAgo !== undefined && holder.renewedMsAgo > config.election.renewDeadlineMs)) {
    const expires = holder.expiresInMs === undefined ? `at most ${seconds(config.election.ttlMs)} after that process stopped` : `in ${seconds(holder.expiresInMs)}`;
    const who = mine
      ? `advertises this node's own host and HTTP port${where(holder.info)}: this node's previous process, which stopped without closing (a crash or kill -9)`
      : `stopped renewing ${seconds(holder.renewedMsAgo ?? 0)} ago${where(holder.info)}, past its renew deadline, so it no longer acts: most likely this node's previous process, which stopped without closing (a crash or kill -9)`;
    return {
      fields: { ...base, case: 'previous session expiring', ...(holder.renewedMsAgo === undefined ? {} : { renewedMsAgo: holder.renewedMsAgo }), ...(holder.expiresInMs === undefined ? {} : { expiresInMs: holder.expiresInMs }) },
      message: `node id "${nodeId}" is still held by a session that ${who}. That session expires ${expires}; this node joins then (${retry})`,
    };
  }
  if (holder.renewedMsAgo !== undefined) {
    return {
      fields: { ...base, case: 'another live node', renewedMsAgo: holder.renewedMsAgo },
      message: `node id "${nodeId}" is used by another live node${where(holder.info)} that renewed ${seconds(holder.renewedMsAgo)} ago. This node keeps retrying for as long as that one runs: stop it, or give this node another nodeId (${retry})`,
    };
  }
  return {
    fields: { ...base, case: 'another session' },
    message: `node id "${nodeId}" is held by another session${where(holder.info)}: another live node with this id, or this node's previous process, whose session expires at most ${seconds(config.election.ttlMs)} after it stopped. Past that, stop the other node or give this node another nodeId (${retry})`,
  };
}
