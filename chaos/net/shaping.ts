/**
 * Network faults on one node's link to the store, with iptables inside its namespace: drops
 * (both ways, or one way only) and random loss (the statistic match; the kernel here has no netem
 * qdisc, so delays are made by the store proxies, proxy.ts). `heal()` removes them all.
 */
import { run } from './command.js';
import type { NodeNet } from './namespaces.js';

export type CutDirection = 'both' | 'out' | 'in';

function iptables(net: NodeNet, args: readonly string[]): void {
  run('ip', ['netns', 'exec', net.namespace, 'iptables', '-w', ...args]);
}

/** Drops the node's packets: `out` what it sends, `in` what it receives, or both. */
export function cut(net: NodeNet, direction: CutDirection): void {
  if (direction !== 'in') iptables(net, ['-A', 'OUTPUT', '-o', net.inner, '-j', 'DROP']);
  if (direction !== 'out') iptables(net, ['-A', 'INPUT', '-i', net.inner, '-j', 'DROP']);
}

/** Drops `percent` % of the node's packets, each way. */
export function lose(net: NodeNet, percent: number): void {
  const random = ['-m', 'statistic', '--mode', 'random', '--probability', String(percent / 100), '-j', 'DROP'];
  iptables(net, ['-A', 'OUTPUT', '-o', net.inner, ...random]);
  iptables(net, ['-A', 'INPUT', '-i', net.inner, ...random]);
}

/** Removes every cut and loss of the node's link. */
export function heal(net: NodeNet): void {
  iptables(net, ['-F']);
}
