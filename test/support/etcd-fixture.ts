/**
 * Real etcd servers for tests and benchmarks, started from Debian's `etcd-server` package
 * (`/usr/bin/etcd`; `.ci/run` installs it) as child processes on free loopback ports: one member
 * (`startEtcd`) or a cluster (`startEtcdCluster`). Always `close()` what you start (in `after`):
 * it kills every member and removes the data directories, even when a test failed.
 *
 * @example
 * const etcd = await startEtcd();
 * after(() => etcd.close());
 * const backend = await createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'c1' });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { cutFromPeers, type PeerCut } from './peer-cut.js';
import { waitFor } from './wait.js';
import { freePort } from './zookeeper-server.js';

const ETCD = '/usr/bin/etcd';

/**
 * Raft timing of test clusters, ms: etcd's defaults (heartbeat 100, election 1000). A leader
 * change takes 1-2 s; a lease's TTL is at least 1.5 election timeouts (etcd's minimum).
 */
export const HEARTBEAT_MS = 100;
export const ELECTION_TIMEOUT_MS = 1_000;

/** How long a member may take to start and serve on a busy 2-core machine, ms. */
const START_TIMEOUT_MS = 30_000;

/** First uid given to members started with `ownUids` (see zookeeper-fixture.ts: spread by pid). */
const UID_BASE = 300_000;

/** Every member this process started and has not seen exit; killed on process exit as a last resort. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface EtcdMember {
  readonly name: string;
  readonly clientPort: number;
  /** `127.0.0.1:port` */
  readonly endpoint: string;
  readonly running: boolean;
  /** Kills the member (SIGKILL); its data stays, so `start()` brings it back. */
  stop(): Promise<void>;
  /** Starts it again (no wait: see the cluster's `waitHealthy`). */
  start(): void;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** Whether this member is the raft leader now (false when it does not answer). */
  isLeader(): Promise<boolean>;
  /** The member's raft index (every write, failed transactions too, takes one), or -1 when it does not answer. */
  raftIndex(): Promise<number>;
  /** Drops every packet it sends to its peers (needs `ownUids`); `heal()` it. Healed by close too. */
  cutFromPeers(): PeerCut;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's endpoint. */
  readonly endpoints: readonly string[];
  /** `etcd://` URL of every member with `prefix`. */
  url(prefix?: string): string;
  /** Waits until `count` members answer /health with true (a leader exists). */
  waitHealthy(count?: number): Promise<void>;
  /** The member that leads now (waits for one). */
  leader(): Promise<EtcdMember>;
  /** Kills every member and removes the data. Idempotent. */
  close(): Promise<void>;
}

export interface EtcdClusterOptions {
  /** Run each member under a uid of its own so that `cutFromPeers` works (root only). */
  readonly ownUids?: boolean;
  /** Serve clients over TLS with this PEM certificate and key, signed by `ca` (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: Buffer };
  /** More etcd flags (`--auth-token-ttl=2`, ...). */
  readonly extraArgs?: readonly string[];
}

export function checkEtcdInstalled(): void {
  if (!existsSync(ETCD)) throw new Error(`etcd is not installed (${ETCD} is missing): run .ci/run, which installs Debian's etcd-server package`);
}

/** Starts a one-member etcd and waits until it serves. */
export function startEtcd(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  return startEtcdCluster(1, options);
}

/** Starts a cluster of `size` members and waits until all serve. */
export async function startEtcdCluster(size = 3, options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  checkEtcdInstalled();
  const dir = mkdtempSync(join(os.tmpdir(), 'baton-etcd-'));
  if (options.ownUids) chmodSync(dir, 0o755);
  const ports: { client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initialCluster = ports.map((p, i) => `m${i + 1}=http://127.0.0.1:${p.peer}`).join(',');
  const token = `baton-${process.pid}-${Date.now()}`;
  const members = ports.map(
    (p, i) => new Member({ root: dir, name: `m${i + 1}`, clientPort: p.client, peerPort: p.peer, initialCluster, token, uid: options.ownUids ? UID_BASE + (process.pid % 100_000) * 8 + i : undefined, options }),
  );
  const cuts = new Set<PeerCut>();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const cut of cuts) cut.heal();
      await Promise.all(members.map((m) => m.stop()));
      rmSync(dir, { recursive: true, force: true });
    })());
  const waitHealthy = async (count = size) => {
    await waitFor(`${count} of ${size} etcd members to be healthy`, async () => (await Promise.all(members.map((m) => m.healthy()))).filter(Boolean).length >= count, {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 100,
    });
  };
  try {
    for (const member of members) member.start();
    await waitHealthy(size);
  } catch (error) {
    await close();
    throw error;
  }
  const view = members.map((m) => m.view(cuts));
  return {
    members: view,
    endpoints: members.map((m) => m.endpoint),
    url: (prefix = '/baton') => `etcd://${members.map((m) => m.endpoint).join(',')}${prefix}`,
    waitHealthy,
    leader: async () => {
      const leader = await waitFor('an etcd leader', async () => {
        const leads = await Promise.all(members.map((m) => (m.running ? m.isLeader() : Promise.resolve(false))));
        return view[leads.indexOf(true)];
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 100 });
      return leader;
    },
    close,
  };
}

class Member {
  readonly name: string;
  readonly clientPort: number;
  readonly #args: string[];
  readonly #dir: string;
  readonly #uid: number | undefined;
  readonly #ca: Buffer | undefined;
  #child: ChildProcess | undefined;

  constructor(p: { root: string; name: string; clientPort: number; peerPort: number; initialCluster: string; token: string; uid: number | undefined; options: EtcdClusterOptions }) {
    const { name, clientPort, uid, options } = p;
    this.name = name;
    this.clientPort = clientPort;
    this.#uid = uid;
    this.#ca = options.tls?.ca;
    this.#dir = join(p.root, name);
    mkdirSync(this.#dir, { recursive: true });
    if (uid !== undefined) chownSync(this.#dir, uid, uid);
    const client = `${options.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${p.peerPort}`;
    this.#args = [
      `--name=${name}`,
      `--data-dir=${join(this.#dir, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${p.initialCluster}`,
      `--initial-cluster-token=${p.token}`,
      '--initial-cluster-state=new',
      `--heartbeat-interval=${HEARTBEAT_MS}`,
      `--election-timeout=${ELECTION_TIMEOUT_MS}`,
      '--logger=zap',
      '--log-level=warn',
      // Tests write little; no snapshots beyond the default cadence are needed.
      '--snapshot-count=10000',
      ...(options.tls ? [`--cert-file=${options.tls.cert}`, `--key-file=${options.tls.key}`] : []),
      ...(options.extraArgs ?? []),
    ];
  }

  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  start(): void {
    if (this.#child) return;
    const log = openSync(join(this.#dir, 'etcd.log'), 'a');
    if (this.#uid !== undefined) chownSync(join(this.#dir, 'etcd.log'), this.#uid, this.#uid);
    const child = spawn(ETCD, this.#args, { stdio: ['ignore', log, log], ...(this.#uid !== undefined ? { uid: this.#uid, gid: this.#uid } : {}) });
    closeSync(log);
    live.add(child);
    child.once('exit', () => {
      live.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  async healthy(): Promise<boolean> {
    if (!this.#child) return false;
    const reply = await this.#http('GET', '/health');
    return reply?.['health'] === 'true';
  }

  async raftIndex(): Promise<number> {
    const reply = await this.#http('POST', '/v3/maintenance/status', '{}');
    return reply === undefined ? -1 : Number(reply['raftIndex']);
  }

  async isLeader(): Promise<boolean> {
    const reply = await this.#http('POST', '/v3/maintenance/status', '{}');
    const header = reply?.['header'] as Record<string, unknown> | undefined;
    return reply !== undefined && header !== undefined && String(reply['leader']) === String(header['member_id']);
  }

  view(cuts: Set<PeerCut>): EtcdMember {
    const running = () => this.running;
    return {
      name: this.name,
      clientPort: this.clientPort,
      endpoint: this.endpoint,
      get running() {
        return running();
      },
      stop: () => this.stop(),
      start: () => this.start(),
      pause: () => this.#child?.kill('SIGSTOP'),
      resume: () => this.#child?.kill('SIGCONT'),
      isLeader: () => this.isLeader(),
      raftIndex: () => this.raftIndex(),
      cutFromPeers: () => {
        if (this.#uid === undefined) throw new Error('cutFromPeers needs a cluster started with { ownUids: true }');
        const cut = cutFromPeers(this.#uid, this.clientPort);
        cuts.add(cut);
        return cut;
      },
    };
  }

  /** One JSON request to the member's HTTP gateway; undefined when it does not answer within a second. */
  #http(method: string, path: string, body?: string): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve) => {
      const options = { host: '127.0.0.1', port: this.clientPort, path, method, timeout: 1_000, ...(this.#ca ? { ca: this.#ca } : {}) };
      const request = (this.#ca ? https : http).request(options, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch {
            resolve(undefined);
          }
        });
        response.on('error', () => resolve(undefined));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(undefined));
      request.end(body);
    });
  }
}
