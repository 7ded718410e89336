/**
 * One real ZooKeeper server (Debian's `zookeeper` package, run as a child JVM of the test) on
 * free loopback ports, with its own temp directory. See zookeeper-fixture.ts for the public
 * entry points (standalone server, ensemble).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/** The server jar from Debian's libzookeeper-java; its manifest names every dependency jar. */
const SERVER_JAR = '/usr/share/java/zookeeper.jar';

/** Every JVM this process started and has not yet seen exit; killed on process exit as a last resort. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Server timing for tests, ms. The tick is ZooKeeper's time unit: session expiry is checked per tick. */
export const TICK_MS = 250;
/** Lowest session timeout the server grants, ms: tests use sessions of 2-4 s. */
export const MIN_SESSION_TIMEOUT_MS = 1_000;
/** How long a server may take to start and serve (JVM start-up on a busy 2-core machine), ms. */
export const START_TIMEOUT_MS = 45_000;

export function checkInstalled(): void {
  if (!existsSync(SERVER_JAR)) {
    throw new Error(`ZooKeeper is not installed (${SERVER_JAR} is missing): run .ci/run, which installs Debian's zookeeper package`);
  }
}

/** A free loopback TCP port (bound once by the OS, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends a four-letter word and resolves with the reply ('' when the server cannot be reached). */
export function fourLetterWord(port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('error', () => undefined); // refused or reset: the empty reply says so
    socket.on('close', () => resolve(reply));
  });
}

/** Per-server options. */
export interface ServerOptions {
  /**
   * Ticks a follower may lag behind (or go unheard by) the leader before either gives up on the
   * link. Default 8 (2 s).
   */
  readonly syncLimit?: number;
  /**
   * Run the JVM under this uid (its files are handed to it), so iptables can match exactly its
   * packets (peer-cut.ts). Needs root.
   */
  readonly uid?: number;
}

export interface Peer {
  readonly id: number;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly electionPort: number;
}

/** One ZooKeeper server process; `start()` and `stop()` may be called again and again. */
export class ZooKeeperServer {
  readonly id: number;
  readonly clientPort: number;
  readonly dir: string;
  /** The uid the JVM runs under, when it has one of its own. */
  readonly uid: number | undefined;
  readonly #config: string;
  #child: ChildProcess | undefined;

  constructor(dir: string, self: Peer, peers: readonly Peer[], options: ServerOptions = {}) {
    this.id = self.id;
    this.uid = options.uid;
    this.clientPort = self.clientPort;
    this.dir = dir;
    mkdirSync(join(dir, 'data'), { recursive: true });
    const lines = [
      `tickTime=${TICK_MS}`,
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${self.clientPort}`,
      'clientPortAddress=127.0.0.1',
      `minSessionTimeout=${MIN_SESSION_TIMEOUT_MS}`,
      'maxSessionTimeout=60000',
      // Ticks a follower may take to connect to / lag behind the leader (10 s / 2 s).
      'initLimit=40',
      `syncLimit=${options.syncLimit ?? 8}`,
      'admin.enableServer=false',
      '4lw.commands.whitelist=*',
      'reconfigEnabled=false',
      // No cap on connections from one address: every test client connects from 127.0.0.1.
      'maxClientCnxns=0',
      ...(peers.length > 1 ? peers.map((p) => `server.${p.id}=127.0.0.1:${p.peerPort}:${p.electionPort}`) : []),
    ];
    if (peers.length > 1) writeFileSync(join(dir, 'data', 'myid'), `${self.id}\n`);
    this.#config = join(dir, 'zoo.cfg');
    writeFileSync(this.#config, `${lines.join('\n')}\n`);
    if (options.uid !== undefined) {
      for (const path of [dir, join(dir, 'data'), join(dir, 'data', 'myid'), this.#config]) {
        if (existsSync(path)) chownSync(path, options.uid, options.uid);
      }
      chmodSync(join(dir, '..'), 0o755); // mkdtemp made it 0700: the server must reach its own directory
    }
  }

  get connectString(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the JVM (no wait; see `waitServing`). */
  start(): void {
    if (this.#child) return;
    const log = openSync(join(this.dir, 'server.log'), 'a');
    const child = spawn(
      'java',
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        // No /tmp/hsperfdata_<user> directory for a uid without a name.
        ...(this.uid !== undefined ? ['-XX:-UsePerfData'] : []),
        // How long a peer waits to open a connection to another peer, ms (default 5 s slows elections
        // when a peer is down).
        '-Dzookeeper.cnxTimeout=1000',
        '-cp',
        `${this.dir}:${SERVER_JAR}`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        this.#config,
      ],
      { stdio: ['ignore', log, log], ...(this.uid !== undefined ? { uid: this.uid, gid: this.uid } : {}) },
    );
    closeSync(log);
    live.add(child);
    child.once('exit', () => {
      live.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
  }

  /** Waits until the server answers `srvr` with a mode (standalone, leader or follower). */
  async waitServing(timeoutMs = START_TIMEOUT_MS): Promise<string> {
    const reply = await waitFor(
      `ZooKeeper server ${this.id} on port ${this.clientPort} to serve`,
      async () => {
        if (!this.#child) throw new Error(`server ${this.id} is not running (see ${join(this.dir, 'server.log')})`);
        const text = await fourLetterWord(this.clientPort, 'srvr');
        return /Mode: (\w+)/.exec(text)?.[1];
      },
      { timeoutMs, intervalMs: 100 },
    );
    return reply;
  }

  /** Freezes the JVM (SIGSTOP): its sockets stay open but nothing answers. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Thaws a paused JVM (SIGCONT). */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Kills the JVM (SIGKILL: a crash, as far as clients and peers can tell) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
