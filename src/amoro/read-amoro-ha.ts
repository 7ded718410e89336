/**
 * Opens the store an Amoro cluster keeps its HA state in (a `zookeeper://`, `mysql://` or
 * `postgres://` URL, as for `--store`), reads the state once and closes: nothing is written.
 */
import type { CallOptions } from '../contract/contract.js';
import { ConfigError } from '../errors.js';
import { parseStoreUrl } from '../backends/open-store.js';
import { openMysqlConnection } from '../backends/sql/mysql/connection.js';
import { openPostgresConnection } from '../backends/sql/postgres/connection.js';
import type { SqlConnection } from '../backends/sql/dialect.js';
import { ZkClient } from '../zk-client/zk-client.js';
import { parseZookeeperUrl } from '../zk-client/connect-string.js';
import { loadZkAcl } from '../zk-client/zk-acl-source.js';
import type { AmoroHaView } from './amoro-ha.js';
import { readAmoroDatabaseHa } from './amoro-sql-ha.js';
import { readAmoroZookeeperHa } from './amoro-zk-ha.js';

/**
 * How long the reader waits for ZooKeeper to connect, ms: an operator's one-off read should
 * fail within seconds when the ensemble is unreachable, not after a session timeout.
 */
const ZK_CONNECT_TIMEOUT_MS = 5_000;
/** Session timeout asked for the read's short session, ms (no ephemeral state is created). */
const ZK_SESSION_TIMEOUT_MS = 10_000;
/** PostgreSQL's reader listens on a channel of its own, which no one notifies. */
const PG_CHANNEL = 'baton_amoro_reader';

/**
 * Reads cluster `cluster`'s HA state from the store at `url`.
 *
 * @example
 * const view = await readAmoroHa('zookeeper://zk1:2181', 'default');
 * console.log(view.leader?.tableService);
 */
export async function readAmoroHa(url: string, cluster: string, options: CallOptions = {}): Promise<AmoroHaView> {
  const target = parseStoreUrl(url);
  if (target.kind === 'zookeeper') {
    const { connect, chroot, acl } = parseZookeeperUrl(target.url);
    const client = await ZkClient.connect(
      { connect, sessionTimeoutMs: ZK_SESSION_TIMEOUT_MS, connectTimeoutMs: ZK_CONNECT_TIMEOUT_MS, ...(chroot === undefined ? {} : { chroot }), ...(acl ? { acl: loadZkAcl(acl) } : {}) },
      options,
    );
    try {
      return await readAmoroZookeeperHa(client, cluster, options);
    } finally {
      await client.close();
    }
  }
  let connection: SqlConnection;
  if (target.kind === 'postgres') connection = await openPostgresConnection(target.url, PG_CHANNEL);
  else if (target.kind === 'mysql') connection = await openMysqlConnection(target.url);
  else throw new ConfigError('store', `Amoro keeps its HA state in ZooKeeper, MySQL or PostgreSQL; "${target.display}" is none of them`);
  try {
    return await readAmoroDatabaseHa(connection, connection.dialect, cluster);
  } finally {
    await connection.close();
  }
}
