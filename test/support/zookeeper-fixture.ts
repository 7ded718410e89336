/**
 * Real ZooKeeper servers for tests and benchmarks, started from Debian's `zookeeper` package as
 * child JVMs on free loopback ports. Always `close()` what you start (in `after`): it kills
 * every JVM and removes the temp directory, even when a test failed.
 *
 * @example
 * const zk = await startStandalone();
 * after(() => zk.close());
 * const backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'c1' });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Peer, ServerOptions } from './zookeeper-server.js';
import { cutFromPeers, type PeerCut } from './peer-cut.js';
import { ZooKeeperServer, checkInstalled, fourLetterWord, freePort } from './zookeeper-server.js';
import { waitFor } from './wait.js';

export { ZooKeeperServer, fourLetterWord, TICK_MS, MIN_SESSION_TIMEOUT_MS } from './zookeeper-server.js';

export interface StandaloneZooKeeper {
  readonly server: ZooKeeperServer;
  /** `127.0.0.1:port` */
  readonly connectString: string;
  /** Kills the server (its data stays, so `restart()` brings the same sessions and znodes back). */
  stop(): Promise<void>;
  /** Starts it again and waits until it serves. */
  restart(): Promise<void>;
  /** Kills it and removes its files. Idempotent. */
  close(): Promise<void>;
}

export interface ZooKeeperEnsemble {
  readonly servers: readonly ZooKeeperEnsembleMember[];
  /** Every member: `127.0.0.1:p1,127.0.0.1:p2,...` */
  readonly connectString: string;
  /** Waits until at least `count` members serve (a quorum when count is a majority). */
  waitServing(count?: number): Promise<void>;
  /** Kills every member and removes their files. Idempotent. */
  close(): Promise<void>;
}

export interface ZooKeeperEnsembleMember {
  readonly id: number;
  readonly connectString: string;
  readonly running: boolean;
  stop(): Promise<void>;
  /** Starts the member again (returns at once; see the ensemble's `waitServing`). */
  start(): void;
  /** Freezes the member (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** The member's mode: 'leader', 'follower', or '' when it is not serving. */
  mode(): Promise<string>;
  /**
   * Cuts the member silently from its peers, its clients still answered (needs `ownUids`; see
   * peer-cut.ts). `heal()` the returned cut; the ensemble's `close()` heals it too.
   */
  cutFromPeers(): PeerCut;
}

export interface EnsembleOptions {
  /** Ticks a follower may lag behind the leader (ZooKeeper's syncLimit). Default 8 (2 s). */
  readonly syncLimit?: number;
  /** Run each member under a uid of its own so that `cutFromPeers` works (root only). */
  readonly ownUids?: boolean;
}

/**
 * First uid handed to ensemble members with `ownUids`: far above any real account, spread by
 * process id so two test processes never share one (a rule matches every process of a uid).
 */
const UID_BASE = 200_000;

/** Starts one standalone server and waits until it serves. */
export async function startStandalone(): Promise<StandaloneZooKeeper> {
  checkInstalled();
  const dir = mkdtempSync(join(os.tmpdir(), 'baton-zk-'));
  const server = new ZooKeeperServer(dir, { id: 1, clientPort: await freePort(), peerPort: 0, electionPort: 0 }, []);
  const close = once(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    server.start();
    await server.waitServing();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    server,
    connectString: server.connectString,
    stop: () => server.stop(),
    restart: async () => {
      server.start();
      await server.waitServing();
    },
    close,
  };
}

/** Starts an ensemble of `size` servers (3 or 5) and waits until all serve. */
export async function startEnsemble(size = 3, options: EnsembleOptions = {}): Promise<ZooKeeperEnsemble> {
  checkInstalled();
  const dir = mkdtempSync(join(os.tmpdir(), 'baton-zk-ensemble-'));
  const peers: Peer[] = [];
  for (let id = 1; id <= size; id++) {
    peers.push({ id, clientPort: await freePort(), peerPort: await freePort(), electionPort: await freePort() });
  }
  const serverOptions = (id: number): ServerOptions => ({
    syncLimit: options.syncLimit,
    uid: options.ownUids ? UID_BASE + (process.pid % 100_000) * 8 + id : undefined,
  });
  const servers = peers.map((peer) => new ZooKeeperServer(join(dir, `server-${peer.id}`), peer, peers, serverOptions(peer.id)));
  const cuts = new Set<PeerCut>();
  const close = once(async () => {
    for (const cut of cuts) cut.heal();
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const waitServing = async (count = size) => {
    await waitFor(`${count} of ${size} ZooKeeper servers to serve`, async () => {
      const modes = await Promise.all(servers.map((s) => (s.running ? modeOf(s) : Promise.resolve(''))));
      return modes.filter((m) => m !== '').length >= count;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  };
  try {
    for (const server of servers) server.start();
    await waitServing(size);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    servers: servers.map((s) => ({
      id: s.id,
      connectString: s.connectString,
      get running() {
        return s.running;
      },
      stop: () => s.stop(),
      start: () => s.start(),
      pause: () => s.pause(),
      resume: () => s.resume(),
      mode: () => modeOf(s),
      cutFromPeers: () => {
        if (s.uid === undefined) throw new Error('cutFromPeers needs an ensemble started with { ownUids: true }');
        const cut = cutFromPeers(s.uid, s.clientPort);
        cuts.add(cut);
        return cut;
      },
    })),
    connectString: servers.map((s) => s.connectString).join(','),
    waitServing,
    close,
  };
}

async function modeOf(server: ZooKeeperServer): Promise<string> {
  const text = await fourLetterWord(server.clientPort, 'srvr', 1_000);
  return /Mode: (\w+)/.exec(text)?.[1] ?? '';
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
