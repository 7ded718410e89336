/**
 * The demo's fault timer: ticks at a fixed rate (start + k * every, on the monotonic clock), so
 * a tick that found nothing to do does not push the next one back; and the leader killer, which
 * kills the leader at each tick, or, when a tick finds no leader yet (the last one killed still
 * holds its lease until its TTL runs out), the next leader as soon as it is elected.
 */
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';

/** Calls `onTick(k)` at start + k * everyMs for k = 1, 2, ... until `signal` aborts. */
export async function tickEvery(clock: Clock, everyMs: number, signal: AbortSignal, onTick: (tick: number) => void): Promise<void> {
  const start = clock.now();
  for (let tick = 1; !signal.aborted; tick += 1) {
    const wait = start + tick * everyMs - clock.now();
    if (wait > 0 && !(await pause(clock, wait, signal))) return;
    if (!signal.aborted) onTick(tick);
  }
}

export interface LeaderSeen {
  readonly nodeId: string;
  readonly term: number;
}

/**
 * Decides when to kill the leader. `kill` returns false when that leader cannot be killed
 * (its process is not one of the demo's running nodes).
 */
export class LeaderKiller {
  readonly #kill: (leader: LeaderSeen) => boolean;
  #leader: LeaderSeen | null = null;
  #killedTerm: number | null = null;
  #pending = false;

  constructor(kill: (leader: LeaderSeen) => boolean) {
    this.#kill = kill;
  }

  /** A tick: kills the leader now, or the next one once elected. Returns whether it killed. */
  tick(): boolean {
    if (this.#tryKill()) return true;
    this.#pending = true;
    return false;
  }

  /** Whether a tick is waiting for a leader to kill. */
  get pending(): boolean {
    return this.#pending;
  }

  /** The leader as the demo sees it now; kills it at once when a tick is waiting. */
  leaderChanged(leader: LeaderSeen | null): void {
    this.#leader = leader;
    if (this.#pending) this.#tryKill();
  }

  #tryKill(): boolean {
    const leader = this.#leader;
    // The term killed last keeps its lease in the store until the TTL; it is not a new leader.
    if (leader === null || leader.term === this.#killedTerm || !this.#kill(leader)) return false;
    this.#killedTerm = leader.term;
    this.#pending = false;
    return true;
  }
}
