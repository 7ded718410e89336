/**
 * Watches the database clock for steps (NTP step, VM resume, failover to a server with another
 * clock) and for running fast, from the renewals a session makes anyway: each renewal reads the
 * database's `now`, and this compares database time elapsed with local monotonic time elapsed
 * (docs/safety.md rules 1 and 2).
 *
 * Why it matters: lease expiry is judged on the database clock, the holder's deadline on its
 * own monotonic clock, and the margin ttlMs - renewDeadlineMs between the two is all that keeps
 * the holder's deadline first. If the database clock gains G ms on the local one, every lease
 * written before that expires G ms early in real time, and the margin left is (margin - G).
 *
 * What it can see: only what a renewal that got through observed. A step larger than the time
 * a lease has left, taken while no renewal gets through, expires the lease before any renewal
 * can tell; the next renewal then finds the lease gone and the holder stops (one retry period
 * later at most when the store answers). What it catches: a clock that gains steadily (running
 * fast, catching up after a VM resume) or in several steps, before the gain eats the margin.
 */
import type { SessionTiming } from '../../contract/timing.js';

/** The warning type of clock-step reports, for `process.on('warning')` listeners. */
export const DB_CLOCK_WARNING = 'BatonDbClockWarning';

/** One reading of the database clock, bracketed by when it was asked and answered locally. */
export interface DbClockReading {
  /** The database's `now`, epoch ms on its clock. */
  readonly dbMs: number;
  /** Local monotonic ms when the statement was sent and when its answer was read. */
  readonly sentAt: number;
  readonly answeredAt: number;
}

export type DbClockVerdict =
  | { readonly kind: 'steady' }
  /** The database clock gained at least `gainedMs` on the local one within one ttl. */
  | { readonly kind: 'forward'; readonly gainedMs: number }
  /** The database clock lost at least `lostMs` against the local one since the last reading. */
  | { readonly kind: 'backward'; readonly lostMs: number };

/**
 * How much the database clock may gain on the local monotonic clock within one ttlMs before
 * the session stops acting: half the margin ttlMs - renewDeadlineMs (2500 ms with the defaults).
 * The margin was sized for clock-rate differences, the latency of the last renewal and the
 * time stop callbacks need; a gain of half of it leaves half of that, and a clock that jumped
 * that far is not trusted to stop there. Honest clocks differ by parts per million (well under
 * 1 ms per ttl), and each reading is bracketed by its round trip, so latency and pauses never
 * count as a gain.
 */
export function clockGainToleranceMs(timing: SessionTiming): number {
  return (timing.ttlMs - timing.renewDeadlineMs) / 2;
}

/**
 * Compares each reading with the oldest one kept from the last ttlMs of local time (a gain
 * spread over several renewals adds up there) for a forward gain, and with the previous one
 * for a backward step (a backward step only makes leases last longer: reported, and counted
 * from anew).
 */
export class DbClockCheck {
  readonly #toleranceMs: number;
  readonly #windowMs: number;
  #readings: DbClockReading[] = [];

  constructor(timing: SessionTiming) {
    this.#toleranceMs = clockGainToleranceMs(timing);
    this.#windowMs = timing.ttlMs;
  }

  get toleranceMs(): number {
    return this.#toleranceMs;
  }

  observe(reading: DbClockReading): DbClockVerdict {
    const previous = this.#readings.at(-1);
    this.#readings = this.#readings.filter((r) => reading.sentAt - r.answeredAt <= this.#windowMs);
    const oldest = this.#readings[0];
    this.#readings.push(reading);
    if (previous !== undefined) {
      // Least local time that can have passed between the two evaluations of `now`.
      const lostMs = reading.sentAt - previous.answeredAt - (reading.dbMs - previous.dbMs);
      if (lostMs > this.#toleranceMs) {
        this.#readings = [reading];
        return { kind: 'backward', lostMs };
      }
    }
    if (oldest !== undefined) {
      // Most local time that can have passed between the two evaluations of `now`.
      const gainedMs = reading.dbMs - oldest.dbMs - (reading.answeredAt - oldest.sentAt);
      if (gainedMs > this.#toleranceMs) return { kind: 'forward', gainedMs };
    }
    return { kind: 'steady' };
  }
}
