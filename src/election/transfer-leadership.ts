/**
 * The operator's leader transfer (`baton leader transfer`, `POST /leader/transfer`): checks the
 * target, stores the request the nodes follow (leader-transfer-hold.ts), logs the action, and
 * waits until a new term starts.
 */
import type { Backend, LeaderRecord } from '../contract/contract.js';
import { NotFoundError, StateError, StoreUnavailableError } from '../errors.js';
import { recordAction } from '../operations/action-log.js';
import { drainingNow, readDrainRequests } from '../operations/drain-request.js';
import { LEADER_TRANSFER_VERB, OPERATOR_REASON, writeLeaderTransfer } from '../operations/leader-transfer-request.js';
import { anySignal } from '../async.js';
import type { Clock } from '../clock.js';
import { CLUSTER_LEADER_ELECTION } from './leader-elector-options.js';

export interface TransferLeadershipOptions {
  /** The node to lead next; omitted: any other live node. */
  readonly to?: string | undefined;
  /** Who asks (operatorName()). */
  readonly by: string;
  /** How long to wait for the new term, ms on `clock`. */
  readonly waitMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
}

export interface TransferOutcome {
  /** Whether a new term started (false: `to` led already, nothing was asked). */
  readonly moved: boolean;
  /** The leader and term the request moved off. */
  readonly from: { readonly nodeId: string; readonly term: number };
  readonly to: string | null;
  /** The leader after the move (or the unchanged one when `moved` is false). */
  readonly leader: { readonly nodeId: string; readonly term: number };
}

/**
 * 1. Read the leader, the live members and the drain requests: StateError when nobody leads,
 *    when `to` is draining (it would not campaign), or when no other node is live and not
 *    draining; NotFoundError (naming the live nodes) when `to` is not a live member; when `to`
 *    leads already, nothing is asked (`moved` false).
 * 2. Store the request (`operations/leader-transfer`) and log the action.
 * 3. Wait until a term above the leader's starts; StateError when none did within `waitMs`.
 */
export async function transferLeadership(backend: Backend, options: TransferLeadershipOptions): Promise<TransferOutcome> {
  const { to = null, by, signal } = options;
  const [leader, members, drains] = await Promise.all([backend.leader(CLUSTER_LEADER_ELECTION, { signal }), backend.members({ signal }), readDrainRequests(backend.kv, { signal })]);
  if (leader === null) throw new StateError(`nobody leads cluster "${backend.cluster}" now, so there is no leadership to transfer; wait for the election (baton leader --watch) and try again`);
  const from = { nodeId: leader.nodeId, term: leader.term };
  const live = members.map((m) => m.nodeId);
  const target = to === null ? undefined : members.find((m) => m.nodeId === to);
  if (to !== null && target === undefined) {
    throw new NotFoundError(to, `node "${to}" is not a live member of cluster "${backend.cluster}", so it cannot take the leadership; live nodes: ${live.join(', ') || 'none'}`);
  }
  if (to === leader.nodeId) return { moved: false, from, to, leader: from };
  const draining = drainingNow(live, drains);
  if (to !== null && draining.has(to)) throw new StateError(`node "${to}" is draining, so it would not take the leadership; cancel its drain (baton drain ${to} --cancel) or pick another node`);
  if (to === null && !live.some((nodeId) => nodeId !== leader.nodeId && !draining.has(nodeId))) {
    throw new StateError(`no node but the leader ${leader.nodeId} is live and not draining in cluster "${backend.cluster}", so none could take the leadership; start another node first`);
  }
  await writeLeaderTransfer(backend.kv, { to, toSession: target?.sessionId ?? null, from: leader.nodeId, fromTerm: leader.term, by, reason: OPERATOR_REASON }, { signal });
  await recordAction(backend.kv, { verb: LEADER_TRANSFER_VERB, by, detail: { to, from: leader.nodeId, fromTerm: leader.term, reason: OPERATOR_REASON } }, { signal });
  const next = await nextTerm(backend, leader, options);
  return { moved: true, from, to, leader: { nodeId: next.nodeId, term: next.term } };
}

/**
 * Resolves with the first leader seen at a term above `leader`'s (read now and after every
 * change the store's watch reports); StateError after `waitMs`.
 */
async function nextTerm(backend: Backend, leader: LeaderRecord, options: TransferLeadershipOptions): Promise<LeaderRecord> {
  const done = new AbortController();
  const stop = anySignal(options.signal, done.signal);
  let notify = () => {};
  try {
    const timeout = options.clock.sleep(options.waitMs, { signal: stop }).then(() => false, () => false);
    backend.watchLeader(CLUSTER_LEADER_ELECTION, () => notify(), { signal: stop });
    for (;;) {
      // Armed before the read, so a change during the read wakes the next wait at once.
      const changed = new Promise<boolean>((resolve) => (notify = () => resolve(true)));
      try {
        const current = await backend.leader(CLUSTER_LEADER_ELECTION, { signal: stop });
        if (current !== null && current.term > leader.term) return current;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error; // unreachable for now: the watch or the timeout ends the wait
      }
      const woke = await Promise.race([changed, timeout]);
      options.signal?.throwIfAborted();
      if (!woke) {
        throw new StateError(
          `the leadership did not move off ${leader.nodeId} (term ${leader.term}) within ${options.waitMs} ms; the request stays until a new term starts or the nodes let it expire (a few retry periods). Do the nodes run a baton that follows leader transfers?`,
        );
      }
    }
  } finally {
    done.abort();
  }
}
