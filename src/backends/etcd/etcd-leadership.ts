import type { CallOptions, Fence, Leadership } from '../../contract/contract.js';
import type { Clock } from '../../clock.js';
import { pause, raceSignal } from '../../async.js';
import { leadershipEnded, type LeadershipEndReason } from '../../errors.js';
import type { EtcdClient } from './etcd-client.js';
import { bytes } from './etcd-layout.js';
import { METHODS } from './etcd-proto.js';
import type { KeyDeletions } from './key-deletions.js';
import { judgedController } from '../../judged-signal.js';

/** What a term needs from its session (EtcdSession supplies it through the campaign). */
export interface TermHost {
  readonly client: EtcdClient;
  /** Where the deletion of the candidate key is heard (one watch per backend). */
  readonly deletions: KeyDeletions;
  readonly clock: Clock;
  /** The session's `lost` signal: bounds every background deletion (the key goes with the lease). */
  readonly lost: AbortSignal;
  /** The lease id (decimal) the candidate key is attached to. */
  readonly leaseId: string;
  /** Pause between two tries of a deletion that failed, ms on `clock`. */
  readonly retryMs: number;
  /** The session's local deadline checked now: past it, the session ends its terms and this says false. */
  readonly alive: () => boolean;
  /** Monotonic time before which a candidate of a term ended by a lost connection must stay: lastAck + ttlMs. */
  readonly releaseAt: () => number;
  /** Hands a background deletion to the election's clean-up chain (the next campaign waits for it). */
  readonly cleanup: (work: Promise<void>) => void;
  readonly onEnd: (leadership: EtcdLeadership) => void;
}

/**
 * One held term: the session's candidate key has the lowest create revision of its election.
 * The term is that create revision (etcd's revision only grows, cluster-wide). The term ends
 * (signal aborts with LeadershipEndedError) when the key is deleted by anyone (watched), when
 * the session is lost or closed, when the keep-alive stream breaks, or on resign.
 *
 * Release (docs/safety.md rule 5): only a graceful handoff (resign while held, session close) deletes
 * the candidate at once. After a lost connection the session may live on, so the candidate is
 * deleted no earlier than `releaseAt` (when the lease could have expired had etcd stopped
 * hearing us): that margin, at least `ttlMs - renewDeadlineMs`, lets the old holder's stop
 * callbacks finish before a successor can start. After a lost session nothing is deleted: the
 * lease expires on its own and takes the key.
 */
export class EtcdLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /** The candidate key, checked by fenced writes. */
  readonly key: string;
  readonly #host: TermHost;
  /** Judges the session whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #ended = judgedController(() => {
    if (!this.#ended.signal.aborted) this.#host.alive();
  });
  #releasing: Promise<void> | undefined;

  constructor(params: { election: string; term: number; sessionId: string; key: string; host: TermHost }) {
    this.election = params.election;
    this.term = params.term;
    this.fence = Object.freeze({ election: params.election, term: params.term, sessionId: params.sessionId });
    this.key = params.key;
    this.#host = params.host;
  }

  /** Watches the candidate key from `revision` on: its deletion ends the term ('taken-over'). */
  follow(revision: number): void {
    this.#host.deletions.wait(this.key, revision, { onDeleted: () => this.end('taken-over'), onGap: () => this.#recheck() }, this.#ended.signal);
  }

  get signal(): AbortSignal {
    if (!this.#ended.signal.aborted) this.#host.alive();
    return this.#ended.signal;
  }

  /** Held right now: not ended, and the session's local deadline has not passed (checked on the clock). */
  held(): boolean {
    return !this.#ended.signal.aborted && this.#host.alive() && !this.#ended.signal.aborted;
  }

  /** Ends the term (idempotent): the holder must stop acting at once. See the class comment for the release. */
  end(reason: LeadershipEndReason, cause?: unknown): void {
    if (this.#ended.signal.aborted) return;
    // Joins the clean-up chain before anyone hears of the end: a campaign of this session started
    // afterwards waits for it (else it would find this candidate, still lowest, and lead with it).
    if (reason === 'connection-lost') this.#release(this.#deleteAt(this.#host.releaseAt()));
    this.#ended.abort(leadershipEnded(this.election, this.term, reason, { cause }));
    this.#host.onEnd(this);
  }

  /** Graceful handoff when still held: 1. end the term locally; 2. delete the candidate so the next one leads at once. */
  resign(options: CallOptions = {}): Promise<void> {
    if (this.held()) {
      this.#release(Promise.resolve().then(() => this.#deleteUntilGone()));
      this.end('resigned');
    }
    const releasing = this.#releasing ?? Promise.resolve();
    return raceSignal(releasing, options.signal, 'resign');
  }

  #release(work: Promise<void>): void {
    this.#releasing = work;
    this.#host.cleanup(work);
  }

  async #deleteAt(releaseAt: number): Promise<void> {
    const { clock, lost } = this.#host;
    const wait = releaseAt - clock.now();
    if (wait > 0 && !(await pause(clock, wait, lost))) return; // lost: the lease takes the key
    await this.#deleteUntilGone();
  }

  /**
   * Deletes our candidate, only while it is still this term's (create revision = term), until
   * etcd answers; bounded by the session (its lease takes the key along).
   */
  async #deleteUntilGone(): Promise<void> {
    const { client, clock, lost, retryMs } = this.#host;
    const key = bytes(this.key);
    while (!lost.aborted) {
      try {
        await client.unary(METHODS.txn, { compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: this.term }], success: [{ request_delete_range: { key } }] }, { signal: lost });
        return;
      } catch {
        await pause(clock, retryMs, lost);
      }
    }
  }

  /** After a watch gap: read the key; gone or created again means the term is over. */
  #recheck(): void {
    this.#host.client.unary(METHODS.range, { key: bytes(this.key) }, { signal: this.#ended.signal, idempotent: true }).then(
      (response) => {
        const kv = (response['kvs'] as Array<Record<string, unknown>>)[0];
        if (!kv || Number(kv['create_revision']) !== this.term) this.end('taken-over');
      },
      () => undefined, // unreachable: the session's keep-alives decide
    );
  }
}
