/**
 * `baton-cluster/testing`: what a user's tests need to drive baton without servers or waiting:
 * a clock that moves only when told to, and the in-memory store with its fault controls
 * (isolate, heal, expire a session). Unit tests only: the memory store is one process's memory.
 */
export { FakeClock } from '../testing/fake-clock.js';
export { MemoryStore, type IsolateOptions, type MemoryStoreOptions } from '../backends/memory/memory-store.js';
