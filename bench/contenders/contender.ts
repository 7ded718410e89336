/**
 * What `npm run bench -- alternatives` needs from one way of electing a leader. Each library
 * is one file in this folder exporting `open: OpenContender`, used the way its README shows;
 * the harness (alternatives-worker.ts) runs it in a process of its own and drives it.
 *
 * Adding a contender: write bench/contenders/NAME.ts exporting `open`, and add its rows to
 * ROWS in bench/alternatives.ts (with the store it runs on, see alternatives-stores.ts).
 */

/** Where a contender's store is and how its election is timed. */
export interface ContenderOptions {
  /**
   * How to reach the store, already pointed at this contender's own TCP proxy (so the harness
   * can stall or cut one contender's connection): a URL, or `host:port` for ZooKeeper and Redis.
   */
  readonly address: string;
  /** This contender's name (`w0`, `w1`, ...), unique within a row. */
  readonly id: string;
  /** The election (lock, znode path segment, key) every contender of the row competes for. */
  readonly election: string;
  /**
   * The row's lease or session length in ms, for libraries that have one; `undefined` means
   * "use the library's own default" (a defaults row). Libraries without a TTL ignore it.
   */
  readonly ttlMs: number | undefined;
}

/** One contender process's handle on its library. Every method is called from one process. */
export interface Contender {
  /** Starts waiting for leadership; resolves once this process leads (the library's own wait). */
  campaign(): Promise<void>;
  /**
   * The library's own answer to "may I act as leader now?", asked before every act (every few
   * ms while leading). Synchronous: it is what the user's code would look at.
   */
  isLeader(): boolean;
  /** Gives leadership up cleanly, as the library documents, so the next may take over at once. */
  resign(): Promise<void>;
  /**
   * One write that only the leader may make, sent WITHOUT asking isLeader first (the process
   * decided to write just before it was frozen). 'refused' only if the store turned it down
   * because this process no longer leads (fencing, or an expired session), not for an outage.
   */
  leaderWrite(): Promise<'accepted' | 'refused'>;
  /**
   * For a library that campaigns again by itself after a term ended other than by resign()
   * (baton: a lost session is replaced and the campaign goes on): `listener` is called each
   * time it leads again that way, so the harness hears of it as of campaign() resolving.
   */
  whenLeadingAgain?(listener: () => void): void;
}

export type OpenContender = (options: ContenderOptions) => Promise<Contender>;
