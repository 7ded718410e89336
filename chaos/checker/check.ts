/**
 * The checker's judgement of one run, from its histories only:
 * 1. overlaps: two processes acting for one key at the same time (segments.ts);
 * 2. stale writes accepted: the register accepted a token lower than one it had accepted before
 *    for the key, a token already used by another process, or a write made outside the writer's
 *    acting while another process was acting for the key;
 * 3. unavailability: every stretch without a holder between `settled` and `quiescent`, measured
 *    from its start, from the last fault begun inside it, or from the end of a degraded-store
 *    episode it overlaps (`fromHeal`), against its bound: the
 *    graceful bound when the last holder released the key on purpose (moved, closed, resigned)
 *    away from any crash-like fault, else its key's crash bound;
 * 4. orphans: keys with no holder at `quiescent`.
 */
import type { ControllerEvent, History, Key } from '../history.js';
import { actingSegments, lastTime, type Segment } from './segments.js';

export type ViolationKind = 'overlap' | 'stale write accepted' | 'token reused' | 'unavailable too long' | 'orphan' | 'incomplete run';

export interface Violation {
  readonly kind: ViolationKind;
  readonly key: Key | null;
  readonly message: string;
  /** The window of the history that shows it (ns). */
  readonly from: bigint;
  readonly to: bigint;
}

export interface RunVerdict {
  readonly history: History;
  readonly faults: number;
  readonly overlaps: number;
  readonly staleAccepted: number;
  readonly staleRefused: number;
  /** Worst wait for a holder, ms, its key, and that key's bound. */
  readonly worstGapMs: number;
  readonly worstGapKey: Key | null;
  readonly worstGapBoundMs: number;
  readonly orphans: number;
  readonly violations: readonly Violation[];
}

const NS_PER_MS = 1_000_000n;
const ms = (ns: bigint) => Number(ns / 1_000n) / 1_000;

function crashBoundOf(history: History, key: Key): number {
  const kind = key.split('/')[0] as 'leader' | 'bucket' | 'partition';
  return history.info.bounds[kind];
}

/** End reasons of a release on purpose (handoff-slots.ts, leader-elector.ts). */
const GRACEFUL_REASON = /released: (moved|closed)$|ended: resigned$/;

/** [fault, heal + longest bound] of every fault not marked graceful: their effects last that long. */
function crashWindows(history: History, last: bigint): [bigint, bigint][] {
  const longest = BigInt(Math.max(history.info.bounds.leader, history.info.bounds.bucket, history.info.bounds.partition)) * NS_PER_MS;
  const out: [bigint, bigint][] = [];
  let from: bigint | null = null;
  for (const e of history.controller) {
    if (e.ev === 'fault' && !e.graceful) from = BigInt(e.t);
    if (e.ev === 'heal' && from !== null) {
      out.push([from, BigInt(e.t) + longest]);
      from = null;
    }
  }
  if (from !== null) out.push([from, last]);
  return out;
}

function eventTime(controller: readonly ControllerEvent[], ev: ControllerEvent['ev']): bigint | null {
  const event = controller.find((e) => e.ev === ev);
  return event ? BigInt(event.t) : null;
}

/** Store-wide fault episodes [fault, heal]. */
function fromHealEpisodes(controller: readonly ControllerEvent[], last: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let from: bigint | null = null;
  for (const e of controller) {
    if (e.ev === 'fault' && e.fromHeal) from = BigInt(e.t);
    if (e.ev === 'heal' && e.fromHeal && from !== null) {
      out.push([from, BigInt(e.t)]);
      from = null;
    }
  }
  if (from !== null) out.push([from, last]);
  return out;
}

function overlaps(segments: readonly Segment[]): Violation[] {
  const out: Violation[] = [];
  const active: Segment[] = [];
  for (const segment of segments) {
    for (let i = active.length - 1; i >= 0; i--) if (active[i]!.end <= segment.start) active.splice(i, 1);
    for (const other of active) {
      if (other.key !== segment.key || other.pid === segment.pid || other.end <= segment.start) continue;
      const overlapMs = ms((other.end < segment.end ? other.end : segment.end) - segment.start);
      out.push({
        kind: 'overlap',
        key: segment.key,
        message: `${segment.key}: ${other.node} (pid ${other.pid}, token ${other.token}) and ${segment.node} (pid ${segment.pid}, token ${segment.token}) both acted for ${overlapMs} ms`,
        from: other.start,
        to: segment.end > other.end ? segment.end : other.end,
      });
    }
    active.push(segment);
  }
  return out;
}

function staleWrites(history: History, segments: readonly Segment[]): { violations: Violation[]; refused: number } {
  const violations: Violation[] = [];
  let refused = 0;
  const highest = new Map<Key, { token: number; pid: number }>();
  const byKey = new Map<Key, Segment[]>();
  for (const s of segments) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  for (const event of history.register) {
    if (event.result === 'stale') refused++;
    if (event.result === 'reused') {
      violations.push({ kind: 'token reused', key: event.key, message: `${event.key}: ${event.node} (pid ${event.pid}) used token ${event.token}, already used by another process`, from: BigInt(event.t), to: BigInt(event.t) });
    }
    if (event.result !== 'accepted') continue;
    const t = BigInt(event.t);
    const top = highest.get(event.key);
    if (top !== undefined && (event.token < top.token || (event.token === top.token && event.pid !== top.pid))) {
      violations.push({ kind: 'stale write accepted', key: event.key, message: `${event.key}: the register accepted token ${event.token} from ${event.node} (pid ${event.pid}) after token ${top.token}`, from: t, to: t });
    }
    if (top === undefined || event.token >= top.token) highest.set(event.key, { token: event.token, pid: event.pid });
    // A write outside the writer's own acting (an overlap is reported as such) while another acted.
    const inside = (s: Segment) => s.start <= t && t <= s.end;
    const own = (byKey.get(event.key) ?? []).some((s) => s.pid === event.pid && inside(s));
    const other = own ? undefined : (byKey.get(event.key) ?? []).find((s) => s.pid !== event.pid && s.start < t && t < s.end);
    if (other) {
      violations.push({ kind: 'stale write accepted', key: event.key, message: `${event.key}: the register accepted a ${event.op} of ${event.node} (pid ${event.pid}, token ${event.token}) while ${other.node} (pid ${other.pid}, token ${other.token}) acted`, from: other.start, to: t });
    }
  }
  return { violations, refused };
}

interface Gap {
  readonly key: Key;
  readonly from: bigint;
  readonly to: bigint;
  readonly waitMs: number;
  readonly boundMs: number;
  readonly graceful: boolean;
}

function gaps(history: History, segments: readonly Segment[], from: bigint, to: bigint): Gap[] {
  const last = lastTime(history);
  const episodes = fromHealEpisodes(history.controller, last);
  const crashes = crashWindows(history, last);
  const disturbances = history.controller.filter((e) => e.ev === 'fault').map((e) => BigInt(e.t));
  const out: Gap[] = [];
  for (const key of history.info.keys) {
    const mine = segments.filter((s) => s.key === key && s.end > from && s.start < to);
    let covered = from;
    let lastHolder: Segment | null = null;
    const push = (g0: bigint, g1: bigint) => {
      // The bound runs from the last disturbance: the gap's start, a fault begun inside it (a new
      // fault restarts the chain), the heal of a degraded-store episode it overlaps.
      let ref = g0;
      for (const t of disturbances) if (t > ref && t < g1) ref = t;
      for (const [f0, f1] of episodes) if (f0 < g1 && f1 > ref) ref = f1;
      const graceful = lastHolder !== null && GRACEFUL_REASON.test(lastHolder.endReason ?? '') && !crashes.some(([c0, c1]) => c0 <= g0 && g0 <= c1);
      const boundMs = graceful ? history.info.bounds.graceful : crashBoundOf(history, key);
      out.push({ key, from: g0, to: g1, waitMs: Math.max(0, Number((g1 - ref) / NS_PER_MS)), boundMs, graceful });
    };
    for (const s of mine) {
      if (s.start > covered) push(covered, s.start);
      if (s.end > covered) {
        covered = s.end;
        lastHolder = s;
      }
    }
    if (covered < to) push(covered, to);
  }
  return out;
}

export function checkRun(history: History): RunVerdict {
  const segments = actingSegments(history);
  const violations: Violation[] = [];
  const settled = eventTime(history.controller, 'settled');
  const quiescent = eventTime(history.controller, 'quiescent');
  if (settled === null || quiescent === null) {
    violations.push({ kind: 'incomplete run', key: null, message: `the run has no ${settled === null ? 'settled' : 'quiescent'} event: it did not finish`, from: 0n, to: lastTime(history) });
  }
  violations.push(...overlaps(segments));
  const stale = staleWrites(history, segments);
  violations.push(...stale.violations);
  let worst: Gap | null = null;
  let orphans = 0;
  if (settled !== null && quiescent !== null) {
    for (const gap of gaps(history, segments, settled, quiescent)) {
      if (worst === null || gap.waitMs / gap.boundMs > worst.waitMs / worst.boundMs) worst = gap;
      if (gap.waitMs > gap.boundMs) {
        const after = gap.graceful ? 'after a graceful release' : 'after a fault';
        violations.push({ kind: 'unavailable too long', key: gap.key, message: `${gap.key}: no holder for ${gap.waitMs} ms ${after} (bound ${gap.boundMs} ms)`, from: gap.from, to: gap.to });
      }
    }
    for (const key of history.info.keys) {
      const holders = segments.filter((s) => s.key === key && s.start <= quiescent && s.end >= quiescent);
      if (holders.length === 0) {
        orphans++;
        violations.push({ kind: 'orphan', key, message: `${key}: nobody holds it at quiescence`, from: quiescent - 10_000n * NS_PER_MS, to: quiescent });
      }
    }
  }
  return {
    history,
    faults: history.controller.filter((e) => e.ev === 'fault').length,
    overlaps: violations.filter((v) => v.kind === 'overlap').length,
    staleAccepted: violations.filter((v) => v.kind === 'stale write accepted' || v.kind === 'token reused').length,
    staleRefused: stale.refused,
    worstGapMs: worst?.waitMs ?? 0,
    worstGapKey: worst?.key ?? null,
    worstGapBoundMs: worst?.boundMs ?? 0,
    orphans,
    violations,
  };
}
