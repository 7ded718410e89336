/**
 * The leadership changes a node has seen since its HTTP API started, for the dashboard: term,
 * from, to, why (inferred from membership), and how long this node saw no leader. Fed by the
 * store's leader and member change hints, so it reads the store only when something changed.
 */
import type { Backend, LeaderRecord } from '../../contract/contract.js';
import type { Clock } from '../../clock.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';

/** How many changes are kept (the oldest go first). */
const HISTORY_LENGTH = 50;

export interface LeaderChange {
  /** Wall clock, epoch ms (display only). */
  readonly at: number;
  readonly term: number | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string;
  /** How long this node saw no leader before `to` (ms, its monotonic clock); 0 when none. */
  readonly leaderlessMs: number;
}

export class LeaderHistory {
  readonly #backend: Backend;
  readonly #clock: Clock;
  readonly #changes: LeaderChange[] = [];
  #last: LeaderRecord | null | undefined = undefined;
  #lastLeader: LeaderRecord | null = null;
  #leaderlessSince: number | null = null;
  #reading: Promise<void> | null = null;
  #again = false;

  constructor(backend: Backend, clock: Clock) {
    this.#backend = backend;
    this.#clock = clock;
  }

  /** Follows the leader until `signal` aborts. */
  follow(signal: AbortSignal): void {
    const hint = (): void => void this.refresh();
    this.#backend.watchLeader(CLUSTER_LEADER_ELECTION, hint, { signal });
    this.#backend.watchMembers(hint, { signal });
    void this.refresh();
  }

  /** Newest first. */
  changes(): readonly LeaderChange[] {
    return [...this.#changes].reverse();
  }

  /** Reads the leader and records a change; one read at a time, one more if hinted meanwhile. */
  refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        try {
          const [leader, members] = await Promise.all([this.#backend.leader(CLUSTER_LEADER_ELECTION), this.#backend.members()]);
          this.#observe(leader, new Set(members.map((m) => m.nodeId)));
        } catch {
          // The page shows the store's own errors through its other reads; history just waits for the next hint.
        }
      } while (this.#again);
    })().finally(() => (this.#reading = null));
    return this.#reading;
  }

  #observe(leader: LeaderRecord | null, members: ReadonlySet<string>): void {
    const before = this.#last;
    this.#last = leader;
    const now = this.#clock.now();
    if (before !== undefined && before?.term === leader?.term && before?.nodeId === leader?.nodeId) return;
    if (leader === null) {
      this.#leaderlessSince ??= now;
      return;
    }
    const previous = this.#lastLeader;
    this.#lastLeader = leader;
    const leaderlessMs = this.#leaderlessSince === null ? 0 : Math.round(now - this.#leaderlessSince);
    this.#leaderlessSince = null;
    const reason = before === undefined ? 'leader when this node started watching'
      : previous === null ? 'first leader'
      : previous.nodeId === leader.nodeId ? `${leader.nodeId} elected again`
      : members.has(previous.nodeId) ? `${previous.nodeId} gave up leadership (still a member)`
      : `${previous.nodeId} left the cluster (closed, crashed or its session expired)`;
    this.#push({ term: leader.term, from: previous?.nodeId ?? null, to: leader.nodeId, reason, leaderlessMs });
  }

  #push(change: Omit<LeaderChange, 'at'>): void {
    this.#changes.push({ at: Date.now(), ...change });
    if (this.#changes.length > HISTORY_LENGTH) this.#changes.shift();
  }
}
