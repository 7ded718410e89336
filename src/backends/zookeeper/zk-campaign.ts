import type { CallOptions } from '../../backend/contract.js';
import type { JsonObject } from '../../backend/json.js';
import type { Clock } from '../../clock.js';
import { AbortedError, SessionLostError } from '../../errors.js';
import type { ZkClient, ZkEvent } from './zk-client.js';
import { sortCandidates } from './zk-layout.js';
import { ZkLeadership } from './zk-leadership.js';
import { zxidToNumber } from './zk-stat.js';
import { isZkError, toContractError } from './zookeeper-error.js';

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
  /** Safety-net re-check interval while waiting for the predecessor's watch, ms (on `clock`). */
  readonly recheckMs: number;
  readonly onEnd: (leadership: ZkLeadership) => void;
}

/** How many times a candidate znode is created again after it vanished or its create was lost. */
const MAX_RECREATES = 10;

/**
 * The ZooKeeper election recipe, one waiter per predecessor:
 * 1. Create our candidate `n_` (ephemeral sequential) holding {nodeId, info}.
 * 2. List the candidates. If ours is gone (deleted behind our back), create it again (1).
 * 3. If ours is the lowest: confirm with `exists` that it is still there AND owned by our
 *    session (Curator's CURATOR-696: never claim on a stale listing) and set the deletion watch
 *    in the same call; the term is the znode's czxid.
 * 4. Otherwise watch only the next lower candidate and wait for it to go (or the safety-net
 *    re-check, the caller's signal, or the session's loss), then go to 2.
 * 5. On any failure, delete our candidate (best effort) so it blocks nobody.
 */
export async function campaign(ctx: CampaignContext, options: CallOptions = {}): Promise<ZkLeadership> {
  const data = Buffer.from(JSON.stringify({ nodeId: ctx.nodeId, info: ctx.info }), 'utf8');
  const stop = anySignal([ctx.lost, options.signal]);
  let ours: string | undefined;
  try {
    await ctx.client.mkdirs(ctx.dir, { signal: stop });
    for (let created = 0; created < MAX_RECREATES; created++) {
      ours = await createCandidate(ctx, data, stop);
      const won = await waitForTurn(ctx, ours, stop);
      if (won) return won;
    }
    throw new SessionLostError(`election "${ctx.election}": our candidate znode kept vanishing; giving up this campaign`);
  } catch (error) {
    if (ours !== undefined) await ctx.client.delete(ours).catch(() => undefined); // best effort: gone with the session otherwise
    throw campaignError(ctx, options, error);
  }
}

async function createCandidate(ctx: CampaignContext, data: Buffer, signal: AbortSignal): Promise<string> {
  try {
    return await ctx.client.create(`${ctx.dir}/n_`, data, { mode: 'ephemeral_sequential', signal });
  } catch (error) {
    if (!isZkError(error, 'CONNECTION_LOSS')) throw error;
    // The create may have landed without telling us its name: drop any candidate of ours, retry once.
    for (const name of sortCandidates(await ctx.client.getChildren(ctx.dir, { signal }))) {
      const stat = await ctx.client.exists(`${ctx.dir}/${name}`, { signal });
      if (stat?.ephemeralOwner === ctx.client.sessionId) await ctx.client.delete(`${ctx.dir}/${name}`, { signal }).catch(() => undefined);
    }
    return await ctx.client.create(`${ctx.dir}/n_`, data, { mode: 'ephemeral_sequential', signal });
  }
}

/** Steps 2-4 for one candidate: the leadership once it leads, or null when it vanished. */
async function waitForTurn(ctx: CampaignContext, ours: string, signal: AbortSignal): Promise<ZkLeadership | null> {
  const name = ours.slice(ctx.dir.length + 1);
  // One watcher function for the whole wait (it aborts whichever `gone` is current): the
  // library keeps one registration per function and path, so re-checks add no listeners.
  let gone = new AbortController();
  const watcher = () => gone.abort();
  try {
    for (;;) {
      const candidates = sortCandidates(await ctx.client.getChildren(ctx.dir, { signal }));
      const index = candidates.indexOf(name);
      if (index < 0) return null;
      if (index === 0) return await claim(ctx, ours);
      gone = new AbortController();
      const stat = await ctx.client.exists(`${ctx.dir}/${candidates[index - 1]}`, { watch: watcher, signal });
      if (stat === null) continue;
      await ctx.clock.sleep(ctx.recheckMs, { signal: anySignal([signal, gone.signal]) }).catch(() => {
        if (signal.aborted) throw signal.reason;
      });
    }
  } finally {
    ctx.client.removeWatcher(watcher);
  }
}

async function claim(ctx: CampaignContext, ours: string): Promise<ZkLeadership | null> {
  // Events that arrive before the leadership object exists are kept and replayed to it.
  const held: { leadership?: ZkLeadership } = {};
  const early: ZkEvent[] = [];
  const watch = (event: ZkEvent) => (held.leadership ? held.leadership.watcher(event) : early.push(event));
  const stat = await ctx.client.exists(ours, { watch, signal: ctx.lost });
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
    client: ctx.client,
    onEnd: ctx.onEnd,
  });
  held.leadership = leadership;
  leadership.signal.addEventListener('abort', () => ctx.client.removeWatcher(watch), { once: true });
  for (const event of early) leadership.watcher(event);
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

/** A signal that aborts when any of `signals` does (listeners are removed with the first abort). */
function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
