import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Backend } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';
import type { SessionTiming } from '../contract/timing.js';
import type { CampaignHold } from './campaign-hold.js';
import type { SessionSource } from './session-source.js';

/** The election the node runtime uses for "the" cluster leader. */
export const CLUSTER_LEADER_ELECTION = 'cluster-leader';

/** What every elector takes, whichever way it gets its sessions. */
export interface ElectorCommonOptions {
  /** The store: the elector reads and watches the election's leader through it. */
  readonly backend: Backend;
  /** Election name; default {@link CLUSTER_LEADER_ELECTION}. */
  readonly election?: string;
  /** Clock for the elector's waits (the retry period); default the system's monotonic clock. */
  readonly clock?: Clock;
  /** One structured line per state change (nodeId, term, reason); listener failures. Optional. */
  readonly logger?: Logger;
  /** Holds the campaign back while it says so (a draining node); default never. See campaign-hold.ts. */
  readonly hold?: CampaignHold;
}

/** The elector opens its own sessions (one at a time, a new one after each loss). */
export interface OwnSessionsOptions extends ElectorCommonOptions {
  /** This node's id in the cluster (its sessions' member id). */
  readonly nodeId: string;
  /** Published once for both: as the member info of each session and as the leader's info. */
  readonly info: JsonObject;
  /** Session timing (ms fields); defaults DEFAULT_TIMING; validated when the elector is built. */
  readonly timing?: Partial<SessionTiming>;
  readonly sessions?: never;
}

/** The elector campaigns on sessions handed in by their owner (the node shares each with its features). */
export interface SuppliedSessionsOptions extends ElectorCommonOptions {
  readonly sessions: SessionSource;
  readonly nodeId?: never;
  readonly info?: never;
  readonly timing?: never;
}

export type LeaderElectorOptions = OwnSessionsOptions | SuppliedSessionsOptions;

/** `latent` until `start()`, `started` until `close()`, then `closed` for good. */
export type ElectorState = 'latent' | 'started' | 'closed';
