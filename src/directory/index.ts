/** The metadata store directory service: Helix-compatible REST routing data kept in ZooKeeper. */
export { startDirectoryServer, DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS, type DirectoryServer, type DirectoryServerOptions } from './directory-server.js';
export { buildDirectoryApp, type DirectoryAppOptions } from './directory-app.js';
export { DirectoryClient, type DirectoryClientOptions } from './directory-client.js';
export { MemoryDirectoryStore, validateNamespace, type DirectoryStore, type RoutingSnapshot } from './directory-store.js';
export { ZkDirectoryStore, DEFAULT_DIRECTORY_ROOT } from './zk-directory-store.js';
export { RoutingEditor, MAX_WRITE_ATTEMPTS } from './routing-editor.js';
