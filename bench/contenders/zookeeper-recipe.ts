/**
 * A hand-written ZooKeeper leader election on `node-zookeeper-client`, the recipe ZooKeeper's
 * documentation and Curator's LeaderLatch describe: each contender creates an ephemeral
 * sequential znode under the election's path; the lowest leads; every other watches only the
 * znode just before its own and looks again when it goes. The client's `disconnected` and
 * `expired` events end leadership (Curator's rule: a suspended connection is not leading).
 * Session timeout: the row's TTL, else the library's default (30 s). Resign deletes the znode;
 * the write is a setData on the same client (refused by the server once the session expired).
 */
import { createRequire } from 'node:module';
import type { OpenContender } from './contender.js';

interface ZkError extends Error {
  getCode(): number;
}
type Callback<T> = (error: ZkError | null, result: T) => void;
interface ZkClient {
  connect(): void;
  once(event: 'connected', listener: () => void): void;
  on(event: 'disconnected' | 'expired', listener: () => void): void;
  mkdirp(path: string, callback: Callback<string>): void;
  create(path: string, data: Buffer, mode: number, callback: Callback<string>): void;
  getChildren(path: string, callback: Callback<string[]>): void;
  exists(path: string, watcher: () => void, callback: Callback<object | null>): void;
  remove(path: string, version: number, callback: Callback<void>): void;
  setData(path: string, data: Buffer, version: number, callback: Callback<object>): void;
}
interface ZkLibrary {
  createClient(connect: string, options: { sessionTimeout?: number }): ZkClient;
  CreateMode: { EPHEMERAL_SEQUENTIAL: number };
  Exception: { SESSION_EXPIRED: number };
}
const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as ZkLibrary;

/** Calls `fn` with a node-style callback and settles with its outcome. */
function call<T>(fn: (callback: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

export const open: OpenContender = async ({ address, id, election, ttlMs }) => {
  const client = zookeeper.createClient(address, ttlMs === undefined ? {} : { sessionTimeout: ttlMs });
  await new Promise<void>((resolve) => {
    client.once('connected', resolve);
    client.connect();
  });
  const dir = `/bench-recipe/${election}`;
  await call<string>((cb) => client.mkdirp(dir, cb));
  let mine: string | undefined;
  let leading = false;
  const stop = () => (leading = false);
  client.on('disconnected', stop);
  client.on('expired', stop);

  /** Resolves once `mine` is the lowest znode: steps 2-3 of the recipe, again on every watch. */
  async function waitForTurn(): Promise<void> {
    for (;;) {
      const children = (await call<string[]>((cb) => client.getChildren(dir, cb))).sort();
      const index = children.indexOf(mine?.slice(dir.length + 1) ?? '');
      if (index === 0) return;
      if (index < 0) throw new Error(`znode ${String(mine)} is gone (session expired)`);
      const predecessor = `${dir}/${children[index - 1] as string}`;
      const gone = new Promise<void>((resolve) => {
        client.exists(predecessor, () => resolve(), (error, stat) => (error || stat === null ? resolve() : undefined));
      });
      await gone;
    }
  }

  return {
    async campaign() {
      mine = await call<string>((cb) => client.create(`${dir}/n_`, Buffer.from(id), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
      await waitForTurn();
      leading = true;
    },
    isLeader: () => leading,
    async resign() {
      leading = false;
      const path = mine;
      mine = undefined;
      if (path !== undefined) await call<void>((cb) => client.remove(path, -1, cb));
    },
    async leaderWrite() {
      try {
        await call<object>((cb) => client.setData(dir, Buffer.from(id), -1, cb));
        return 'accepted';
      } catch (error) {
        if ((error as ZkError).getCode?.() === zookeeper.Exception.SESSION_EXPIRED) return 'refused';
        throw error;
      }
    },
  };
};
