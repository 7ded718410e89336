/**
 * The owned-items engine: one leader-side placement loop and one node-side follower with the
 * two-step handoff, shared by buckets and partitions (each a thin layer that supplies an
 * OwnedItemsLayout). See owned-items.ts.
 */
export { OwnedItems, type OwnedItemsOptions, type OwnedItemsSession } from './owned-items.js';
export { HANDOFF_RECHECK_MS, ItemPlacement, type ItemPlacementOptions, type PassReport, type PlacementPass, type PlacementTiming } from './item-placement.js';
export { ItemFollower, type ItemFollowerOptions } from './item-follower.js';
export { placeItems, type Placement, type PlaceItemsInput, type StoredPlacement } from './place-items.js';
export type { CorruptReporter, KvOp, OwnedItemsLayout, Standing } from './layout.js';
export { MEMBERS_RECHECK_MS, RETRY_AFTER_ERROR_MS, type PlacementLoopEnd } from './placement-loop.js';
export { MAX_MOVES, type MoveLimits } from './move-throttle.js';
