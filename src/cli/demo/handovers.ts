/**
 * What the demo prints about handovers: each leader change and each bucket move with the time it
 * took, measured on the demo's monotonic clock from the fault that caused it (a kill, a freeze, a
 * graceful stop) or from the moment the old holder let go, and the fenced work done per bucket.
 */
import type { Clock } from '../../clock.js';
import type { DemoNodeMessage } from './demo-node-protocol.js';
import { ranges, seconds, type DemoPrinter } from './demo-printer.js';
import type { LeaderSeen } from './fault-timer.js';

/** How long a fault explains later handovers (ms): past the demo's TTL and offline grace. */
const FAULT_MEMORY_MS = 30_000;

export type FaultKind = 'killed' | 'frozen' | 'stopped';

interface Fault {
  readonly kind: FaultKind;
  readonly at: number;
}

interface Acquisition {
  readonly bucket: string;
  readonly token: number;
  readonly from: string | null;
  /** How long the bucket had no owner, or null when unknown (first placement). */
  readonly gapMs: number | null;
  readonly cause: string;
}

export class Handovers {
  readonly #printer: DemoPrinter;
  readonly #clock: Clock;
  readonly #faults = new Map<string, Fault>();
  #leader: LeaderSeen | null = null;
  /** The last leader seen, kept through a leaderless spell. */
  #lastLeader: LeaderSeen | null = null;
  #leaderlessSince: number | null = null;
  readonly #owner = new Map<string, string>();
  /** When each bucket's current owner acquired it (demo's monotonic clock). */
  readonly #acquiredAt = new Map<string, number>();
  readonly #releasedAt = new Map<string, { nodeId: string; at: number; reason: string }>();
  readonly #pending = new Map<string, Acquisition[]>();
  readonly #writes = new Map<string, number>();
  #refused = 0;

  constructor(printer: DemoPrinter, clock: Clock) {
    this.#printer = printer;
    this.#clock = clock;
  }

  /** The demo did something to `nodeId`: later handovers are timed from now. */
  fault(nodeId: string, kind: FaultKind): void {
    this.#faults.set(nodeId, { kind, at: this.#clock.now() });
  }

  leaderChanged(leader: LeaderSeen | null): void {
    const before = this.#leader ?? this.#lastLeader;
    const first = this.#leader === null && this.#lastLeader === null && this.#leaderlessSince === null;
    this.#leader = leader;
    const now = this.#clock.now();
    if (leader === null) {
      this.#leaderlessSince ??= now;
      return;
    }
    this.#lastLeader = leader;
    const leaderless = this.#leaderlessSince;
    this.#leaderlessSince = null;
    if (first) return;
    const fault = before ? this.#faultOf(before.nodeId, now) : undefined;
    this.#faults.delete(leader.nodeId);
    const from = fault?.at ?? leaderless ?? now;
    const why = fault && before ? `${before.nodeId} was ${fault.kind}` : before ? `${before.nodeId}'s term ended` : 'no leader before';
    this.#printer.say(
      { event: 'handover', what: 'leader', from: before?.nodeId ?? null, to: leader.nodeId, term: leader.term, tookMs: Math.round(now - from), cause: fault?.kind ?? null },
      `leader handover ${before?.nodeId ?? '-'} -> ${leader.nodeId} (term ${before?.term ?? '-'} -> ${leader.term}) took ${seconds(now - from)}: ${why}`,
    );
  }

  #faultOf(nodeId: string, now: number): Fault | undefined {
    const fault = this.#faults.get(nodeId);
    return fault && now - fault.at < FAULT_MEMORY_MS ? fault : undefined;
  }

  /** A bucket event or a work report from a node. */
  message(message: DemoNodeMessage): void {
    const now = this.#clock.now();
    if (message.type === 'released') {
      if (this.#owner.get(message.bucket) === message.nodeId) this.#owner.delete(message.bucket);
      this.#releasedAt.set(message.bucket, { nodeId: message.nodeId, at: now, reason: message.reason });
    } else if (message.type === 'acquired') {
      const before = this.#owner.get(message.bucket) ?? this.#releasedAt.get(message.bucket)?.nodeId ?? null;
      const released = this.#releasedAt.get(message.bucket);
      const fault = before ? this.#faultOf(before, now) : undefined;
      // The bucket stopped being worked at the fault that hit its owner while it held it (a
      // frozen or killed owner says 'released' late or never), else when its owner released it.
      const hit = fault && fault.at >= (this.#acquiredAt.get(message.bucket) ?? -Infinity) ? fault : undefined;
      const releasedHere = released && released.nodeId === before ? released : undefined;
      const since = Math.min(hit?.at ?? Infinity, releasedHere?.at ?? Infinity);
      const gapMs = Number.isFinite(since) ? now - since : null;
      const cause = hit ? hit.kind : releasedHere ? `released (${releasedHere.reason})` : 'placed';
      this.#owner.set(message.bucket, message.nodeId);
      this.#acquiredAt.set(message.bucket, now);
      this.#releasedAt.delete(message.bucket);
      const list = this.#pending.get(message.nodeId) ?? [];
      list.push({ bucket: message.bucket, token: message.token, from: before === message.nodeId ? null : before, gapMs, cause });
      this.#pending.set(message.nodeId, list);
    } else if (message.type === 'work') {
      for (const n of Object.values(message.writes)) this.#writes.set(message.nodeId, (this.#writes.get(message.nodeId) ?? 0) + n);
      this.#refused += message.refused;
    }
  }

  /** Prints the bucket moves gathered since the last call, one line per new owner and source. */
  flush(): void {
    for (const [nodeId, list] of this.#pending) {
      const groups = new Map<string, Acquisition[]>();
      for (const a of list) groups.set(`${a.from ?? ''}|${a.cause}`, [...(groups.get(`${a.from ?? ''}|${a.cause}`) ?? []), a]);
      for (const group of groups.values()) {
        const first = group[0] as Acquisition;
        const gaps = group.map((a) => a.gapMs).filter((g) => g !== null);
        const worst = gaps.length > 0 ? Math.max(...gaps) : null;
        const buckets = group.map((a) => a.bucket);
        const source = first.from ? ` from ${first.from} (${first.cause})` : first.cause === 'placed' ? '' : ` (back after it was ${first.cause})`;
        this.#printer.say(
          { event: 'handover', what: 'buckets', buckets, to: nodeId, from: first.from, tokens: group.map((a) => a.token), cause: first.cause, tookMs: worst === null ? null : Math.round(worst) },
          `buckets ${ranges(buckets)} -> ${nodeId}${source}${worst === null ? '' : `, ${seconds(worst)} without an owner`}`,
        );
      }
    }
    this.#pending.clear();
  }

  /** Prints the fenced work done since the last call: writes per node and the buckets it owns. */
  workSummary(): void {
    const owned = new Map<string, string[]>();
    for (const [bucket, nodeId] of this.#owner) owned.set(nodeId, [...(owned.get(nodeId) ?? []), bucket]);
    const nodes = [...new Set([...owned.keys(), ...this.#writes.keys()])].sort();
    if (nodes.length === 0) return;
    const parts = nodes.map((id) => `${id} ${this.#writes.get(id) ?? 0} on ${ranges(owned.get(id) ?? [])}`);
    this.#printer.say(
      { event: 'work', writes: Object.fromEntries(nodes.map((id) => [id, this.#writes.get(id) ?? 0])), owned: Object.fromEntries(owned), refused: this.#refused },
      `work (fenced writes since last report): ${parts.join(' | ')} | refused ${this.#refused}`,
    );
    this.#writes.clear();
    this.#refused = 0;
  }
}
