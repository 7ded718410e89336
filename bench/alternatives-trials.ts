/**
 * The trials of `npm run bench -- alternatives` for one row: three contender processes
 * (alternatives-worker.js) of one library on one store, each reaching the store through a TCP
 * proxy of its own (TcpProxy), so one contender's connection can be stalled or cut. Every time
 * is taken by THIS process on its monotonic clock when it sends a command, sends a signal or
 * receives a report over IPC; no clocks are compared across processes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { TcpProxy } from '../test/support/tcp-proxy.js';
import type { AlternativesStore } from './alternatives-stores.js';
import { Contenders, type ContenderPlan, type Report } from './alternatives-contenders.js';

/** How long a fault's outcome is watched after the takeover (late acts of the old leader), ms. */
export const AFTER_TAKEOVER_MS = 1_500;
/** How long a resumed process is watched for acts and for its write's outcome, ms. */
const AFTER_RESUME_MS = 2_000;
/** Idle contenders are measured over this window, ms. */
const REST_WINDOW_MS = 10_000;

/** What one row runs: which contender file, with which options, how many trials of each kind. */
export interface TrialPlan extends ContenderPlan {
  /** How long an election can take to notice a dead leader: the TTL the row runs with, ms. */
  readonly effectiveTtlMs: number;
  readonly handoffs: number;
  readonly crashes: number;
  readonly freezes: number;
  readonly losses: number;
}

/** The outcome of one fault (freeze, stall, cut) of the leader. */
export interface FaultOutcome {
  /** Fault -> another contender leads, ms; undefined: nobody else led within the window. */
  readonly takeoverMs: number | undefined;
  /** The old leader's last act -> another leads, ms (negative: it acted after the takeover). */
  readonly marginMs: number | undefined;
  /** Acts of the old leader after another led (freeze: and after it was resumed). */
  readonly lateActs: number;
  /** From the later of the takeover and the resume to the old leader's last act, ms (0: none). */
  readonly lateForMs: number;
  /** Freeze only: how the store answered the write the old leader sent on resuming. */
  readonly write?: string;
  /** The old leader's process ended by itself during the trial (crashed). */
  readonly exited: boolean;
  /** Stall and cut: whether the old leader was still acting when the watch ended. */
  readonly stillActing: boolean;
}

export interface RestFigures {
  /** Client -> store requests per second of each idle contender (undefined: embedded store). */
  readonly leaderRequestsPerSecond: number | undefined;
  readonly waiterRequestsPerSecond: number | undefined;
  /** CPU time per wall time of each process, percent (mean of the three). */
  readonly cpuPercent: number;
  /** Resident set size, MB (mean of the three). */
  readonly rssMb: number;
}

/** A row's figures; a row that failed part-way keeps what it measured before the failure. */
export interface AlternativeFigures {
  readonly firstLeaderMs: number | undefined;
  readonly handoffMs: number[];
  readonly failoverMs: number[];
  readonly freezes: FaultOutcome[];
  readonly stalls: FaultOutcome[];
  readonly cuts: FaultOutcome[];
  readonly rest: RestFigures | undefined;
  /** Why the row ended early, and in which trials (undefined: it ran to the end). */
  readonly failed?: string;
}

/** A random pause within one renew period, so faults land at every phase of it. */
function randomPhase(plan: TrialPlan): Promise<void> {
  return delay(Math.random() * (plan.effectiveTtlMs / 6));
}

export async function firstLeader(c: Contenders): Promise<number> {
  const ids = [await c.spawn(false), await c.spawn(false), await c.spawn(false)];
  const mark = c.mark;
  const sentAt = performance.now();
  for (const id of ids) c.send(id, 'campaign');
  const leader = await c.nextLeaderMust(mark, '', 'the first leader');
  return leader.at - sentAt;
}

/** Idle cost with one leader and two waiters: requests through each proxy, CPU and RSS. */
async function rest(c: Contenders): Promise<RestFigures> {
  const ids = [...c.children.keys()];
  for (const id of ids) c.send(id, 'quiet');
  await delay(1_000);
  const stats = async () => {
    const mark = c.mark;
    for (const id of ids) c.send(id, 'stats');
    return Promise.all(ids.map((id) => c.next(mark, (r) => r.id === id && r.event === 'stats', `${id}'s stats`)));
  };
  const chunks = () => new Map(ids.map((id) => [id, c.proxies.get(id)?.chunksToTarget]));
  const before = await stats();
  const chunksBefore = chunks();
  const startedAt = performance.now();
  await delay(REST_WINDOW_MS);
  const seconds = (performance.now() - startedAt) / 1000;
  const chunksAfter = chunks();
  const after = await stats();
  for (const id of ids) c.send(id, 'loud');
  const rate = (id: string) => {
    const a = chunksAfter.get(id);
    const b = chunksBefore.get(id);
    return a === undefined || b === undefined ? undefined : (a - b) / seconds;
  };
  const waiters = ids.filter((id) => id !== c.leader).map(rate);
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    leaderRequestsPerSecond: rate(c.leader),
    waiterRequestsPerSecond: waiters.some((w) => w === undefined) ? undefined : mean(waiters as number[]),
    cpuPercent: mean(ids.map((_, i) => (((after[i]?.cpuMs ?? 0) - (before[i]?.cpuMs ?? 0)) / (seconds * 1000)) * 100)),
    rssMb: mean(after.map((s) => (s.rssBytes ?? 0) / 2 ** 20)),
  };
}

/**
 * One graceful handoff: the leader resigns, the time until another reports leading is taken,
 * the old leader campaigns again once its resign completed, and the waiters settle into
 * waiting (at a random phase of their retry period) before the next trial. Resolves with the
 * handoff's time, ms.
 */
export async function handoffOnce(c: Contenders): Promise<number> {
  const mark = c.mark;
  const previous = c.leader;
  const sentAt = performance.now();
  c.send(previous, 'resign');
  const next = await c.nextLeaderMust(mark, previous, `a leader after ${previous} resigned`);
  await c.next(mark, (r) => r.id === previous && r.event === 'resigned', `${previous}'s resign to complete`);
  c.send(previous, 'campaign');
  await delay(200 + Math.random() * 200);
  return next.at - sentAt;
}

/** Graceful handoffs, each time pushed onto `times` as it is taken. */
async function handoffs(c: Contenders, plan: TrialPlan, times: number[]): Promise<void> {
  for (let i = 0; i < plan.handoffs; i++) times.push(await handoffOnce(c));
}

/** Crash failovers, each time pushed onto `times` as it is taken. */
async function crashes(c: Contenders, plan: TrialPlan, times: number[]): Promise<void> {
  for (let i = 0; i < plan.crashes; i++) {
    await randomPhase(plan);
    const mark = c.mark;
    const previous = c.leader;
    const killedAt = performance.now();
    await c.remove(previous);
    const next = await c.nextLeaderMust(mark, previous, `a leader after ${previous} was killed`, plan.effectiveTtlMs * 3);
    times.push(next.at - killedAt);
    await c.spawn(true);
    await delay(300);
  }
}

/** The old leader's acts, and whether it exited, between `mark` and now. */
function oldLeaderAfter(c: Contenders, mark: number, id: string, from: number) {
  const acts = c.reports.slice(mark).filter((r) => r.id === id && r.event === 'act');
  const late = acts.filter((r) => r.at > from);
  return {
    lastAct: acts.at(-1)?.at,
    lateActs: late.length,
    lateForMs: late.length === 0 ? 0 : (late.at(-1) as Report).at - from,
    exited: c.reports.slice(mark).some((r) => r.id === id && r.event === 'exit'),
  };
}

/**
 * Freeze: SIGSTOP the leader for twice the TTL (armed: its first tick after resuming sends
 * leaderWrite()), SIGCONT, watch its acts and its write, then replace it.
 */
async function freeze(c: Contenders, plan: TrialPlan): Promise<FaultOutcome> {
  await randomPhase(plan);
  const old = c.leader;
  const mark = c.mark;
  c.send(old, 'arm');
  await delay(50); // the IPC message is read before the stop
  const child = c.children.get(old);
  const stoppedAt = performance.now();
  child?.kill('SIGSTOP');
  const next = await c.nextLeader(mark, old, 2 * plan.effectiveTtlMs);
  await delay(Math.max(0, stoppedAt + 2 * plan.effectiveTtlMs - performance.now()));
  const resumedAt = performance.now();
  child?.kill('SIGCONT');
  const write = await c.find(mark, (r) => r.id === old && (r.event === 'write' || r.event === 'exit'), AFTER_RESUME_MS);
  await delay(Math.max(0, resumedAt + AFTER_RESUME_MS - performance.now()));
  const seen = oldLeaderAfter(c, mark, old, next === undefined ? Infinity : Math.max(next.at, resumedAt));
  await replace(c, plan, old, next === undefined);
  return {
    takeoverMs: next === undefined ? undefined : next.at - stoppedAt,
    marginMs: next === undefined || seen.lastAct === undefined ? undefined : next.at - seen.lastAct,
    lateActs: seen.lateActs,
    lateForMs: seen.lateForMs,
    write: write?.event === 'write' ? String(write.outcome) : write?.event === 'exit' ? 'process exited' : 'no answer',
    exited: seen.exited,
    stillActing: false,
  };
}

/**
 * Connection loss: stall (no byte either way, sockets open: the host vanished) or cut (every
 * socket closed, new ones refused) the leader's proxy; watch for a takeover within twice the
 * TTL plus 2 s and the old leader's acts until AFTER_TAKEOVER_MS after it; then replace it.
 */
async function loss(c: Contenders, plan: TrialPlan, how: 'stall' | 'cut'): Promise<FaultOutcome> {
  await randomPhase(plan);
  const old = c.leader;
  const proxy = c.proxies.get(old) as TcpProxy;
  const mark = c.mark;
  const faultAt = performance.now();
  if (how === 'stall') proxy.stall({ holdCloses: true });
  else proxy.cut();
  const windowMs = 2 * plan.effectiveTtlMs + 2_000;
  const next = await c.nextLeader(mark, old, windowMs);
  await delay(next === undefined ? 0 : AFTER_TAKEOVER_MS);
  const seen = oldLeaderAfter(c, mark, old, next?.at ?? Infinity);
  const stillActing = seen.lastAct !== undefined && performance.now() - seen.lastAct < 200;
  await replace(c, plan, old, next === undefined);
  return {
    takeoverMs: next === undefined ? undefined : next.at - faultAt,
    marginMs: next === undefined ? undefined : next.at - (seen.lastAct ?? faultAt),
    lateActs: seen.lateActs,
    lateForMs: seen.lateForMs,
    exited: seen.exited,
    stillActing,
  };
}

/**
 * Removes the old leader of a fault trial and starts a new contender in its place; after a
 * fault with no takeover, waits until another leads (the removal frees the old one's lease).
 */
async function replace(c: Contenders, plan: TrialPlan, old: string, leaderless: boolean): Promise<void> {
  const mark = c.mark;
  await c.remove(old);
  await c.spawn(true);
  if (leaderless) {
    await c.nextLeaderMust(mark, old, `a leader after ${old} was removed`, plan.effectiveTtlMs * 3);
  }
  await delay(300);
}

/**
 * From direct connections to one proxy per contender: the leader resigns, every contender is
 * replaced by one behind a proxy (campaigning at once), and the first of them to lead is the
 * leader (the waiters killed may hold candidates until their sessions expire: up to one TTL).
 */
async function useProxies(c: Contenders, plan: TrialPlan): Promise<void> {
  const mark = c.mark;
  c.send(c.leader, 'resign');
  await c.next(mark, (r) => r.id === c.leader && r.event === 'resigned', `${c.leader}'s resign before the move behind proxies`);
  await c.stopAll();
  c.proxied = true;
  const next = c.mark;
  for (let i = 0; i < 3; i++) await c.spawn(true);
  await c.nextLeaderMust(next, '', 'a leader after the move behind proxies', plan.effectiveTtlMs * 3);
  await delay(300);
}

/**
 * Runs one row: first leader, graceful handoffs, crashes (SIGKILL) and freezes (SIGSTOP) over
 * direct connections; then, behind a proxy per contender when the store is reached over TCP,
 * the idle cost and stalls and cuts of the leader's connection.
 */
export async function runAlternativeTrials(plan: TrialPlan, store: AlternativesStore): Promise<AlternativeFigures> {
  const c = new Contenders(plan, store);
  const f = { firstLeaderMs: undefined as number | undefined, handoffMs: [] as number[], failoverMs: [] as number[], freezes: [] as FaultOutcome[], stalls: [] as FaultOutcome[], cuts: [] as FaultOutcome[], rest: undefined as RestFigures | undefined };
  let stage = 'first leader';
  try {
    f.firstLeaderMs = await firstLeader(c);
    stage = 'handoffs';
    await handoffs(c, plan, f.handoffMs);
    stage = 'crashes';
    await crashes(c, plan, f.failoverMs);
    stage = 'freezes';
    for (let i = 0; i < plan.freezes; i++) f.freezes.push(await freeze(c, plan));
    stage = 'the move behind proxies';
    if (store.endpoint !== undefined) await useProxies(c, plan);
    stage = 'the cost at rest';
    f.rest = await rest(c);
    if (store.endpoint !== undefined) {
      stage = 'stalls';
      for (let i = 0; i < plan.losses; i++) f.stalls.push(await loss(c, plan, 'stall'));
      stage = 'cuts';
      for (let i = 0; i < plan.losses; i++) f.cuts.push(await loss(c, plan, 'cut'));
    }
    return f;
  } catch (error) {
    // What was measured stays; the report says where the row stopped and why.
    return { ...f, failed: `in ${stage}: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await c.stopAll();
  }
}
