/**
 * The elector's listeners: `acquired` / `released` for this node's own terms (the shared holding
 * vocabulary of src/holding, as buckets and partitions use it) and `leader` for whoever leads.
 * Unknown event names are refused, so a misspelt name fails at once instead of never firing.
 */
import { pino, type Logger } from 'pino';
import type { LeaderRecord } from '../contract/contract.js';
import { InvalidArgumentError } from '../errors.js';
import { HOLDER_EVENTS, HolderListeners, type AcquiredListener, type Held, type ReleasedListener, type ReleaseReason } from '../holding/index.js';

export type ElectorEvent = 'acquired' | 'released' | 'leader';
export const ELECTOR_EVENTS: readonly ElectorEvent[] = [...HOLDER_EVENTS, 'leader'];

/** Called when the observed leader changes (by node id and term), including to null. */
export type LeaderListener = (leader: LeaderRecord | null) => void;

/** Without a logger, a failing listener is still reported: as a process warning. */
const warningLogger: Logger = pino({ level: 'error', base: null }, { write: (line: string) => process.emitWarning(line.trim(), 'BatonListenerError') });

export class ElectorListeners {
  readonly #log: Logger;
  readonly #holder: HolderListeners<[]>;
  readonly #leader = new Set<LeaderListener>();

  constructor(log: Logger | undefined) {
    this.#log = log ?? warningLogger;
    this.#holder = new HolderListeners<[]>(this.#log);
  }

  on(event: 'acquired', listener: AcquiredListener): () => void;
  on(event: 'released', listener: ReleasedListener): () => void;
  on(event: 'leader', listener: LeaderListener): () => void;
  on(event: ElectorEvent, listener: AcquiredListener | ReleasedListener | LeaderListener): () => void;
  on(event: ElectorEvent, listener: AcquiredListener | ReleasedListener | LeaderListener): () => void {
    if (!(ELECTOR_EVENTS as readonly string[]).includes(event)) {
      throw new InvalidArgumentError(`unknown event "${String(event)}"; events: ${ELECTOR_EVENTS.join(', ')}`);
    }
    if (event === 'acquired') return this.#holder.on(event, listener as AcquiredListener);
    if (event === 'released') return this.#holder.on(event, listener as ReleasedListener);
    if (typeof listener !== 'function') throw new InvalidArgumentError('the "leader" listener must be a function');
    const leaderListener = listener as LeaderListener;
    this.#leader.add(leaderListener);
    return () => void this.#leader.delete(leaderListener);
  }

  acquired(held: Held): void {
    this.#holder.acquired(held);
  }

  released(reason: ReleaseReason): Promise<void> {
    return this.#holder.released(reason);
  }

  leader(leader: LeaderRecord | null): void {
    for (const listener of [...this.#leader]) {
      try {
        listener(leader);
      } catch (error) {
        this.#log.error({ event: 'leader', err: error }, 'leader listener failed');
      }
    }
  }
}
