import type { SessionTiming } from '../contract/timing.js';

/** Where the node keeps cluster state. */
export interface StoreConfig {
  /** `sqlite:PATH`, `postgres://...`, `mysql://...`, `zookeeper://...`, `etcd://...` or `none`. */
  readonly url: string;
  readonly tablePrefix: string;
  readonly migrate: boolean;
  /** Start-up connection attempts before giving up (transient errors only). */
  readonly connectAttempts: number;
  /** Wait before the second attempt (wall time, ms); doubles, capped at 10x. */
  readonly connectBackoffMs: number;
}

export interface HttpConfig {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
}

/** What the node publishes as its member info. */
export interface AdvertiseConfig {
  readonly host: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly zone: string | null;
  readonly weight: number;
  readonly tags: readonly string[];
}

/**
 * A validated, frozen node configuration (see README "Configuration"). Feature sections are
 * added as optional fields by their features.
 */
export interface BatonConfig {
  readonly cluster: string;
  readonly nodeId: string;
  readonly store: StoreConfig;
  readonly http: HttpConfig;
  readonly advertise: AdvertiseConfig;
  readonly election: SessionTiming;
  /** `token` is read from `tokenFile` at load when that is given (never both). */
  readonly auth: { readonly token: string | null; readonly tokenFile: string | null };
  readonly log: { readonly level: string };
  /** Partitioned resources by name (section `partitions`, see src/partitions/). */
  readonly partitions?: Readonly<Record<string, PartitionsEntryConfig>>;
}

/** One `partitions.<name>` entry. */
export interface PartitionsEntryConfig {
  readonly partitions: number;
  readonly replicas: number;
  readonly rebalanceDelayMs: number;
  readonly placementIntervalMs: number;
  readonly enabledByDefault: boolean;
  /** `node-id` or `pinot-participant` (see src/partitions/pinot-participant.ts). */
  readonly leadControllerIdFormat: 'node-id' | 'pinot-participant';
}

/** Where a setting came from, for messages. */
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';
