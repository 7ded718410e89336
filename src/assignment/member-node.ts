import type { Member } from '../contract/contract.js';
import type { AssignmentNode } from './types.js';

/**
 * A live member as the engine sees it: its advertised `weight` and `zone` when they are usable
 * (a positive finite weight, a non-empty zone), else the defaults (weight 1, its own zone).
 */
export function memberNode(member: Member): AssignmentNode {
  const { weight, zone } = member.info;
  return {
    id: member.nodeId,
    ...(typeof weight === 'number' && Number.isFinite(weight) && weight > 0 ? { weight } : {}),
    ...(typeof zone === 'string' && zone.length > 0 ? { zone } : {}),
  };
}
