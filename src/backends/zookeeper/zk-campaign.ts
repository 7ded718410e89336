import type { CallOptions } from '../../contract/contract.js';
import type { JsonObject } from '../../contract/json.js';
import type { Clock } from '../../clock.js';
import { anySignal, pause, raceSignal } from '../../async.js';
import { AbortedError, SessionLostError } from '../../errors.js';
import type { ZkClient, ZkEvent } from '../../zk-client/zk-client.js';
import { createCandidate, dropCandidate } from './zk-candidate.js';
import { isFirstCandidate, sortCandidates } from './zk-layout.js';
import { ZkLeadership, type TermHost } from './zk-leadership.js';
import { zxidToNumber, type ZkStat } from '../../zk-client/zk-stat.js';
import { isZkError, toContractError } from '../../zk-client/zookeeper-error.js';

export interface CampaignContext {
  readonly client: ZkClient;
  readonly clock: Clock;
  readonly election: string;
  /** The election's znode (the candidates' parent). */
  readonly dir: string;
  readonly nodeId: string;
  readonly info: JsonObject;
  /** The session's `lost` signal: a lost session ends every campaign. */
  readonly lost: AbortSignal;
  /**
   * Safety-net re-check while waiting for the predecessor's watch, ms on `clock`: slow, since
   * the watch is what wakes a waiter (see ZkSession.campaign for the value and why).
   */
  readonly recheckMs: number;
  /**
   * What a won term needs from the session: one object per session, shared by all its terms
   * (a term holds nothing of its campaign: issue 12, thousands of items held).
   */
  readonly host: TermHost;
  /**
   * The clean-up of this session's previous campaign for this election, if it is still running:
   * waited for first, so that its sweep of our candidates can never take the new one.
   */
  readonly previous?: Promise<void> | undefined;
  /** Hands over the clean-up of a candidate this campaign may leave behind (it runs on after we return). */
  readonly cleanup: (work: Promise<void>) => void;
}

/** How many times a candidate znode is created again after it vanished or its create was lost. */
const MAX_RECREATES = 10;

/**
 * The ZooKeeper election recipe, one waiter per predecessor:
 * 1. Wait for the clean-up of this session's previous campaign for the election (if any).
 * 2. Create our candidate `n_` (ephemeral sequential) holding {nodeId, info}; the election's
 *    znode is made along only when the create finds none. The create itself is never aborted:
 *    once sent it may land, so whoever gives up on it hands it to the clean-up (zk-candidate.ts).
 * 3. List the candidates. If ours is gone (deleted behind our back), create it again (2). The
 *    election's first candidate ever (`n_0000000000`, isFirstCandidate) skips the listing:
 *    nothing can be ahead of it, so it goes to step 4's confirmation at once.
 * 4. If ours is the lowest: confirm with `exists` that it is still there AND owned by our
 *    session (Curator's CURATOR-696: never claim on a stale listing) and set the deletion watch
 *    in the same call; the term is the znode's czxid. When we may well be first (just created,
 *    or a predecessor just went), that `exists` is sent right behind step 3's listing, so a
 *    look costs one round trip, not two. A confirmation is kept while we wait: as long as its
 *    watch has seen nothing on the same connection, a listing answered later vouches for the
 *    same unchanged znode (see stillConfirmed), so a handoff is the listing alone.
 * 5. Otherwise look at the next lower candidate: one of our own session (a delete whose answer
 *    was lost left it; a session campaigns once at a time per election) is deleted, else watch
 *    only it and wait for it to go (or the safety-net re-check, the caller's signal, or the
 *    session's loss), then go to 3. At rest a waiter sends nothing but that re-check.
 * 6. On any failure or abort, the clean-up deletes our candidate in the background, so the
 *    campaign settles at once and the candidate blocks nobody (zk-candidate.ts, dropCandidate).
 */
export async function campaign(ctx: CampaignContext, options: CallOptions = {}): Promise<ZkLeadership> {
  const data = Buffer.from(JSON.stringify({ nodeId: ctx.nodeId, info: ctx.info }), 'utf8');
  const stop = anySignal(ctx.lost, options.signal);
  let ours: string | undefined;
  try {
    if (ctx.previous) await raceSignal(ctx.previous, stop, `campaign for "${ctx.election}"`);
    for (let created = 0; created < MAX_RECREATES; created++) {
      ours = await createCandidate(ctx, data, stop);
      const won = await waitForTurn(ctx, ours, stop);
      if (won && stop.aborted) won.end('resigned'); // won as the caller gave up: never hand out a term nobody holds
      else if (won) return won;
      if (stop.aborted) throw stop.reason;
    }
    throw new SessionLostError(`election "${ctx.election}": our candidate znode kept vanishing; giving up this campaign`);
  } catch (error) {
    if (ours !== undefined) ctx.cleanup(dropCandidate(ctx, Promise.resolve(ours)));
    throw campaignError(ctx, options, error);
  } finally {
    stop.dispose(); // the session's `lost` keeps nothing of a campaign that ended
  }
}

/** Steps 3-5 for one candidate: the leadership once it leads, or null when it vanished. */
async function waitForTurn(ctx: CampaignContext, ours: string, signal: AbortSignal): Promise<ZkLeadership | null> {
  const name = ours.slice(ctx.dir.length + 1);
  // One watcher function for the whole wait (it wakes whichever wait is current): the library
  // keeps one registration per function and path, so re-checks add no listeners. It also wakes
  // the wait when our own candidate changes (the kept confirmation's watch). It resolves the
  // wait directly: no abort chain and no error object between the event and the next look.
  let wake: () => void = () => undefined;
  const watcher = () => wake();
  // The safety-net timer of a wait the watcher ended: cleared once the next look is sent.
  let netTimer: AbortController | undefined;
  // Whether we may well be first now: just created, or a predecessor just went. Then step 4's
  // confirmation goes out with the listing (see below); a re-check at rest sends the listing alone.
  let mayLead = true;
  // The last confirmation of our candidate, kept while we wait: as long as it still vouches for
  // the candidate (stillConfirmed), a predecessor's deletion is answered by the listing alone.
  let kept: Confirmation | undefined;
  try {
    // The election's first candidate ever leads without a listing: none can be ahead of it.
    if (isFirstCandidate(name)) return await claim(ctx, ours, confirm(ctx, ours));
    for (;;) {
      if (kept && !stillConfirmed(ctx, kept)) {
        dismiss(ctx, kept);
        kept = undefined;
      }
      // Steps 3 and 4 in one round trip: the server answers a session's requests in the order
      // sent, so the `exists` is answered after the listing, as CURATOR-696 asks (a stale
      // listing is never claimed on); unused when we turn out not to be first.
      const listing = ctx.client.getChildren(ctx.dir, { signal });
      const confirmation = mayLead && !kept ? confirm(ctx, ours, watcher) : undefined;
      netTimer?.abort();
      let candidates: string[];
      try {
        candidates = sortCandidates(await listing);
      } catch (error) {
        if (confirmation) dismiss(ctx, confirmation);
        throw error;
      }
      const index = candidates.indexOf(name);
      if (index === 0) {
        // Read after the listing's answer: a change of our candidate announced before it counts.
        const vouched = kept && stillConfirmed(ctx, kept) ? kept : undefined;
        if (kept && !vouched) dismiss(ctx, kept);
        kept = undefined; // claim keeps or drops the watch of the one it is given
        return await claim(ctx, ours, confirmation ?? vouched ?? confirm(ctx, ours));
      }
      if (index < 0) {
        if (confirmation) dismiss(ctx, confirmation);
        return null;
      }
      if (confirmation) kept = confirmation;
      const woken = new Promise<boolean>((resolve) => (wake = () => resolve(true))); // before the watch is set
      const predecessor = `${ctx.dir}/${candidates[index - 1]}`;
      const stat = await ctx.client.exists(predecessor, { watch: watcher, signal });
      mayLead = true;
      if (stat === null) continue;
      if (stat.ephemeralOwner === ctx.client.sessionId) {
        // Ours, left by a lost delete: it would block us (and everyone behind us) for the session's life.
        await ctx.client.delete(predecessor, { signal }).catch((error: unknown) => {
          if (!isZkError(error, 'NO_NODE')) throw error;
        });
        continue;
      }
      if (kept && kept.early.length > 0) continue; // our candidate changed meanwhile: look again now
      netTimer = new AbortController();
      const netSignal = anySignal(signal, netTimer.signal);
      const net = pause(ctx.clock, ctx.recheckMs, netSignal).then(() => false);
      mayLead = await Promise.race([woken, net]); // the predecessor went (or a watch fired); else a re-check
      if (signal.aborted) throw signal.reason;
    }
  } finally {
    netTimer?.abort(); // also lets go of the net's combined signal
    if (kept) dismiss(ctx, kept);
    ctx.client.removeWatcher(watcher);
  }
}

/**
 * Step 4's `exists` on our candidate, with the term's watch set in the same call. Events that
 * arrive before the leadership object exists are kept (and `onEarly` called), and replayed to it.
 *
 * A won term's watch is this object's `watch` for as long as the term is held, so the watch
 * keeps this object alone (no closure over the campaign), and `handTo` lets go of what only the
 * wait needed: the answer's stat (the library's raw record, six Buffers), the early events and
 * the waiter's wake-up (issue 12: with thousands of items held, that was ~2 KB an item).
 */
class Confirmation {
  /** The `exists` answer; a held term keeps none of it (see handTo). */
  answer: Promise<ZkStat | null>;
  readonly early: ZkEvent[] = [];
  /** Once answered: the candidate's owner (null: absent) and the connection the answer came on (see stillConfirmed). */
  owner: string | null | undefined;
  connection = -1;
  #onEarly: (() => void) | undefined;
  #leadership: ZkLeadership | undefined;
  readonly watch = (event: ZkEvent): void => {
    if (this.#leadership) return this.#leadership.watcher(event);
    this.early.push(event);
    this.#onEarly?.();
  };

  constructor(ctx: CampaignContext, ours: string, onEarly: (() => void) | undefined) {
    this.#onEarly = onEarly;
    const connection = ctx.client.connections;
    this.answer = ctx.client.exists(ours, { watch: this.watch, signal: ctx.lost });
    this.answer.then(
      (stat) => {
        this.owner = stat === null ? null : stat.ephemeralOwner;
        this.connection = connection;
      },
      () => undefined, // claim awaits it; a dismissed one may fail unread
    );
  }

  /** From now on the watch forwards to `leadership`; the early events are replayed to it. */
  handTo(leadership: ZkLeadership): void {
    this.#leadership = leadership;
    this.#onEarly = undefined;
    this.answer = ANSWERED;
    for (const event of this.early.splice(0)) leadership.watcher(event);
  }
}

/** What a handed-over confirmation keeps in place of its answer (claim has read it). */
const ANSWERED: Promise<null> = Promise.resolve(null);

function confirm(ctx: CampaignContext, ours: string, onEarly?: () => void): Confirmation {
  return new Confirmation(ctx, ours, onEarly);
}

/**
 * Whether a kept confirmation still vouches for our candidate, read right after an answer that
 * came later on the connection: it said the candidate was ours, and its watch has seen no event
 * since, on the same connection. The server sends a session's answers and watch events in the
 * order it handled them, and fires a watch on every change or deletion of the znode, so an
 * answer listing our candidate then lists the very znode that exists call saw, unchanged: its
 * czxid (the term), version and owner still hold, and the watch is still set, which is all a
 * fresh `exists` would tell (the guarantee ZooKeeper gives: a client sees the watch event for
 * a znode before it sees any state after that change). After a reconnect the order across the
 * two connections is not given (requests queued while disconnected go out before the library
 * sets its watches again), so a new connection needs a new confirmation.
 */
function stillConfirmed(ctx: CampaignContext, confirmation: Confirmation): boolean {
  const { owner, connection } = confirmation;
  return (
    confirmation.early.length === 0 &&
    owner !== undefined &&
    owner !== null &&
    owner === ctx.client.sessionId &&
    connection === ctx.client.connections &&
    ctx.client.state === 'connected'
  );
}

/** Drops an unused confirmation's watch once its answer is in (the client registers it then). */
function dismiss(ctx: CampaignContext, confirmation: Confirmation): void {
  const remove = () => ctx.client.removeWatcher(confirmation.watch);
  confirmation.answer.then(remove, remove);
}

async function claim(ctx: CampaignContext, ours: string, confirmation: Confirmation): Promise<ZkLeadership | null> {
  const { watch } = confirmation;
  let stat: ZkStat | null;
  try {
    stat = await confirmation.answer;
  } catch (error) {
    ctx.client.removeWatcher(watch);
    throw error;
  }
  if (stat === null || stat.ephemeralOwner !== ctx.client.sessionId) {
    ctx.client.removeWatcher(watch);
    return null;
  }
  const leadership = new ZkLeadership({
    election: ctx.election,
    term: zxidToNumber(stat.czxid, ours),
    sessionId: ctx.client.sessionId,
    path: ours,
    version: stat.version,
    confirmWatcher: watch,
    host: ctx.host,
  });
  confirmation.handTo(leadership);
  return leadership;
}

function campaignError(ctx: CampaignContext, options: CallOptions, error: unknown): unknown {
  if (ctx.lost.aborted) {
    const reason: unknown = ctx.lost.reason;
    return reason instanceof Error ? reason : new SessionLostError(`the session was lost while campaigning for "${ctx.election}"`);
  }
  if (options.signal?.aborted) return new AbortedError(`campaign for "${ctx.election}"`, options.signal.reason);
  return toContractError(error);
}
