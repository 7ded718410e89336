/** What the demo and its node processes tell each other (JSON over the node's IPC channel). */

/** What a node process is started with (argv[2], JSON). */
export interface DemoNodeSettings {
  readonly nodeId: string;
  readonly port: number;
  readonly store: string;
  readonly cluster: string;
  readonly timing: { readonly ttlMs: number; readonly renewDeadlineMs: number; readonly retryPeriodMs: number; readonly pollIntervalMs: number };
  readonly bucketCount: number;
  /** How long a vanished node keeps its buckets and partitions, in ms. */
  readonly offlineGraceMs: number;
  readonly resource: string;
  readonly partitions: number;
  readonly replicas: number;
}

/** Messages from a node to the demo. Times are the node's wall clock, epoch ms (display only). */
export type DemoNodeMessage =
  | { readonly type: 'ready'; readonly nodeId: string; readonly url: string }
  | { readonly type: 'acquired'; readonly nodeId: string; readonly bucket: string; readonly token: number; readonly at: number }
  | { readonly type: 'released'; readonly nodeId: string; readonly bucket: string; readonly reason: string; readonly writes: number; readonly at: number }
  | { readonly type: 'work'; readonly nodeId: string; readonly writes: Readonly<Record<string, number>>; readonly refused: number };
