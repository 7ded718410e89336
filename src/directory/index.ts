/** The metadata store directory service: Helix-compatible REST routing data kept in ZooKeeper. */
export { startDirectoryServer, DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS, type DirectoryServer, type DirectoryServerOptions, type DirectoryNamespaceConfig } from './directory-server.js';
export { buildDirectoryApp, errorBody, type DirectoryAppOptions } from './directory-app.js';
export { DIRECTORY_URL_PREFIX } from './directory-routes.js';
export { DirectoryClient, type DirectoryClientOptions } from './directory-client.js';
export { MemoryDirectoryStore, validateNamespace, DEFAULT_NAMESPACE, type DirectoryStore, type RoutingSnapshot } from './directory-store.js';
export { ZkDirectoryStore, DEFAULT_DIRECTORY_ROOT, type ZkNamespace } from './zk-directory-store.js';
export { RoutingEditor, MAX_WRITE_ATTEMPTS } from './routing-editor.js';
