import type { Clock } from '../../clock.js';
import type { BackendKind } from '../../contract/contract.js';
import type { ChangeFeed } from './change-feed.js';
import type { SharedPolls } from './shared-polls.js';
import type { Permits } from '../../permits.js';
import type { SqlConnection } from './dialect.js';
import type { Statements } from './statements.js';
import type { ReleaseBatcher } from './release-batcher.js';
import type { TakeBatcher } from './take-batcher.js';

/** What the parts of one SQL backend (kv, sessions, leases, watches) share. */
export interface SqlContext {
  readonly kind: BackendKind;
  readonly cluster: string;
  readonly connection: SqlConnection;
  readonly sql: Statements;
  readonly clock: Clock;
  readonly feed: ChangeFeed;
  /** The watches' polls, one per thing watched (shared-polls.ts). */
  readonly polls: SharedPolls;
  /** Campaign attempts under way at once (sql-campaign.ts CAMPAIGN_ATTEMPTS_AT_ONCE). */
  readonly campaignPermits: Permits;
  /** Campaigns' takes, many elections to a statement; undefined where the dialect takes one per statement (MySQL). */
  readonly takes: TakeBatcher | undefined;
  /** Graceful releases, many elections to a statement; undefined where the dialect releases one per statement (MySQL). */
  readonly releases: ReleaseBatcher | undefined;
  /** Poll period of watches made through the backend (sessions use their own timing). */
  readonly pollIntervalMs: number;
  /** Aborts when the backend closes: every watch ends with it. */
  readonly closed: AbortSignal;
  /** Throws ClosedError when the backend is closed. */
  checkOpen(): void;
}
