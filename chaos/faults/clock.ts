/**
 * A node whose clocks run at a wrong rate (libfaketime: wall and monotonic clocks, timers too),
 * cut from the store while it runs so its local deadline is what stands between it and a
 * successor. The safety margin assumes rates differ by less than (ttl - renewDeadline) / ttl
 * (37.5 % here); the SQL backends check the database clock against the local one and stop a
 * session whose local clock loses more than half the margin per TTL (18.75 %).
 *
 * Not on SQLite: there the database clock IS the node's wall clock, one per machine for every
 * process; a per-process fake is not a fault that can happen (test/sql/db-clock-*.test.ts
 * cover its clock steps).
 */
import { existsSync } from 'node:fs';
import { cut, heal } from '../net/shaping.js';
import type { ChaosStore } from '../stores/chaos-store.js';
import { TIMING } from '../timing.js';
import { beginFault, endFault, pickNode, sleep, type Fault } from './fault.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const CUT_MS = 2 * TIMING.ttlMs;
/** Time the faked node gets to join and win something before its cut. */
const SETTLE_MS = 2 * TIMING.ttlMs;

function clockFault(name: string, rate: number, description: string, breaksBound: (store: ChaosStore) => boolean): Fault {
  return {
    name,
    description,
    appliesTo: (store) => store.networked,
    breaksBound,
    async run(context) {
      if (!existsSync(LIBFAKETIME)) throw new Error(`${name}: libfaketime is not installed (${LIBFAKETIME}); .ci/run installs Debian's faketime`);
      const { cluster } = context;
      const victim = pickNode(context);
      beginFault(context, `${victim.nodeId} clock x${rate}`);
      await victim.leave();
      const faked = cluster.start(victim.nodeId, { LD_PRELOAD: LIBFAKETIME, FAKETIME: `+0 x${rate}` });
      const net = cluster.netOf(victim.nodeId)!;
      try {
        await sleep(context, SETTLE_MS);
        cut(net, 'both');
        await sleep(context, CUT_MS);
      } finally {
        heal(net);
      }
      await faked.leave();
      cluster.start(victim.nodeId);
      endFault(context, `${victim.nodeId} clock x1`);
    },
  };
}

export const clockFaults: readonly Fault[] = [
  clockFault('clock-slow', 0.9, 'a node restarted with clocks 10 % slow (within the bound), then cut from the store', () => false),
  clockFault('clock-fast', 1.5, 'a node restarted with clocks 50 % fast (always safe: deadlines come early), then cut', () => false),
  // Beyond the bound the safety model promises nothing: ZooKeeper and etcd have no server clock to
  // compare with, and the SQL check sees a slow clock only after a session's renewals gained half
  // the margin on it (a session cut before that acts past its lease; docs/reliability.md).
  clockFault('clock-beyond', 0.5, 'a node restarted with clocks 50 % slow (beyond the 37.5 % bound), then cut', () => true),
];
