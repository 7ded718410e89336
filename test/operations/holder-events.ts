/**
 * Who held what and when, from the JSON log lines of node processes at debug level: the
 * elector's `started leading` / `stopped leading` and each item's `bucket acquired` /
 * `partition released` lines, with each process's wall time (`time`, epoch ms; one machine, one
 * clock). A release is logged before the item's election is resigned and an acquisition after it
 * was won, so on one clock a successor's acquisition never comes before its predecessor's
 * release unless two held the item at once.
 */
export interface HolderEvent {
  readonly time: number;
  readonly nodeId: string;
  /** `leader`, `bucket 3`, `partition res/2`. */
  readonly item: string;
  readonly kind: 'acquired' | 'released';
  /** For releases: `moved`, `closed`, or why the term was lost. */
  readonly reason?: string;
}

/** The holder events of every process's log lines, in time order (a release first among equal times). */
export function holderEvents(processes: readonly (readonly Record<string, unknown>[])[]): HolderEvent[] {
  const events = processes.flatMap((lines) => lines.flatMap((line) => {
    const event = eventOf(line);
    return event === null ? [] : [event];
  }));
  return events.sort((a, b) => a.time - b.time || (a.kind === b.kind ? 0 : a.kind === 'released' ? -1 : 1));
}

function eventOf(line: Record<string, unknown>): HolderEvent | null {
  const { time, nodeId, msg } = line;
  if (typeof time !== 'number' || typeof nodeId !== 'string' || typeof msg !== 'string') return null;
  const reason = typeof line.reason === 'string' ? line.reason : undefined;
  if (msg === 'started leading') return { time, nodeId, item: 'leader', kind: 'acquired' };
  if (msg === 'stopped leading') return { time, nodeId, item: 'leader', kind: 'released', ...(reason === undefined ? {} : { reason }) };
  const match = /^(bucket|partition) (acquired|released)$/.exec(msg);
  if (match === null) return null;
  const [, noun, kind] = match as unknown as [string, 'bucket' | 'partition', 'acquired' | 'released'];
  const id = noun === 'bucket' ? String(line.bucket) : `${String(line.resource)}/${String(line.partition)}`;
  return { time, nodeId, item: `${noun} ${id}`, kind, ...(kind === 'released' && reason !== undefined ? { reason } : {}) };
}

interface Interval {
  readonly nodeId: string;
  readonly start: number;
  readonly end: number;
}

/** Each item's holdings as intervals (an unreleased one ends at Infinity), by item. */
function intervals(events: readonly HolderEvent[]): Map<string, Interval[]> {
  const open = new Map<string, { nodeId: string; start: number }>();
  const done = new Map<string, Interval[]>();
  const push = (item: string, interval: Interval) => done.set(item, [...(done.get(item) ?? []), interval]);
  for (const e of events) {
    const key = `${e.item}\u0000${e.nodeId}`;
    if (e.kind === 'acquired') open.set(key, { nodeId: e.nodeId, start: e.time });
    else {
      const held = open.get(key);
      if (held !== undefined) push(e.item, { ...held, end: e.time });
      open.delete(key);
    }
  }
  for (const [key, held] of open) push(key.split('\u0000')[0] as string, { ...held, end: Infinity });
  return done;
}

/** Pairs of holdings of one item by two nodes that overlap in time (should be none). */
export function overlaps(events: readonly HolderEvent[]): string[] {
  const found: string[] = [];
  for (const [item, list] of intervals(events)) {
    for (const a of list) {
      for (const b of list) {
        if (a !== b && a.nodeId < b.nodeId && a.start < b.end && b.start < a.end) found.push(`${item}: ${a.nodeId} [${a.start}, ${a.end}] and ${b.nodeId} [${b.start}, ${b.end}]`);
      }
    }
  }
  return found;
}

/** Every change of holder: how long the item had none (the previous release to the next acquisition, ms). */
export function holderGaps(events: readonly HolderEvent[]): { item: string; from: string; to: string; at: number; gapMs: number }[] {
  const gaps: { item: string; from: string; to: string; at: number; gapMs: number }[] = [];
  for (const [item, list] of intervals(events)) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const [prev, next] = [sorted[i - 1] as Interval, sorted[i] as Interval];
      if (prev.end !== Infinity && next.start >= prev.end) gaps.push({ item, from: prev.nodeId, to: next.nodeId, at: prev.end, gapMs: next.start - prev.end });
    }
  }
  return gaps;
}
