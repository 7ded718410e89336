export { heldOf, type Held, type ReleaseReason } from './held.js';
export { HolderListeners, HOLDER_EVENTS, type HolderEvent, type AcquiredListener, type ReleasedListener } from './holder-events.js';
