/**
 * A campaign's candidate znode (zk-campaign.ts steps 2 and 6): its create, which makes the
 * election's znode only when it finds none, and the clean-up of a candidate a campaign that
 * gave up may have left behind.
 */
import { raceSignal } from '../../async.js';
import type { ZkClient } from '../../zk-client/zk-client.js';
import { isZkError } from '../../zk-client/zookeeper-error.js';
import { sortCandidates } from './zk-layout.js';

/** What the create and the clean-up need of a campaign (see CampaignContext). */
export interface CandidateContext {
  readonly client: ZkClient;
  readonly election: string;
  /** The election's znode (the candidates' parent). */
  readonly dir: string;
  /** The session's `lost` signal: it bounds the create and the clean-up, not the caller's. */
  readonly lost: AbortSignal;
  /** Hands over the clean-up of a candidate the campaign may leave behind. */
  readonly cleanup: (work: Promise<void>) => void;
}

/**
 * How many times the clean-up of a left-behind candidate is tried. Each try is bounded by the
 * client's call timeout; a candidate still there after all of them goes with the session.
 */
const MAX_CLEANUP_ATTEMPTS = 5;

/**
 * Step 2. Resolves with our candidate's path; rejects when `signal` aborts or the create failed.
 * In both cases the create may have landed, so it is handed to the clean-up first.
 */
export async function createCandidate(ctx: CandidateContext, data: Buffer, signal: AbortSignal): Promise<string> {
  const creating = createOnce(ctx, data);
  try {
    return await raceSignal(creating, signal, `campaign for "${ctx.election}"`);
  } catch (error) {
    ctx.cleanup(dropCandidate(ctx, creating));
    throw error;
  }
}

/** One create, bounded by the session (not by the caller); a lost answer is retried once after a sweep. */
async function createOnce(ctx: CandidateContext, data: Buffer): Promise<string> {
  try {
    return await createInElection(ctx, data);
  } catch (error) {
    if (!isZkError(error, 'CONNECTION_LOSS')) throw error;
    // The create may have landed without telling us its name: drop any candidate of ours, retry once.
    await sweepOwnCandidates(ctx);
    return await createInElection(ctx, data);
  }
}

/**
 * The candidate's create. The election's znode is made only when the create finds none (the
 * election's first campaign; at a cold start, every bucket's): then that znode's create and the
 * candidate's go out together, one round trip, since the server handles a session's requests in
 * the order sent. Missing ancestors (deleted behind our back) are made as a last resort.
 */
async function createInElection(ctx: CandidateContext, data: Buffer): Promise<string> {
  const options = { mode: 'ephemeral_sequential', signal: ctx.lost } as const;
  try {
    return await ctx.client.create(`${ctx.dir}/n_`, data, options);
  } catch (error) {
    if (!isZkError(error, 'NO_NODE')) throw error;
  }
  const election = ctx.client.create(ctx.dir, null, { signal: ctx.lost });
  election.catch(() => undefined); // NODE_EXISTS when a rival made it first; the candidate's create tells what counts
  try {
    return await ctx.client.create(`${ctx.dir}/n_`, data, options);
  } catch (error) {
    if (!isZkError(error, 'NO_NODE')) throw error;
  }
  await ctx.client.mkdirs(ctx.dir, { signal: ctx.lost });
  return await ctx.client.create(`${ctx.dir}/n_`, data, options);
}

/**
 * Step 6, in the background: deletes the candidate `creating` made (or may have made).
 * 1. Wait for the create's answer (ZooKeeper answers every request; the client's call timeout
 *    bounds the wait). 2. With a name, delete that znode. 3. Without one (the answer was lost),
 *    or when the delete's answer is lost, delete every candidate of our session in the election:
 *    a session campaigns once at a time per election, and the next campaign waits for this.
 * Ends when done, when the session ends (it takes its ephemerals along), or after
 * MAX_CLEANUP_ATTEMPTS tries.
 */
export async function dropCandidate(ctx: CandidateContext, creating: Promise<string>): Promise<void> {
  let path: string | undefined;
  try {
    path = await creating;
  } catch (error) {
    if (!isZkError(error, 'CONNECTION_LOSS')) return; // refused (NO_NODE, expired, closed): nothing was created
  }
  for (let attempt = 0; attempt < MAX_CLEANUP_ATTEMPTS && !ctx.lost.aborted; attempt++) {
    try {
      if (path !== undefined) await ctx.client.delete(path, { signal: ctx.lost });
      else await sweepOwnCandidates(ctx);
      return;
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return; // gone already
      if (!isZkError(error, 'CONNECTION_LOSS')) return; // the session ended or was closed: the znode went with it
      path = undefined; // the delete may or may not have landed: sweep instead
    }
  }
}

/** Deletes every candidate znode of this election owned by our session. */
async function sweepOwnCandidates(ctx: CandidateContext): Promise<void> {
  const signal = ctx.lost;
  const children = await ctx.client.getChildren(ctx.dir, { signal }).catch((error: unknown) => {
    if (isZkError(error, 'NO_NODE')) return []; // no election znode: no candidate either
    throw error;
  });
  for (const name of sortCandidates(children)) {
    const stat = await ctx.client.exists(`${ctx.dir}/${name}`, { signal });
    if (stat?.ephemeralOwner !== ctx.client.sessionId) continue;
    await ctx.client.delete(`${ctx.dir}/${name}`, { signal }).catch((error: unknown) => {
      if (!isZkError(error, 'NO_NODE')) throw error;
    });
  }
}
