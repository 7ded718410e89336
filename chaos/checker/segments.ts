/**
 * From a run's histories to the time each process acted for each key: the interval from the
 * register's accepted `begin` to the `end` (or the process's death), cut where the controller
 * froze the process. A frozen process executes nothing; after its thaw, it counts as acting again
 * only if the register accepted a write from it in that term (otherwise it only noticed the term
 * was over and said so).
 */
import type { ControllerEvent, History, Key, RegisterEvent } from '../history.js';

export interface Segment {
  readonly key: Key;
  readonly pid: number;
  readonly node: string;
  readonly token: number;
  readonly start: bigint;
  readonly end: bigint;
  /** Why the term ended, when the process said so (its `end`); absent for a freeze or a death. */
  readonly endReason?: string;
}

interface Open {
  readonly node: string;
  readonly token: number;
  readonly start: bigint;
  readonly writes: bigint[];
}

/** When each process was last able to act: its kill, else its exit (controller times). */
export function deaths(controller: readonly ControllerEvent[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const event of controller) {
    if ((event.ev === 'kill' || event.ev === 'exit') && event.pid !== undefined && !out.has(event.pid)) out.set(event.pid, BigInt(event.t));
  }
  return out;
}

/** Per process, its frozen spans [freeze, thaw) (a thaw that never came: until its death). */
export function frozenSpans(controller: readonly ControllerEvent[], lastT: bigint): Map<number, [bigint, bigint][]> {
  const out = new Map<number, [bigint, bigint][]>();
  const open = new Map<number, bigint>();
  for (const event of controller) {
    if (event.pid === undefined) continue;
    if (event.ev === 'freeze') open.set(event.pid, BigInt(event.t));
    if (event.ev === 'thaw' && open.has(event.pid)) {
      out.set(event.pid, [...(out.get(event.pid) ?? []), [open.get(event.pid)!, BigInt(event.t)]]);
      open.delete(event.pid);
    }
  }
  for (const [pid, from] of open) out.set(pid, [...(out.get(pid) ?? []), [from, lastT]]);
  return out;
}

export function lastTime(history: History): bigint {
  let last = 0n;
  for (const e of [...history.register, ...history.controller]) if (BigInt(e.t) > last) last = BigInt(e.t);
  return last;
}

function cutByFreezes(key: Key, pid: number, term: Open, end: bigint, spans: readonly [bigint, bigint][], endReason: string | undefined): Segment[] {
  const base = { key, pid, node: term.node, token: term.token };
  const out: Segment[] = [];
  let from = term.start;
  let afterThaw = false;
  for (const [frozenAt, thawedAt] of spans) {
    if (thawedAt <= from || frozenAt >= end) continue;
    if (frozenAt > from && (!afterThaw || term.writes.some((w) => w >= from && w <= frozenAt))) out.push({ ...base, start: from, end: frozenAt });
    from = thawedAt;
    afterThaw = true;
  }
  if (from < end && (!afterThaw || term.writes.some((w) => w >= from && w <= end))) out.push({ ...base, start: from, end, ...(endReason === undefined ? {} : { endReason }) });
  return out;
}

/** Every acting segment of the run, in order of start. */
export function actingSegments(history: History): Segment[] {
  const last = lastTime(history);
  const died = deaths(history.controller);
  const frozen = frozenSpans(history.controller, last);
  const open = new Map<string, Open>();
  const segments: Segment[] = [];
  const close = (key: Key, pid: number, term: Open, end: bigint, reason?: string) => segments.push(...cutByFreezes(key, pid, term, end, frozen.get(pid) ?? [], reason));
  for (const event of history.register as readonly RegisterEvent[]) {
    const id = `${event.key}\u0000${event.pid}`;
    const t = BigInt(event.t);
    if (event.op === 'begin' && event.result === 'accepted') {
      const previous = open.get(id);
      if (previous) close(event.key, event.pid, previous, t);
      open.set(id, { node: event.node, token: event.token, start: t, writes: [] });
    } else if (event.op === 'write' && event.result === 'accepted') {
      open.get(id)?.writes.push(t);
    } else if (event.op === 'end') {
      const term = open.get(id);
      if (term && term.token === event.token) {
        close(event.key, event.pid, term, t, event.reason ?? 'unknown');
        open.delete(id);
      }
    }
  }
  for (const [id, term] of open) {
    const [key, pid] = id.split('\u0000') as [Key, string];
    close(key, Number(pid), term, died.get(Number(pid)) ?? last);
  }
  return segments.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
