/**
 * What holding a role or an item looks like, the same for the cluster leadership, a bucket and a
 * partition: one vocabulary (`acquired` / `released`), one held type, one reason type.
 */
import type { Fence, Leadership } from '../contract/contract.js';

/**
 * What the holder of a role or an item gets for one term.
 * - `token`: the term, the fencing token; it increases with every change of holder.
 * - `fence`: pass it straight to a KV write (`kv.put(key, value, { fence })`): the write lands
 *   only while this term is still held, checked by the store in the same operation.
 * - `signal`: aborts when the holding ends (moved, lost, closed). Stop acting then. Reading
 *   `signal.aborted` judges the term's deadline first (src/judged-signal.ts), so it is current
 *   even right after the process resumes from a pause.
 */
export interface Held {
  readonly token: number;
  readonly fence: Fence;
  readonly signal: AbortSignal;
}

/**
 * Why a holding ended:
 * - `moved`: given up on purpose (the leader placed the item elsewhere, a transfer, a resign);
 * - `lost`: the term or the session ended without this node asking (deadline, session loss,
 *   taken over, connection lost);
 * - `closed`: this node is closing or leaving.
 */
export type ReleaseReason = 'moved' | 'lost' | 'closed';

/** The held view of an election term; the signal is the term's own (judged when read). */
export function heldOf(leadership: Leadership): Held {
  return { token: leadership.term, fence: leadership.fence, get signal() { return leadership.signal; } };
}
