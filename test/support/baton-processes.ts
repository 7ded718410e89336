/**
 * Real `baton start` processes on one store, for the end-to-end suites: the store is set up in
 * the suite's `before` and removed in its `after` (every process still running killed first);
 * nodes bind HTTP port 0 themselves (a port picked here could be taken by another test's
 * process before the node binds it) and are waited for until their start line, which carries
 * the URL they bound; a node that exits or stays silent fails the wait with its stderr.
 *
 * @example
 * const nodes = new BatonProcesses(sqliteStore());
 * before(() => nodes.setUp());
 * after(() => nodes.tearDown());
 * it('...', async () => {
 *   const [a, b] = await nodes.startAll('c1', ['a', 'b'], ['--election-ttl-ms', '6000']);
 *   await nodes.stop([a, b]);
 * });
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, stopAllProcesses } from '../cli/cli-process.js';
import type { StoreUnderTest } from './stores-under-test.js';

/**
 * How long a node may take to print its start line: it opens the store, clears its stale drain
 * request, reads the drain requests and binds HTTP first; on a machine at load 10-30 with a
 * fresh store (a ZooKeeper or etcd server just started) that has taken tens of seconds.
 */
export const NODE_START_TIMEOUT_MS = 60_000;

/** How one node is spawned, beyond its arguments. */
export interface SpawnOptions {
  /**
   * The HTTP port it binds (default 0: its own pick). A fixed one only where the test needs to
   * know it beforehand: a restarted node advertising the same host and port as its crashed
   * process.
   */
  readonly httpPort?: number;
}

/** A `baton start` process that printed its start line. */
export interface NodeProcess {
  readonly nodeId: string;
  readonly proc: CliProcess;
  /** Base URL of its HTTP API, from its start line. */
  readonly url: string;
  /** The HTTP port it bound. */
  readonly port: number;
}

export class BatonProcesses {
  readonly #store: StoreUnderTest;
  #url = '';
  /** Folder of the config files written by configFile(), made on first use. */
  #dir: string | null = null;

  constructor(store: StoreUnderTest) {
    this.#store = store;
  }

  /** The store's URL (after setUp). */
  get url(): string {
    return this.#url;
  }

  /** Prepares the store; call it in the suite's `before`. */
  async setUp(): Promise<void> {
    this.#url = await this.#store.setup();
  }

  /** Kills every CLI process still running, then removes the store and the config files; call it in the suite's `after`. */
  async tearDown(): Promise<void> {
    await stopAllProcesses();
    await this.#store.teardown();
    if (this.#dir !== null) rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Writes `doc` to config file `name` (as JSON, which is YAML) in the suite's folder; its path, for `--config`. */
  configFile(name: string, doc: unknown): string {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'baton-config-'));
    const path = join(this.#dir, name);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  }

  /** Spawns `baton start` for `nodeId` in `cluster` on the store with HTTP port 0 (or `httpPort`) and `args`; not waited for. */
  spawn(cluster: string, nodeId: string, args: readonly string[] = [], { httpPort = 0 }: SpawnOptions = {}): CliProcess {
    return new CliProcess(['start', '--store', this.#url, '--cluster', cluster, '--node-id', nodeId, '--http-port', String(httpPort), ...args]);
  }

  /** Starts one node and waits for its start line. */
  async start(cluster: string, nodeId: string, args: readonly string[] = [], options: SpawnOptions = {}): Promise<NodeProcess> {
    return started(nodeId, this.spawn(cluster, nodeId, args, options));
  }

  /** Spawns every node of `ids` at once, then waits for each start line in turn. */
  async startAll(cluster: string, ids: readonly string[], args: readonly string[] = []): Promise<NodeProcess[]> {
    const spawned = ids.map((nodeId) => ({ nodeId, proc: this.spawn(cluster, nodeId, args) }));
    const nodes: NodeProcess[] = [];
    for (const { nodeId, proc } of spawned) nodes.push(await started(nodeId, proc));
    return nodes;
  }

  /** Sends SIGTERM to every node given; resolves once all of them exited. */
  async stop(nodes: readonly { readonly proc: CliProcess }[]): Promise<void> {
    for (const n of nodes) n.proc.signal('SIGTERM');
    await Promise.all(nodes.map((n) => n.proc.exited));
  }
}

/** Waits for the start line of `proc`; fails with its stderr when it exits first or stays silent. */
async function started(nodeId: string, proc: CliProcess): Promise<NodeProcess> {
  let line: string;
  try {
    line = await proc.waitForLine(`${nodeId} to start`, (l) => l.includes('"reason":"started"') && l.includes('node started'), NODE_START_TIMEOUT_MS);
  } catch (error) {
    const stderr = proc.stderr.trim();
    throw stderr === '' || String(error).includes(stderr) ? error : new Error(`${String(error)}; ${nodeId}'s stderr: ${stderr}`, { cause: error });
  }
  const { url } = JSON.parse(line) as { url: string };
  return { nodeId, proc, url, port: Number(new URL(url).port) };
}
