/**
 * The stores suites run against, as `{ name, setup, teardown }`: `setup` prepares the store and
 * resolves with its URL, `teardown` removes it (the SQLite file's folder, the database, the
 * ZooKeeper or etcd server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from './etcd-fixture.js';
import type { SqlFixture } from './sqlite-fixture.js';
import { startStandalone } from './zookeeper-fixture.js';

export interface StoreUnderTest {
  readonly name: string;
  /** Prepares the store; resolves with its URL. */
  setup(): Promise<string>;
  teardown(): Promise<void>;
}

/** A store prepared: its URL, and how to remove it. */
interface PreparedStore {
  readonly url: string;
  remove(): Promise<void>;
}

/** The store `prepare` makes on setup, removed on teardown (nothing to remove when setup never ran). */
function storeUnderTest(name: string, prepare: () => Promise<PreparedStore>): StoreUnderTest {
  let prepared: PreparedStore | undefined;
  return {
    name,
    async setup() {
      prepared = await prepare();
      return prepared.url;
    },
    async teardown() {
      await prepared?.remove();
    },
  };
}

/** A SQLite file in a fresh temporary folder. */
export function sqliteStore(prefix = 'baton-'): StoreUnderTest {
  return storeUnderTest('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    return { url: `sqlite:${join(dir, 'baton.db')}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  });
}

/** A standalone ZooKeeper server of its own. */
export function zookeeperStore(): StoreUnderTest {
  return storeUnderTest('ZooKeeper', async () => {
    const zk = await startStandalone();
    return { url: `zookeeper://${zk.connectString}`, remove: () => zk.close() };
  });
}

/** An etcd server of its own. */
export function etcdStore(): StoreUnderTest {
  return storeUnderTest('etcd', async () => {
    const etcd = await startEtcd();
    return { url: etcd.url(), remove: () => etcd.close() };
  });
}

/** A database of its own from a SQL fixture (createPostgresFixture, createMysqlFixture, ...). */
export function sqlStore(name: string, createFixture: () => Promise<SqlFixture>): StoreUnderTest {
  return storeUnderTest(name, async () => {
    const fixture = await createFixture();
    return { url: fixture.url, remove: () => fixture.teardown() };
  });
}
