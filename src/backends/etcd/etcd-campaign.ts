import type { CallOptions } from '../../contract/contract.js';
import type { JsonObject } from '../../contract/json.js';
import type { Clock } from '../../clock.js';
import { anySignal, pause, raceSignal } from '../../async.js';
import { AbortedError, SessionLostError } from '../../errors.js';
import type { CandidateBatcher } from './candidate-batcher.js';
import type { EtcdClient, Message } from './etcd-client.js';
import { toContractError } from './etcd-error.js';
import { bytes, prefixEnd, toNumber } from './etcd-layout.js';
import { EtcdLeadership, type TermHost } from './etcd-leadership.js';
import { METHODS } from './etcd-proto.js';
import type { KeyDeletions } from './key-deletions.js';

export interface CampaignContext {
  readonly client: EtcdClient;
  /** The session's batcher of first creates (candidate-batcher.ts). */
  readonly candidates: CandidateBatcher;
  readonly deletions: KeyDeletions;
  readonly clock: Clock;
  readonly election: string;
  /** `.../elections/{name}/`: every candidate's key starts with it. */
  readonly electionPrefix: string;
  /** Our candidate key (the prefix + our session id). */
  readonly key: string;
  /** Our withdrawal marker for the election (see createCandidate): outside the election's prefix. */
  readonly withdrawalKey: string;
  readonly leaseId: string;
  readonly sessionId: string;
  readonly nodeId: string;
  readonly info: JsonObject;
  /** The session's `lost` signal: a lost session ends every campaign. */
  readonly lost: AbortSignal;
  /** Safety-net re-check while waiting for the predecessor's deletion, ms on `clock`. */
  readonly recheckMs: number;
  /** This session's earlier clean-up for the election, if still running: waited for first. */
  readonly previous?: Promise<void> | undefined;
  readonly cleanup: TermHost['cleanup'];
  readonly alive: TermHost['alive'];
  readonly releaseAt: TermHost['releaseAt'];
  readonly onEnd: TermHost['onEnd'];
}

/** How many times our candidate is created again after it vanished behind our back. */
const MAX_RECREATES = 10;

/**
 * etcd's election recipe, one waiter per predecessor:
 * 1. Wait for this session's previous clean-up for the election (a candidate of an ended term
 *    must be gone first: its create revision was that term).
 * 2. Create our candidate, attached to the session's lease, in a transaction that creates it
 *    only if absent; its create revision is our place in line. The same transaction reads the
 *    candidate just ahead of us (a read in a transaction sees the transaction's own put: ours
 *    has the highest create revision, the one ahead is next), so a first look costs no second
 *    round trip. The create is never aborted once sent: whoever gives up hands the key to the
 *    clean-up.
 * 3. Later looks, in one transaction: confirm our key still has that create revision, and read
 *    the candidate just ahead of us (the highest create revision below ours). Our key gone:
 *    create it again (2).
 * 4. Nobody ahead: we lead, confirmed atomically with the read; the term is our create revision.
 *    (Never conclude "we lead" from a deletion alone: the key ahead may have gone while an
 *    earlier one still leads, the double leader of etcd3's Election, microsoft/etcd3 #176.)
 * 5. Otherwise watch only that key, from the revision just read, until it is deleted (or the
 *    safety-net re-check, the caller's signal, the session's loss), then go to 3.
 * 6. On failure or abort, the clean-up deletes our candidate in the background; when the create's
 *    answer never came, it also withdraws the create so that it can no longer land (see below).
 */
export async function campaign(ctx: CampaignContext, options: CallOptions = {}): Promise<EtcdLeadership> {
  const stop = anySignal(ctx.lost, options.signal);
  let creating: Promise<Look> | undefined;
  try {
    if (ctx.previous) await raceSignal(ctx.previous, stop, `campaign for "${ctx.election}"`);
    for (let attempt = 0; attempt < MAX_RECREATES; attempt++) {
      creating = createCandidate(ctx);
      const created = await raceSignal(creating, stop, `campaign for "${ctx.election}"`);
      const won = await waitForTurn(ctx, created, stop);
      if (won && stop.aborted) won.end('resigned'); // won as the caller gave up: never hand out a term nobody holds
      else if (won) return won;
      if (stop.aborted) throw stop.reason;
    }
    throw new SessionLostError(`election "${ctx.election}": our candidate key kept vanishing; giving up this campaign`);
  } catch (error) {
    if (creating) ctx.cleanup(dropCandidate(ctx, creating));
    throw campaignError(ctx, options, error);
  } finally {
    stop.dispose(); // the session's `lost` keeps nothing of a campaign that ended
  }
}

/** What one look at the line saw: at `seenAt`, our candidate had create revision `revision` and `ahead` was just before it. */
interface Look {
  readonly revision: number;
  readonly seenAt: number;
  /** The key of the candidate just ahead of ours; undefined: nobody, we lead. */
  readonly ahead: string | undefined;
}

/**
 * Step 2: creates the candidate if absent and looks at who is ahead of it (see campaign).
 *
 * A create whose answer never came may still land later: the request can sit in a member (or
 * on the way to it) while we fail over to another member, and etcd runs it when it arrives. If
 * it landed after our clean-up's delete, our candidate would stay in line, attached to a lease
 * that lives on, and block the election for as long as this session lives (a bucket or a
 * partition may never be campaigned for again by this session). So the create also compares
 * our withdrawal marker's mod revision with the one we expect, and a clean-up that did not see
 * the create's answer writes the marker in the same transaction as its delete: a create that
 * arrives after that clean-up finds the marker moved and does nothing.
 *
 * We start out expecting no marker (mod revision 0) and learn the current one from a failed
 * compare: any marker we read here was written by an earlier campaign's clean-up, because this
 * campaign's own clean-up is sent only once this function has settled (dropCandidate), and the
 * session runs one campaign per election at a time, after the earlier clean-up finished. The
 * cost is one more round trip on the first create after such a withdrawal, none otherwise.
 *
 * The first try goes with the other campaigns of the session that start in the same turn, in
 * one transaction of the same compares and operations (candidate-batcher.ts); when that one
 * does not create it, the candidate is created alone, below.
 */
async function createCandidate(ctx: CampaignContext): Promise<Look> {
  const key = bytes(ctx.key);
  const marker = bytes(ctx.withdrawalKey);
  const value = bytes(JSON.stringify({ nodeId: ctx.nodeId, info: ctx.info, since: Date.now() }));
  const batched = await ctx.candidates.create({ key: ctx.key, withdrawalKey: ctx.withdrawalKey, value, lineRange: lineRange(ctx) });
  if (batched !== null) return lookFromCreate(key, batched.revision, batched.line);
  let markerRevision = 0;
  for (;;) {
    const response = await ctx.client.unary(
      METHODS.txn,
      {
        compare: [
          { key, target: 'CREATE', result: 'EQUAL', create_revision: 0 },
          { key: marker, target: 'MOD', result: 'EQUAL', mod_revision: markerRevision },
        ],
        success: [{ request_put: { key, value, lease: ctx.leaseId } }, { request_range: { ...lineRange(ctx), limit: 2 } }],
        failure: [{ request_range: { key } }, { request_range: { key: marker, keys_only: true } }],
      },
      { signal: ctx.lost },
    );
    if (response['succeeded'] === true) return lookFromCreate(key, toNumber((response['header'] as Message)['revision']), rangeKvs(response, 1));
    // Ours from a campaign whose clean-up gave up: its revision may be an ended term's, so never reuse it.
    const existing = firstKv(response, 0);
    if (existing) await deleteIfRevision(ctx, toNumber(existing['create_revision']));
    markerRevision = toNumber(firstKv(response, 1)?.['mod_revision']);
  }
}

/** The look a create took: ours is the newest candidate, so the line's read had it first and the one after it is ahead of us. */
function lookFromCreate(key: Buffer, revision: number, line: readonly Message[]): Look {
  const ahead = line.find((kv) => !(kv['key'] as Buffer).equals(key));
  return { revision, seenAt: revision, ahead: keyOf(ahead) };
}

/** Steps 3-5 for one candidate, from the look its creation took: the term once it leads, or null when our key vanished. */
async function waitForTurn(ctx: CampaignContext, created: Look, stop: AbortSignal): Promise<EtcdLeadership | null> {
  for (let look: Look | null = created; look; look = await lookAgain(ctx, created.revision, stop)) {
    if (look.ahead === undefined) return claim(ctx, look.revision, look.seenAt);
    await untilDeleted(ctx, look.ahead, look.seenAt + 1, stop);
  }
  return null;
}

/** Step 3: who is just ahead of our candidate, confirmed in one transaction with our key's create revision; null when our key vanished. */
async function lookAgain(ctx: CampaignContext, revision: number, stop: AbortSignal): Promise<Look | null> {
  const response = await ctx.client.unary(
    METHODS.txn,
    {
      compare: [{ key: bytes(ctx.key), target: 'CREATE', result: 'EQUAL', create_revision: revision }],
      success: [{ request_range: { ...lineRange(ctx), max_create_revision: revision - 1, limit: 1 } }],
    },
    { signal: stop, idempotent: true },
  );
  if (response['succeeded'] !== true) return null;
  return { revision, seenAt: toNumber((response['header'] as Message)['revision']), ahead: keyOf(firstKv(response, 0)) };
}

/** The election's candidates, newest first, keys only. */
function lineRange(ctx: CampaignContext): Message {
  return { key: bytes(ctx.electionPrefix), range_end: prefixEnd(ctx.electionPrefix), sort_order: 'DESCEND', sort_target: 'CREATE', keys_only: true };
}

function keyOf(kv: Message | undefined): string | undefined {
  return kv ? (kv['key'] as Buffer).toString('utf8') : undefined;
}

function claim(ctx: CampaignContext, revision: number, seenAt: number): EtcdLeadership {
  const { client, deletions, clock, lost, leaseId, alive, releaseAt, cleanup, onEnd } = ctx;
  const leadership = new EtcdLeadership({
    election: ctx.election,
    term: revision,
    sessionId: ctx.sessionId,
    key: ctx.key,
    host: { client, deletions, clock, lost, leaseId, retryMs: ctx.recheckMs, alive, releaseAt, cleanup, onEnd },
  });
  leadership.follow(seenAt + 1);
  return leadership;
}

/** Step 5: resolves when `key` is deleted at or after `from`, or at the safety-net re-check; rejects when `stop` aborts. */
async function untilDeleted(ctx: CampaignContext, key: string, from: number, stop: AbortSignal): Promise<void> {
  const done = new AbortController();
  const wait = anySignal(stop, done.signal);
  ctx.deletions.wait(key, from, { onDeleted: () => done.abort(), onGap: () => done.abort() }, wait);
  try {
    await ctx.clock.sleep(ctx.recheckMs, { signal: wait }).catch(() => {
      if (stop.aborted) throw stop.reason;
    });
  } finally {
    done.abort(); // ends the watch
  }
}

/**
 * Step 6, in the background: 1. wait for the create's answer (it may still land); 2. delete our
 * candidate if it is still attached to our lease (the key is ours alone: named after the
 * session, which campaigns once at a time per election, and the next campaign waits for this).
 * When the create failed without an answer (it may yet land), the same transaction moves our
 * withdrawal marker, which makes that create fail its compare (createCandidate). The marker is
 * attached to the lease and stays while the session lives: the late create may arrive at any
 * time before that, and removing the marker would let it land. One key per election, at most.
 * Retried until etcd answers; bounded by the session (its lease takes the keys).
 */
async function dropCandidate(ctx: CampaignContext, creating: Promise<Look>): Promise<void> {
  const unanswered = await creating.then(
    () => false,
    () => true,
  );
  const key = bytes(ctx.key);
  const withdraw = unanswered ? [{ request_put: { key: bytes(ctx.withdrawalKey), value: bytes('{}'), lease: ctx.leaseId } }] : [];
  while (!ctx.lost.aborted) {
    try {
      await ctx.client.unary(
        METHODS.txn,
        { compare: [{ key, target: 'LEASE', result: 'EQUAL', lease: ctx.leaseId }], success: [{ request_delete_range: { key } }, ...withdraw], failure: withdraw },
        { signal: ctx.lost },
      );
      return;
    } catch {
      await pause(ctx.clock, ctx.recheckMs, ctx.lost);
    }
  }
}

async function deleteIfRevision(ctx: CampaignContext, revision: number): Promise<void> {
  const key = bytes(ctx.key);
  await ctx.client.unary(METHODS.txn, { compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: revision }], success: [{ request_delete_range: { key } }] }, { signal: ctx.lost });
}

function firstKv(txn: Message, index: number): Message | undefined {
  return rangeKvs(txn, index)[0];
}

function rangeKvs(txn: Message, index: number): Message[] {
  const op = (txn['responses'] as Message[])[index];
  return ((op?.['response_range'] as Message | undefined)?.['kvs'] as Message[] | undefined) ?? [];
}

function campaignError(ctx: CampaignContext, options: CallOptions, error: unknown): unknown {
  if (ctx.lost.aborted) {
    const reason: unknown = ctx.lost.reason;
    return reason instanceof Error ? reason : new SessionLostError(`the session was lost while campaigning for "${ctx.election}"`);
  }
  if (options.signal?.aborted) return new AbortedError(`campaign for "${ctx.election}"`, options.signal.reason);
  return toContractError(error);
}
