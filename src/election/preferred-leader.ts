/**
 * The preferred leader (config `election.preferredLeader`): a leader that is not the preferred
 * node asks for a leader transfer to it (leader-transfer-hold.ts does the move) once the
 * preferred node is live and healthy. The rule, so the leadership never flaps:
 * 1. only the leader acts, once per term, and only while no other transfer is pending;
 * 2. the preferred node counts as healthy once the leader has seen its session live for
 *    `ttlMs` (a node that crashes while starting, or whose session flaps, never pulls the
 *    leadership over);
 * 3. at most one move per session of the preferred node: when the action log holds a
 *    preferred-leader move to that session, it is not asked again (it led and lost the
 *    leadership, an operator moved it away, or it never took it) until the preferred node opens
 *    a new session (a restart).
 * Who leads is still decided by the election; this only writes a request.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Backend, Member } from '../contract/contract.js';
import type { SessionTiming } from '../contract/timing.js';
import type { Held } from '../holding/index.js';
import { readActions, recordAction } from '../operations/action-log.js';
import { LEADER_TRANSFER_VERB, PREFERRED_LEADER_REASON, writeLeaderTransfer } from '../operations/leader-transfer-request.js';
import { anySignal, pause } from '../async.js';
import type { LeaderTransferHold } from './leader-transfer-hold.js';

export interface PreferredLeaderOptions {
  readonly backend: Backend;
  readonly nodeId: string;
  /** The configured preferred leader (node id), or null for none. */
  readonly preferred: string | null;
  readonly clock: Clock;
  readonly timing: SessionTiming;
  readonly transfers: LeaderTransferHold;
  readonly logger?: Logger | undefined;
}

export class PreferredLeader {
  readonly #o: PreferredLeaderOptions;
  /** When this node, leading, first saw each session of the preferred node (monotonic ms). */
  readonly #firstSeen = new Map<string, number>();

  constructor(options: PreferredLeaderOptions) {
    this.#o = options;
  }

  /**
   * While this node leads `held` (until its signal aborts): 1. wait until the preferred node's
   * session has been live for ttlMs (member changes wake it); 2. unless rule 1 or 3 says no,
   * write the transfer request and log the action. Never throws.
   */
  async follow(held: Held): Promise<void> {
    const { preferred, nodeId, backend, clock, timing, logger } = this.#o;
    if (preferred === null || preferred === nodeId) return;
    const signal = held.signal;
    let changed = new AbortController();
    try {
      backend.watchMembers(() => changed.abort(), { signal });
      while (!signal.aborted) {
        const wake = changed.signal;
        const member = (await backend.members({ signal })).find((m) => m.nodeId === preferred);
        let waitMs = Infinity;
        if (member !== undefined) {
          const seenAt = this.#firstSeen.get(member.sessionId) ?? clock.now();
          this.#firstSeen.set(member.sessionId, seenAt);
          waitMs = seenAt + timing.ttlMs - clock.now();
          if (waitMs <= 0) {
            await this.#request(member, held);
            return;
          }
        }
        const wakeable = anySignal(signal, wake);
        await pause(clock, waitMs === Infinity ? timing.ttlMs : waitMs, wakeable).catch(() => undefined);
        wakeable.dispose();
        if (wake.aborted) changed = new AbortController();
      }
    } catch (error) {
      if (!signal.aborted) logger?.warn({ err: error, reason: 'preferred leader check failed' }, 'preferred-leader check failed; it runs again next term');
    } finally {
      changed.abort();
    }
  }

  async #request(member: Member, held: Held): Promise<void> {
    const { backend, nodeId, transfers, logger } = this.#o;
    if (transfers.pending() !== null) return;
    const actions = await readActions(backend.kv, { signal: held.signal });
    if (actions.some((a) => a.verb === LEADER_TRANSFER_VERB && a.detail.reason === PREFERRED_LEADER_REASON && a.detail.toSession === member.sessionId)) {
      logger?.info({ to: member.nodeId, sessionId: member.sessionId, reason: 'preferred leader asked once' }, 'not moving the leadership to %s again: it was asked once for this session', member.nodeId);
      return;
    }
    if (held.signal.aborted) return;
    await writeLeaderTransfer(backend.kv, { to: member.nodeId, toSession: member.sessionId, from: nodeId, fromTerm: held.token, by: nodeId, reason: PREFERRED_LEADER_REASON }, { signal: held.signal });
    await recordAction(backend.kv, { verb: LEADER_TRANSFER_VERB, by: nodeId, detail: { to: member.nodeId, toSession: member.sessionId, from: nodeId, fromTerm: held.token, reason: PREFERRED_LEADER_REASON } });
    logger?.info({ to: member.nodeId, term: held.token, reason: PREFERRED_LEADER_REASON }, 'moving the leadership to the preferred leader %s', member.nodeId);
  }
}
