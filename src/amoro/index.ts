/** Read-only views of an Apache Amoro cluster's HA state (see amoro-ha.ts). */
export { AMORO_DEFAULT_CLUSTER, parseServerInfo, serverInfoText, type AmoroHaView, type AmoroLeader, type AmoroNode, type AmoroServerInfo } from './amoro-ha.js';
export { readAmoroZookeeperHa, amoroBasePath } from './amoro-zk-ha.js';
export { readAmoroDatabaseHa } from './amoro-sql-ha.js';
export { readAmoroHa } from './read-amoro-ha.js';
