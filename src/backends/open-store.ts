/**
 * `openStore(url, options)`: one entry point from a store URL to a connected Backend.
 * Schemes: `sqlite:PATH`, `postgres://`/`postgresql://`, `mysql://`/`mariadb://`, `zookeeper://`, `etcd://`, `none`
 * (standalone, in memory). Each is one entry of SCHEMES; adding a store means adding a line.
 *
 * @example
 * const backend = await openStore('sqlite:./.baton/baton.db', { cluster: 'demo' });
 */
import path from 'node:path';
import type { Backend } from '../contract/contract.js';
import { raceSignal } from '../async.js';
import { AbortedError, ConfigError } from '../errors.js';
import { createStandaloneBackend } from './memory/index.js';
import { openMysqlBackend } from './sql/mysql/index.js';
import { openPostgresBackend } from './sql/postgres/index.js';
import { openSqliteBackend } from './sql/sqlite/index.js';
import { validateTablePrefix } from './sql/table-prefix.js';
import { displayEtcdAddress, ETCD_URL_EXAMPLE, loadEtcdSecrets, parseEtcdUrl } from './etcd/etcd-url.js';
import { importOptional } from '../optional-package.js';
import { createZookeeperBackend, loadZkAcl, parseZookeeperUrl } from './zookeeper/index.js';
import type { OpenStoreOptions, StoreScheme, StoreUrl } from './store-url.js';
import { parseNetworkUrl, schemeOf } from './store-url.js';

export type { OpenStoreOptions, StoreScheme, StoreUrl } from './store-url.js';

const sqliteScheme: StoreScheme = {
  schemes: ['sqlite'],
  kind: 'sqlite',
  example: 'sqlite:./.baton/baton.db',
  parse(url, scheme) {
    const file = url.slice(scheme.length + 1).replace(/^\/\/(?=\/)/, '');
    if (file.trim() === '' || file.includes('\0')) {
      throw new ConfigError('store', `"${url}" names no database file; expected for example ${this.example}`);
    }
    return Object.freeze({ scheme, kind: 'sqlite', url, display: path.resolve(file) });
  },
  open: (url, options) => openSqliteBackend(url.display, options),
};

const postgresScheme: StoreScheme = {
  schemes: ['postgres', 'postgresql'],
  kind: 'postgres',
  example: 'postgres://user:password@host:5432/database',
  parse(url, scheme) {
    return parseNetworkUrl(url, scheme, 'postgres', this.example);
  },
  open: (url, options) => openPostgresBackend(url.url, options),
};

const mysqlScheme: StoreScheme = {
  schemes: ['mysql', 'mariadb'],
  kind: 'mysql',
  example: 'mysql://user:password@host:3306/database',
  parse(url, scheme) {
    return parseNetworkUrl(url, scheme, 'mysql', this.example);
  },
  open: (url, options) => openMysqlBackend(url.url, options),
};

const noneScheme: StoreScheme = {
  schemes: ['none'],
  kind: 'memory',
  example: 'none',
  parse(url, scheme) {
    if (url.toLowerCase() !== 'none') throw new ConfigError('store', `"${url}": the standalone store is written just "none"`);
    return Object.freeze({ scheme, kind: 'memory', url, display: 'none (standalone, in memory)' });
  },
  open: async (_url, options) => createStandaloneBackend(options.cluster),
};

const zookeeperScheme: StoreScheme = {
  schemes: ['zookeeper'],
  kind: 'zookeeper',
  example: 'zookeeper://host1:2181,host2:2181,host3:2181/chroot[?digest-file=PATH]',
  parse(url, scheme) {
    const { connect, chroot } = parseZookeeperUrl(url);
    return Object.freeze({ scheme, kind: 'zookeeper', url, display: `zookeeper://${connect}${chroot ?? ''}` });
  },
  open: async (url, options) => {
    const { connect, chroot, acl } = parseZookeeperUrl(url.url);
    // The credentials are read only now, when the store opens: never kept in the config.
    return createZookeeperBackend({
      connect,
      chroot,
      cluster: options.cluster,
      clock: options.clock,
      ...(acl ? { acl: loadZkAcl(acl) } : {}),
      ...(options.readOnly === true ? { readOnly: true } : {}),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
  },
};

const etcdScheme: StoreScheme = {
  schemes: ['etcd'],
  kind: 'etcd',
  example: ETCD_URL_EXAMPLE,
  parse(url, scheme) {
    return Object.freeze({ scheme, kind: 'etcd', url, display: displayEtcdAddress(parseEtcdUrl(url)) });
  },
  open: async (url, options) => {
    const address = parseEtcdUrl(url.url);
    // TLS files and the password are read only now, when the store opens: never kept in the config.
    // The gRPC client is an optional peer dependency: loaded only when an etcd store opens.
    const { createEtcdBackend } = await importOptional(() => import('./etcd/etcd-backend.js'), ['@grpc/grpc-js', 'protobufjs'], 'etcd stores (etcd://)');
    return createEtcdBackend({ endpoints: address.endpoints, prefix: address.prefix, cluster: options.cluster, clock: options.clock, ...loadEtcdSecrets(address) });
  },
};

/** Every known kind of store. Add one entry to support another. */
const SCHEMES: readonly StoreScheme[] = [sqliteScheme, postgresScheme, mysqlScheme, zookeeperScheme, etcdScheme, noneScheme];

function allowed(): string {
  return SCHEMES.map((s) => s.example).join(', ');
}

/**
 * Checks a store URL without any I/O. Throws ConfigError('store', ...) for an unknown scheme
 * or a malformed URL, saying which forms are allowed.
 */
export function parseStoreUrl(url: string): StoreUrl {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ConfigError('store', `no store URL given; use one of: ${allowed()}`);
  }
  const scheme = schemeOf(url.trim());
  const entry = SCHEMES.find((s) => s.schemes.includes(scheme));
  if (entry === undefined) {
    throw new ConfigError('store', `unknown store URL scheme "${scheme}" in "${url}"; use one of: ${allowed()}`);
  }
  return entry.parse(url.trim(), scheme);
}

/**
 * Opens the store at `url` for `options.cluster`: validates the URL, the table prefix and the
 * cluster name first (ConfigError / InvalidArgumentError), then connects and, for SQL stores,
 * applies missing schema migrations unless `migrate === false`. Rejects with AbortedError as
 * soon as `options.signal` aborts; a store that opens after that is closed at once.
 */
export async function openStore(url: string, options: OpenStoreOptions): Promise<Backend> {
  const parsed = parseStoreUrl(url);
  if (options.tablePrefix !== undefined) validateTablePrefix(options.tablePrefix);
  const entry = SCHEMES.find((s) => s.schemes.includes(parsed.scheme)) as StoreScheme;
  const what = `opening the store ${parsed.display}`;
  if (options.signal?.aborted) throw new AbortedError(what, options.signal.reason);
  const opening = entry.open(parsed, options);
  try {
    return await raceSignal(opening, options.signal, what);
  } catch (error) {
    if (options.signal?.aborted) void opening.then((late) => late.close()).catch(() => undefined); // nobody will use it
    throw error;
  }
}
