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

/** The session timing, and who should lead the cluster when live. */
export interface ElectionConfig extends SessionTiming {
  /** Node id that should lead when live (preferred-leader.ts), or null. */
  readonly preferredLeader: string | null;
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
 * When the cluster leader turns maintenance mode on by itself (`placement.autoFreeze`): at
 * least `vanishedNodes` nodes, or at least `vanishedShare` of the nodes, vanished at once.
 * 0 turns a threshold off; both 0 (the default) never freeze automatically.
 */
export interface AutoFreeze {
  readonly vanishedNodes: number;
  readonly vanishedShare: number;
}

/** How the cluster leader places owned items (buckets and partitions alike). */
export interface PlacementConfig {
  readonly autoFreeze: AutoFreeze;
  /**
   * How many nodes the deployment runs: a leader term's first placement goes as soon as that
   * many are live instead of waiting for the membership to settle (settle-gate.ts); 0: off.
   */
  readonly expectedNodes: number;
}

/**
 * The node's own settings (schema: src/config/sections/core.ts), as every feature sees them.
 * Each feature's section is typed in that feature's folder; src/config/types.ts composes them
 * into BatonConfig.
 */
export interface NodeConfig {
  readonly cluster: string;
  readonly nodeId: string;
  readonly store: StoreConfig;
  readonly http: HttpConfig;
  readonly advertise: AdvertiseConfig;
  readonly election: ElectionConfig;
  readonly placement: PlacementConfig;
  /** `token` is read from `tokenFile` at load when that is given (never both). */
  readonly auth: { readonly token: string | null; readonly tokenFile: string | null };
  readonly log: { readonly level: string };
  /** `onStopMs`: how long `baton start` drains on SIGTERM before closing (0: no drain). */
  readonly drain: { readonly onStopMs: number };
}
