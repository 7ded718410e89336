export type * from './contract.js';
export type { Json, JsonObject } from './json.js';
export { isJsonObject } from './json.js';
export { DEFAULT_TIMING, validateTiming, type SessionTiming } from './timing.js';
export { validateKey, validatePrefix, validateElectionName, validateSegment } from './names.js';
