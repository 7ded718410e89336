/**
 * The options every HandoffSlots test gives alike: numbered items, each its own election
 * `item/N`, logged nowhere, with empty holder info. A test adds what it watches (acquired,
 * released).
 */
import type { Clock } from '../../src/clock.js';
import type { Session } from '../../src/contract/index.js';
import type { ItemElectionsOptions } from '../../src/owned-items/item-campaigns.js';
import { silentLogger } from '../../src/owned-items/silent-logger.js';

export function numberedItems(session: Session, clock: Clock): ItemElectionsOptions<number> {
  return { session, clock, log: silentLogger, noun: 'item', electionOf: (item) => `item/${item}`, info: {} };
}
