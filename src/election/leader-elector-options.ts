import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Backend, LeaderRecord, Leadership, Session } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';

/** The election the node runtime uses for "the" cluster leader. */
export const CLUSTER_LEADER_ELECTION = 'cluster-leader';

export interface LeaderElectorOptions {
  readonly backend: Backend;
  /** The session the elector campaigns through; its timing drives the elector's waits. */
  readonly session: Session;
  /** Election name; default {@link CLUSTER_LEADER_ELECTION}. */
  readonly election?: string;
  /** Published as the leader's info (address, ports, ...). */
  readonly info: JsonObject;
  /** Clock for the elector's waits (the retry period); default the system's monotonic clock. */
  readonly clock?: Clock;
  /** One structured line per state change (nodeId, term, reason). Optional. */
  readonly logger?: Logger;
  /**
   * Called when this node starts leading a term. `leadership.signal` aborts when the term
   * ends; stop everything done for the term then. Called once per term won, and only with a
   * term that `leadership.held()` confirms right before the call: a term that ended before
   * the campaign's answer was read (a pause longer than `renewDeadlineMs` between the take and
   * its answer) is never announced, so it gets no `onStoppedLeading` either; the elector
   * campaigns again after `retryPeriodMs`.
   */
  readonly onStartedLeading?: (leadership: Leadership) => void;
  /**
   * Called when this node stops leading, and when the elector stops. Precisely, within one
   * `start()`:
   * - once when each term announced by `onStartedLeading` ends (resigned, demoted, lost, closed),
   *   before the elector campaigns again (a term won but never announced gets no call);
   * - once when the elector stops (`close()` or the session lost) while it is NOT leading.
   *
   * So a `start()` that never led gets exactly one call (at stop), like client-go's contract;
   * one that led k terms gets k calls if it stopped while leading, k + 1 otherwise. Never
   * called before `start()`, never twice for one term, never after the elector stopped.
   */
  readonly onStoppedLeading?: () => void;
  /** Called when the observed leader changes (by nodeId and term), including to null. */
  readonly onNewLeader?: (leader: LeaderRecord | null) => void;
}

/** `latent` until `start()`, `started` until `close()`, then `closed` for good. */
export type ElectorState = 'latent' | 'started' | 'closed';
