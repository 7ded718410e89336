/**
 * Draining nodes in a placement pass (issue 19), written once for the leader's pass and the
 * plan that previews it: a node that drains by the shared rule (drainingNow) is placed like a
 * graceful leaver, so its items go to the other live nodes at once and nothing new comes to it.
 */
import type { Member } from '../contract/contract.js';
import { drainingNow } from '../operations/drain-request.js';
import type { StoredPlacement } from './place-items.js';

export interface DrainAdjusted {
  /** The live members to place over: those that do not drain. */
  readonly placing: readonly Member[];
  /** The stored placement with the draining nodes among the graceful leavers. */
  readonly stored: StoredPlacement;
  /** The nodes that drain now (none when every live node was asked). */
  readonly draining: ReadonlySet<string>;
}

export function withoutDraining(members: readonly Member[], stored: StoredPlacement, requested: { has(nodeId: string): boolean }): DrainAdjusted {
  const draining = drainingNow(members.map((m) => m.nodeId), requested);
  if (draining.size === 0) return { placing: members, stored, draining };
  return {
    placing: members.filter((m) => !draining.has(m.nodeId)),
    stored: { ...stored, departed: new Set([...stored.departed, ...draining]) },
    draining,
  };
}
