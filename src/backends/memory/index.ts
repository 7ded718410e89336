export { MemoryStore, createStandaloneBackend, type MemoryStoreOptions, type IsolateOptions } from './memory-store.js';
