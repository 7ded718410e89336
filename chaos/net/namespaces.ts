/**
 * Network namespaces for chaos nodes: node i runs in namespace `bchaos<pid>n<i>`, joined to the
 * host by a veth pair (`bc<pid>h<i>` on the host, `bc<pid>n<i>` inside) on a /30 of 10.77.S.0/24,
 * where S is a subnet no other run on the machine uses. The stores are reached through proxies
 * listening on 10.77.S.254, an address on an anchor veth pair `bc<pid>d`/`bc<pid>e` that stays in
 * the host (the kernel may lack dummy links); nothing leaves the machine. Names carry the controller's pid, so `removeStale()` deletes only what a dead run
 * left behind, never a live run's.
 */
import { run } from './command.js';
import { alive } from '../alive.js';

const PREFIX = 'bchaos';
const LINK_PREFIX = 'bc';

export interface NodeNet {
  readonly namespace: string;
  /** The veth end inside the namespace (the node's traffic leaves through it). */
  readonly inner: string;
  /** The veth end on the host. */
  readonly outer: string;
  /** The node's address, as the store proxies see it. */
  readonly address: string;
}

/** Deletes namespaces and links of chaos runs whose controller is gone. */
export function removeStale(): void {
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const match = /^(bchaos(\d+)n\d+)/.exec(line);
    if (match && !alive(Number(match[2]))) run('ip', ['netns', 'delete', match[1]!], { allowFailure: true });
  }
  for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
    const match = /^\d+: (bc(\d+)[hde]\d*)[@:]/.exec(line);
    if (match && !alive(Number(match[2]))) run('ip', ['link', 'delete', match[1]!], { allowFailure: true });
  }
}

/**
 * A /24 of 10.77.0.0/16 that no address of the host is in yet, searched from one picked by the
 * pid, so two runs starting at once do not pick the same.
 */
function freeSubnet(): number {
  const used = new Set([...run('ip', ['-4', '-o', 'addr', 'show']).matchAll(/inet 10\.77\.(\d+)\./g)].map((m) => Number(m[1])));
  for (let i = 0; i < 250; i++) {
    const s = ((process.pid + i) % 250) + 1;
    if (!used.has(s)) return s;
  }
  throw new Error('no free 10.77.S.0/24 subnet for the chaos namespaces');
}

export class Namespaces {
  readonly subnet = freeSubnet();
  readonly #made: NodeNet[] = [];
  readonly #anchor = `${LINK_PREFIX}${process.pid}d`;

  constructor() {
    run('ip', ['link', 'add', this.#anchor, 'type', 'veth', 'peer', 'name', `${LINK_PREFIX}${process.pid}e`]);
    run('ip', ['addr', 'add', `${this.storeHost}/32`, 'dev', this.#anchor]);
    run('ip', ['link', 'set', this.#anchor, 'up']);
    run('ip', ['link', 'set', `${LINK_PREFIX}${process.pid}e`, 'up']);
  }

  /** The address the stores' proxies listen on, reached from every namespace. */
  get storeHost(): string {
    return `10.77.${this.subnet}.254`;
  }

  /** Namespace of node slot `i` (1..60), made on first use. */
  node(i: number): NodeNet {
    const existing = this.#made.find((n) => n.namespace === `${PREFIX}${process.pid}n${i}`);
    if (existing) return existing;
    const base = `10.77.${this.subnet}`;
    const net: NodeNet = { namespace: `${PREFIX}${process.pid}n${i}`, inner: `${LINK_PREFIX}${process.pid}n${i}`, outer: `${LINK_PREFIX}${process.pid}h${i}`, address: `${base}.${4 * i + 2}` };
    run('ip', ['netns', 'add', net.namespace]);
    this.#made.push(net);
    run('ip', ['link', 'add', net.outer, 'type', 'veth', 'peer', 'name', net.inner]);
    run('ip', ['link', 'set', net.inner, 'netns', net.namespace]);
    run('ip', ['addr', 'add', `${base}.${4 * i + 1}/30`, 'dev', net.outer]);
    run('ip', ['link', 'set', net.outer, 'up']);
    const inside = (...args: string[]) => run('ip', ['netns', 'exec', net.namespace, 'ip', ...args]);
    inside('addr', 'add', `${base}.${4 * i + 2}/30`, 'dev', net.inner);
    inside('link', 'set', net.inner, 'up');
    inside('link', 'set', 'lo', 'up');
    inside('route', 'add', 'default', 'via', `${base}.${4 * i + 1}`);
    return net;
  }

  get all(): readonly NodeNet[] {
    return this.#made;
  }

  /** Deletes every namespace and link this run made. Idempotent. */
  remove(): void {
    for (const net of this.#made.splice(0)) {
      run('ip', ['netns', 'delete', net.namespace], { allowFailure: true });
      run('ip', ['link', 'delete', net.outer], { allowFailure: true });
    }
    run('ip', ['link', 'delete', this.#anchor], { allowFailure: true });
  }
}
