import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { SessionTiming } from '../../contract/timing.js';
import { anySignal, pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import type { EtcdClient, Message } from './etcd-client.js';
import { METHODS } from './etcd-proto.js';
import { toNumber } from './etcd-layout.js';

export interface KeepAliveEvents {
  /**
   * The etcd leader renewed the lease in answer to a keep-alive SENT at `sentAt` (monotonic):
   * from then on it expires no earlier than `sentAt + ttl` on the leader's clock.
   */
  readonly onAck: (sentAt: number, latencyMs: number) => void;
  /** A keep-alive failed or went unanswered, or the stream broke: nothing proves the lease now. */
  readonly onBroken: (why: string, latencyMs: number) => void;
  /** etcd answered that the lease does not exist any more (expired or revoked). */
  readonly onExpired: () => void;
}

/**
 * After a failed keep-alive, how soon the next one is sent, ms: on a fresh stream, likely on
 * another member. Shorter than the retry period, so that a member that died costs one failed
 * attempt, not a whole period, of the local deadline.
 */
const RETRY_AFTER_FAILURE_MS = 200;

/**
 * Keeps one lease alive over a LeaseKeepAlive stream: one request in flight at a time, every
 * `retryPeriodMs`; each answer is matched to the request it answers (the only one in flight).
 *
 * What an answer proves (docs/safety.md rule 3): etcd renews leases only on its raft leader. A member
 * that is not the leader forwards the keep-alive to the leader over the peer network and answers
 * only with the leader's reply, so a member cut off from the leader cannot answer at all (the
 * forward times out). An old leader cut off from its quorum still answers from its own lease
 * table until it steps down (at most about two election timeouts, etcd's CheckQuorum); the new
 * leader, on taking over, restarts every lease's TTL and adds one election timeout on top
 * (etcd's lessor Promote), which covers those answers. So a successful answer proves that no
 * member will expire the lease before `sentAt + ttl` on its clock.
 *
 * The stream asks for a leader (`hasleader`): a member that loses its leader ends it, which
 * counts as a break. A break, an error, or an answer missing for `renewDeadlineMs / 2` drops the
 * stream and reports onBroken at once; the next attempt opens a new stream on the next member.
 */
export class LeaseKeepAlive {
  readonly #client: EtcdClient;
  readonly #clock: Clock;
  readonly #leaseId: string;
  readonly #timing: SessionTiming;
  readonly #events: KeepAliveEvents;
  readonly #stop: AbortSignal;
  #stream: { call: ClientDuplexStream<object, Message>; endpoint: string } | undefined;
  /** Settles the request in flight: with the answer's TTL, or with a failure reason. */
  #pending: ((result: { ttl: number } | { failed: string }) => void) | undefined;

  constructor(params: { client: EtcdClient; clock: Clock; leaseId: string; timing: SessionTiming; events: KeepAliveEvents; stop: AbortSignal }) {
    this.#client = params.client;
    this.#clock = params.clock;
    this.#leaseId = params.leaseId;
    this.#timing = params.timing;
    this.#events = params.events;
    this.#stop = params.stop;
  }

  /** Runs until `stop` aborts (the session ended) or etcd says the lease is gone. */
  async run(): Promise<void> {
    const stop = this.#stop;
    stop.addEventListener('abort', () => this.#drop('stopped'), { once: true });
    while (!stop.aborted) {
      const sentAt = this.#clock.now();
      const result = await this.#once();
      const latencyMs = this.#clock.now() - sentAt;
      if (stop.aborted) return;
      let next = sentAt + this.#timing.retryPeriodMs;
      if ('failed' in result) {
        this.#drop(result.failed);
        this.#events.onBroken(result.failed, latencyMs);
        next = Math.min(next, this.#clock.now() + RETRY_AFTER_FAILURE_MS);
        void this.#client.reauthenticate(); // a later stream carries a fresh token (not awaited: it must not delay the next try)
      } else if (result.ttl <= 0) {
        this.#drop('lease gone');
        this.#events.onExpired();
        return;
      } else {
        this.#events.onAck(sentAt, latencyMs);
      }
      await pause(this.#clock, Math.max(0, next - this.#clock.now()), stop);
    }
  }

  /** One keep-alive: sends it and waits for its answer, a break, or the answer timeout. */
  #once(): Promise<{ ttl: number } | { failed: string }> {
    let stream: { call: ClientDuplexStream<object, Message>; endpoint: string };
    try {
      stream = this.#open();
    } catch (error) {
      return Promise.resolve({ failed: (error as Error).message });
    }
    return new Promise((resolve) => {
      // Half the local deadline: a silent member leaves time to reach another before it.
      const timeoutMs = Math.floor(this.#timing.renewDeadlineMs / 2);
      const timer = new AbortController();
      void this.#clock
        .sleep(timeoutMs, { signal: anySignal(timer.signal, this.#stop) })
        .then(() => settle({ failed: `no keep-alive answer from ${stream.endpoint} within ${timeoutMs} ms` }))
        .catch(() => undefined);
      const settle = (result: { ttl: number } | { failed: string }) => {
        if (this.#pending !== settle) return;
        this.#pending = undefined;
        timer.abort();
        resolve(result);
      };
      this.#pending = settle;
      stream.call.write({ ID: this.#leaseId });
    });
  }

  #open(): { call: ClientDuplexStream<object, Message>; endpoint: string } {
    if (this.#stream) return this.#stream;
    const opened = this.#client.stream(METHODS.leaseKeepAlive, { requireLeader: true });
    this.#stream = opened;
    const broken = (why: string) => {
      if (this.#stream !== opened) return;
      this.#drop(why);
      if (!this.#stop.aborted) this.#events.onBroken(why, 0);
    };
    opened.call.on('data', (response: Message) => this.#pending?.({ ttl: toNumber(response['TTL']) }));
    opened.call.on('error', (error: Error) => broken(`keep-alive stream to ${opened.endpoint} failed: ${error.message}`));
    opened.call.on('end', () => broken(`keep-alive stream to ${opened.endpoint} ended`));
    return opened;
  }

  /** Drops the stream (a later keep-alive opens a new one on the next member) and fails the request in flight. */
  #drop(why: string): void {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#pending?.({ failed: why });
    if (stream) {
      if (why !== 'stopped' && why !== 'lease gone') this.#client.failover(stream.endpoint);
      stream.call.cancel();
    }
  }
}
