/**
 * Step 2 of the algorithm: hold still while nodes are in grace. A node going into its grace
 * freezes its slots; if the stored assignment is otherwise whole, nothing among the live nodes
 * moves either: not slots, and not primary roles (the fair shares of the live nodes change only
 * because the grace nodes' slots are frozen, which is no reason to move anything). Balance over
 * the live nodes is restored once the grace ends or something else changes.
 */
import type { ItemState } from './item-state.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

/**
 * True when the engine must return the stored lists as they are:
 * 1. some item lists a node in grace (else there is nothing frozen to hold for);
 * 2. every item lists only live and grace nodes, and exactly the live slots it needs;
 * 3. every live node that holds nothing has a fair share below one slot (a joiner that is owed
 *    slots makes the engine run).
 */
export function holdsDuringGrace(plan: Plan, states: readonly ItemState[], bounds: Bounds): boolean {
  if (plan.grace.size === 0) return false;
  let frozen = false;
  const holds = new Array<boolean>(plan.nodes.length).fill(false);
  for (const state of states) {
    let live = 0;
    for (const id of state.stored) {
      const node = plan.indexOf.get(id);
      if (node !== undefined) {
        holds[node] = true;
        live++;
      } else if (plan.grace.has(id)) frozen = true;
      else return false;
    }
    if (live !== state.need) return false;
  }
  return frozen && holds.every((held, node) => held || bounds.floor[node] === 0);
}
