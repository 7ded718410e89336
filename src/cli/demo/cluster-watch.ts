/**
 * Follows the cluster in the store and reports what changed: members that joined or left,
 * and the leader with its term. Read-only; used by `baton demo`.
 */
import type { Backend } from '../../contract/contract.js';
import { anySignal, pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import { readClusterView, type ClusterView } from '../commands/status.js';

export type ClusterEvent =
  | { readonly type: 'joined'; readonly nodeId: string; readonly info: ClusterView['members'][number]['info'] }
  | { readonly type: 'left'; readonly nodeId: string }
  | { readonly type: 'leader'; readonly nodeId: string | null; readonly term: number | null };

/** What changed from `before` to `after`, in a stable order. */
export function diffViews(before: ClusterView | null, after: ClusterView): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const old = new Set(before?.members.map((m) => m.nodeId) ?? []);
  const now = new Set(after.members.map((m) => m.nodeId));
  for (const m of after.members) if (!old.has(m.nodeId)) events.push({ type: 'joined', nodeId: m.nodeId, info: m.info });
  for (const id of old) if (!now.has(id)) events.push({ type: 'left', nodeId: id });
  const wasLeader = before?.leader ? `${before.leader.nodeId}/${before.leader.term}` : null;
  const isLeader = after.leader ? `${after.leader.nodeId}/${after.leader.term}` : null;
  if (before === null ? isLeader !== null : wasLeader !== isLeader) {
    events.push({ type: 'leader', nodeId: after.leader?.nodeId ?? null, term: after.leader?.term ?? null });
  }
  return events;
}

/**
 * Reads the view every `pollMs` (and whenever the store hints at a change) until `signal`
 * aborts; calls `onChange` with the events and the new view after each change.
 */
export async function watchCluster(
  backend: Backend,
  clock: Clock,
  pollMs: number,
  onChange: (events: ClusterEvent[], view: ClusterView) => void,
  onError: (error: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let view: ClusterView | null = null;
  const hint = new AbortController();
  let wake: AbortController = new AbortController();
  const poke = () => wake.abort();
  signal.addEventListener('abort', () => hint.abort(), { once: true });
  backend.watchMembers(poke, { signal: hint.signal });
  backend.watchLeader(CLUSTER_LEADER_ELECTION, poke, { signal: hint.signal });
  while (!signal.aborted) {
    try {
      const next = await readClusterView(backend);
      const events = diffViews(view, next);
      view = next;
      if (events.length > 0) onChange(events, next);
    } catch (error) {
      if (!signal.aborted) onError(error);
    }
    // Sleep until the next poll, a change hint, or the end.
    wake = new AbortController();
    const nextPoll = anySignal(signal, wake.signal);
    await pause(clock, pollMs, nextPoll);
    nextPoll.dispose();
  }
}
