/**
 * The demo's node processes: starts them, restarts a node the demo killed, leaves a node it
 * stopped gracefully down until it is added back, reports a node that exited on its own, and
 * stops them all (SIGTERM, then SIGKILL after a grace period) however the demo ends.
 */
import type { DemoNodeMessage } from './demo-node-protocol.js';
import { DemoNodeProcess, type DemoNodeSpec } from './node-process.js';
import type { DemoPrinter } from './demo-printer.js';

/** How long stopping waits for the nodes' graceful close before it kills them (wall time, ms). */
const STOP_GRACE_MS = 15_000;
/** The most nodes a demo runs (each is a Node.js process on this machine). */
export const MAX_DEMO_NODES = 20;

export interface DemoClusterOptions {
  readonly printer: DemoPrinter;
  /** The spec of the node at `index` (0-based): id, port, shared settings, log file. */
  readonly specOf: (index: number) => DemoNodeSpec;
  readonly onMessage: (message: DemoNodeMessage) => void;
  /** Every node exited on its own (none left to show): the demo ends. */
  readonly onAllGone: () => void;
}

export class DemoCluster {
  readonly nodes: DemoNodeProcess[] = [];
  readonly #options: DemoClusterOptions;
  /** Nodes stopped on purpose: their exit is expected and they stay down. */
  readonly #stoppedOnPurpose = new Set<DemoNodeProcess>();
  #stopping = false;

  constructor(options: DemoClusterOptions) {
    this.#options = options;
  }

  /** Starts a node that is not running: a stopped one if there is one, else a new one. */
  add(): DemoNodeProcess | null {
    if (this.#stopping) return null;
    const down = this.nodes.find((n) => !n.running);
    if (down) {
      this.#start(down);
      return down;
    }
    if (this.nodes.length >= MAX_DEMO_NODES) return null;
    const node = new DemoNodeProcess(this.#options.specOf(this.nodes.length));
    this.nodes.push(node);
    this.#start(node);
    return node;
  }

  byId(nodeId: string | undefined): DemoNodeProcess | undefined {
    return this.nodes.find((n) => n.spec.nodeId === nodeId && n.running);
  }

  /** Stops a node gracefully (SIGTERM): it releases what it holds at once and stays down. */
  stopNode(node: DemoNodeProcess): void {
    this.#stoppedOnPurpose.add(node);
    node.kill('SIGTERM');
  }

  /** SIGTERM to every node, then wait; SIGKILL those still running after the grace period. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    for (const node of this.nodes) {
      node.kill('SIGCONT');
      node.kill('SIGTERM');
    }
    const timer = setTimeout(() => this.nodes.forEach((n) => n.killNow()), STOP_GRACE_MS);
    await Promise.all(this.nodes.map((n) => n.exited()));
    clearTimeout(timer);
  }

  /** Kills every node at once (synchronous; for the demo's process 'exit' handler). */
  killNow(): void {
    this.#stopping = true;
    for (const node of this.nodes) node.killNow();
  }

  #start(node: DemoNodeProcess): void {
    const { printer } = this.#options;
    const id = node.spec.nodeId;
    node.start(this.#options.onMessage, (code, signal) => {
      const how = signal ?? `code ${code}`;
      if (this.#stopping) {
        printer.say({ event: 'exited', nodeId: id, code, signal }, `${id} exited (${how})`);
      } else if (this.#stoppedOnPurpose.delete(node)) {
        printer.say({ event: 'exited', nodeId: id, code, signal }, `${id} stopped gracefully (${how}); it stays down until you add a node`);
      } else if (signal === 'SIGKILL') {
        printer.say({ event: 'restarting', nodeId: id }, `${id} was killed; restarting it (it rejoins once its old session expires)`);
        this.#start(node);
      } else {
        printer.say({ event: 'exited', nodeId: id, code, signal }, `${id} exited unexpectedly (${how}); see ${node.spec.logFile}`);
        if (!this.nodes.some((n) => n.running)) this.#options.onAllGone();
      }
    });
    printer.say({ event: 'started', nodeId: id, pid: node.pid ?? null, port: node.spec.port }, `${id} started (pid ${node.pid ?? '?'}${node.spec.port ? `, http://127.0.0.1:${node.spec.port}/` : ''})`);
  }
}
