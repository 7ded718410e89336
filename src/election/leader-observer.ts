import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Backend, LeaderRecord } from '../contract/contract.js';
import { pause } from '../async.js';
import { childLogger } from '../child-logger.js';

export interface LeaderObserverOptions {
  readonly backend: Backend;
  readonly election: string;
  readonly clock: Clock;
  /** Wait after a failed read before reading again (the session's retryPeriodMs, injected clock). */
  readonly retryPeriodMs: number;
  readonly logger?: Logger;
  /** Called when the observed leader changes by node id and term, including to null. */
  readonly onChange: (leader: LeaderRecord | null) => void;
}

/**
 * Keeps the last observed leader of one election: the backend's watch says "read again", and
 * reads run one at a time, so the last read always wins. A failed read (store unavailable, a
 * corrupt leader document) is logged and retried after `retryPeriodMs`; it never throws.
 */
export class LeaderObserver {
  readonly #options: LeaderObserverOptions;
  readonly #log: Logger | undefined;
  readonly #stop = new AbortController();
  #current: LeaderRecord | null = null;
  #changes = 0;
  #dirty = false;
  #reading = false;

  constructor(options: LeaderObserverOptions) {
    this.#options = options;
    this.#log = options.logger && childLogger(options.logger, { election: options.election });
  }

  /** The last observed leader (null before the first read and when nobody leads). */
  get current(): LeaderRecord | null {
    return this.#current;
  }

  /** How many times the observed leader changed. */
  get changes(): number {
    return this.#changes;
  }

  /** Watches the election and reads it once. */
  start(): void {
    const { backend, election } = this.#options;
    try {
      backend.watchLeader(election, () => this.refresh(), { signal: this.#stop.signal });
    } catch (error) {
      this.#log?.error({ err: error, reason: 'watch failed' }, 'cannot watch the leader of %s', election);
    }
    this.refresh();
  }

  /** Asks for a fresh read (coalesced with one already queued). */
  refresh(): void {
    if (this.#stop.signal.aborted) return;
    this.#dirty = true;
    if (!this.#reading) void this.#readLoop();
  }

  stop(): void {
    this.#stop.abort();
  }

  /** 1. read while a refresh is pending; 2. on failure, log, wait one retry period, read again. */
  async #readLoop(): Promise<void> {
    const { backend, election, clock, retryPeriodMs } = this.#options;
    const signal = this.#stop.signal;
    this.#reading = true;
    try {
      while (this.#dirty && !signal.aborted) {
        this.#dirty = false;
        try {
          this.#apply(await backend.leader(election, { signal }));
        } catch (error) {
          if (signal.aborted) return;
          this.#log?.warn({ err: error, reason: 'leader read failed' }, 'cannot read the leader of %s; retrying', election);
          this.#dirty = true;
          if (!(await pause(clock, retryPeriodMs, signal))) return;
        }
      }
    } finally {
      this.#reading = false;
    }
  }

  #apply(leader: LeaderRecord | null): void {
    const previous = this.#current;
    this.#current = leader;
    if (previous?.nodeId === leader?.nodeId && previous?.term === leader?.term) return;
    this.#changes++;
    this.#options.onChange(leader);
  }
}
