/**
 * Silent network cuts between one ZooKeeper server and its peers, clients left alone, with
 * iptables (needs root; `.ci/run` installs iptables). The server's JVM runs under a uid of its own
 * (zookeeper-server.ts, `ownUid`), so one OUTPUT rule matches exactly its packets: every TCP
 * segment it sends from any port but its client port is dropped (DROP, not REJECT: nothing tells
 * the peers, they only stop hearing it). Its quorum and election links go quiet; its clients are
 * still answered.
 *
 * Every rule carries a comment naming this process, and is removed by `heal()`, by `healAll()`
 * (call it in `after`) and, as a last resort, when the process exits.
 */
import { spawnSync } from 'node:child_process';

/** Marks this process's rules, so a leftover can be told from anyone else's. */
const COMMENT = `baton-test-peer-cut-${process.pid}`;

const active = new Set<string>();
process.once('exit', () => healAll());

/** A cut in place; `heal()` removes it (idempotent). */
export interface PeerCut {
  heal(): void;
}

/** Drops every TCP segment that `uid` sends from a port other than `clientPort`. */
export function cutFromPeers(uid: number, clientPort: number): PeerCut {
  const rule = ['OUTPUT', '-p', 'tcp', '-m', 'owner', '--uid-owner', String(uid), '!', '--sport', String(clientPort), '-m', 'comment', '--comment', COMMENT, '-j', 'DROP'];
  iptables(['-I', ...rule]);
  const key = JSON.stringify(rule);
  active.add(key);
  return {
    heal: () => {
      if (!active.delete(key)) return;
      iptables(['-D', ...rule]);
    },
  };
}

/** Removes every cut this process made. */
export function healAll(): void {
  for (const key of [...active]) {
    active.delete(key);
    iptables(['-D', ...(JSON.parse(key) as string[])]);
  }
}

function iptables(args: readonly string[]): void {
  const result = spawnSync('iptables', ['-w', ...args], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`iptables ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}; the test needs root and iptables (.ci/run installs it)`);
  }
}
