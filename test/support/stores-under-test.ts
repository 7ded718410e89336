/**
 * The stores suites run against, as `{ name, setup, teardown }`: `setup` prepares the store and
 * resolves with its URL, `teardown` removes it (the SQLite file's folder, the ZooKeeper server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type StandaloneZooKeeper } from './zookeeper-fixture.js';

export interface StoreUnderTest {
  readonly name: string;
  /** Prepares the store; resolves with its URL. */
  setup(): Promise<string>;
  teardown(): Promise<void>;
}

/** A SQLite file in a fresh temporary folder. */
export function sqliteStore(prefix = 'baton-'): StoreUnderTest {
  let dir = '';
  return {
    name: 'SQLite',
    async setup() {
      dir = mkdtempSync(join(tmpdir(), prefix));
      return `sqlite:${join(dir, 'baton.db')}`;
    },
    async teardown() {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A standalone ZooKeeper server of its own. */
export function zookeeperStore(): StoreUnderTest {
  let zk: StandaloneZooKeeper | undefined;
  return {
    name: 'ZooKeeper',
    async setup() {
      zk = await startStandalone();
      return `zookeeper://${zk.connectString}`;
    },
    async teardown() {
      await zk?.close();
    },
  };
}
