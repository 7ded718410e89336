/**
 * A fault: something done to a running cluster and undone, recorded in the controller history
 * (`fault` when it begins, `heal` when it is over). Each fault is a file of this folder and one
 * line in index.ts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Cluster } from '../cluster/cluster.js';
import type { NodeProcess } from '../cluster/node-process.js';
import { recordController } from '../history.js';
import type { ChaosStore } from '../stores/chaos-store.js';

export interface FaultContext {
  readonly cluster: Cluster;
  readonly store: ChaosStore;
  readonly dir: string;
  /** Seeded, so a run can be repeated. */
  readonly random: () => number;
  /** Aborts when the run is interrupted. */
  readonly signal: AbortSignal;
}

export interface Fault {
  readonly name: string;
  /** One line for --help and the report. */
  readonly description: string;
  appliesTo(store: ChaosStore): boolean;
  /** Runs only on a store server of the suite's own (one it may restart), never a shared one. */
  readonly needsPrivateServer?: boolean;
  /**
   * The clock's rate is broken on purpose beyond the assumed bound: overlaps are reported in the
   * table but do not fail the run.
   */
  readonly breaksBound?: (store: ChaosStore) => boolean;
  /** Injects the fault, holds it, undoes it; records `fault` and `heal`. */
  run(context: FaultContext): Promise<void>;
}

export function beginFault(context: FaultContext, detail: string, fromHeal = false, graceful = false): void {
  recordController(context.dir, { ev: 'fault', detail, fromHeal, ...(graceful ? { graceful } : {}) });
}

export function endFault(context: FaultContext, detail: string, fromHeal = false): void {
  recordController(context.dir, { ev: 'heal', detail, fromHeal });
}

export function sleep(context: FaultContext, ms: number): Promise<void> {
  return delay(ms, undefined, { signal: context.signal });
}

/** A running, unfrozen node picked with the run's random source. */
export function pickNode(context: FaultContext): NodeProcess {
  const live = context.cluster.live().filter((n) => !n.frozen);
  if (live.length === 0) throw new Error('no live node to inject a fault into');
  return live[Math.floor(context.random() * live.length)]!;
}
