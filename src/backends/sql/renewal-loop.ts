import type { Clock } from '../../clock.js';
import type { SessionTiming } from '../../contract/timing.js';
import type { BatonError } from '../../errors.js';
import { SessionLostError } from '../../errors.js';
import { LocalDeadline } from './local-deadline.js';
import { pause, raceSignal } from '../../async.js';

export interface RenewalLoopOptions {
  readonly clock: Clock;
  readonly timing: SessionTiming;
  /** What is renewed, for messages ("session of node a"). */
  readonly what: string;
  /**
   * One renewal: true when renewed, false when the store says it is gone. Throws when unsure.
   * It may hold its statements up to `sendWaitMs` before sending them (next-batch.ts), and
   * then calls `sent()`: the attempt's latency counts from there.
   */
  renew(sent: () => void): Promise<boolean>;
  /** How long renew() may wait before it sends: the pause is that much shorter (default 0). */
  readonly sendWaitMs?: number;
  /** The error that says the store no longer has it (SessionLostError for a session). */
  gone(): BatonError;
  /**
   * Called when the renewal is lost for good (once), with the reason and how: `gone` when the
   * store said so, `renew-deadline` when no renewal succeeded in time.
   */
  onLost(reason: BatonError, how: 'gone' | 'renew-deadline'): void;
  /** Called after every attempt (metrics), with its latency from when it was sent, and with the resulting health. */
  onAttempt?(latencyMs: number, ok: boolean): void;
}

/**
 * Renews something held in the store every `retryPeriodMs` and declares it lost, on the local
 * monotonic clock, at (start of the last successful renewal + renewDeadlineMs):
 *  1. sleep retryPeriodMs, less the time renew() may wait before it sends (sendWaitMs), so a
 *     renewal is sent at most retryPeriodMs after the last attempt ended;
 *  2. note the start time and renew;
 *  3. renewed: the deadline moves to start + renewDeadlineMs (the START, because the store
 *     measured its ttl from some moment after it);
 *  4. the store says it is gone: lost at once;
 *  5. the attempt failed (store unreachable): try again next period; the deadline stays put
 *     and fires on its own if no renewal succeeds in time.
 */
export class RenewalLoop {
  readonly #options: RenewalLoopOptions;
  readonly #stop = new AbortController();
  #deadline: LocalDeadline | undefined;

  constructor(options: RenewalLoopOptions) {
    this.#options = options;
  }

  /** Starts renewing; `lastRenewalStart` is when the acquisition that created it began. */
  start(lastRenewalStart: number): void {
    const { clock, timing, what } = this.#options;
    this.#deadline = new LocalDeadline(clock, lastRenewalStart + timing.renewDeadlineMs, () =>
      this.#lose(new SessionLostError(`${what}: no renewal succeeded within renewDeadlineMs (${timing.renewDeadlineMs} ms); it may have expired in the store`), 'renew-deadline'),
    );
    this.#deadline.start();
    void this.#run();
  }

  /** Stops renewing without declaring anything lost. */
  stop(): void {
    this.#stop.abort();
    this.#deadline?.cancel();
  }

  /**
   * Declares it lost right now, synchronously, if the local deadline has passed (even if the
   * deadline's timer has not run yet, as after a pause). Call it before every answer about
   * holding; cheap (one clock read).
   */
  check(): void {
    this.#deadline?.check();
  }

  /**
   * The local deadline on the monotonic clock (-Infinity before start). While not lost it only
   * ever moves later, so a moment found before it stays before it.
   */
  get deadlineAt(): number {
    return this.#deadline?.at ?? -Infinity;
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  #lose(reason: BatonError, how: 'gone' | 'renew-deadline'): void {
    if (this.stopped) return;
    this.stop();
    this.#options.onLost(reason, how);
  }

  async #run(): Promise<void> {
    const { clock, timing, what } = this.#options;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      if (!(await pause(clock, timing.retryPeriodMs - (this.#options.sendWaitMs ?? 0), signal))) return; // stopped
      const started = clock.now();
      let sentAt = started;
      let renewed: boolean;
      try {
        renewed = await raceSignal(this.#options.renew(() => (sentAt = clock.now())), signal, `renewing ${what}`);
      } catch {
        if (signal.aborted) return;
        // Unreachable or refused transiently: the deadline decides; try again next period.
        this.#options.onAttempt?.(clock.now() - sentAt, false);
        continue;
      }
      if (signal.aborted) return;
      this.#options.onAttempt?.(clock.now() - sentAt, renewed);
      if (!renewed) {
        this.#lose(this.#options.gone(), 'gone');
        return;
      }
      this.#deadline?.extend(started + timing.renewDeadlineMs);
    }
  }
}
