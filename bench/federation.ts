/**
 * `npm run bench -- federation`: what routing costs.
 * 1. getData and setData throughput through the federated client vs the bare ZooKeeper client
 *    on the same realm, in one run, rounds interleaved (target ratio >= 0.95);
 * 2. routing lookup cost per call with 10000 sharding keys (target < 2 µs).
 */
import { startStandalone } from '../test/support/zookeeper-fixture.js';
import { ZkClient } from '../src/zk-client/zk-client.js';
import { FederatedZkClient } from '../src/federation/federated-zk-client.js';
import { RoutingData } from '../src/federation/routing-data.js';
import os from 'node:os';
import { quantile, table, writeSection } from './report.js';

/** Sharding keys in the routing data for both parts, as in the target. */
const KEYS = 10_000;
/** Requests in flight at once per throughput run (a busy service, not one caller). */
const CONCURRENCY = 32;
/** Requests per throughput run. */
const OPS_PER_RUN = 4_000;
/** Runs per client and operation; bare and federated alternate (ABBA) so drift hits both alike. */
const ROUNDS = 10;
/** Lookups per timing sample, and samples. */
const LOOKUPS_PER_SAMPLE = 200_000;
const LOOKUP_SAMPLES = 15;

interface Target {
  getData(path: string): Promise<unknown>;
  setData(path: string, data: Buffer): Promise<unknown>;
}

export async function run(): Promise<void> {
  const lookup = measureLookup();
  console.log(`federation lookup: ${lookup.cpu.toFixed(0)} ns CPU per call (median), ${lookup.wall.toFixed(0)} ns wall`);
  const zk = await startStandalone();
  try {
    const realm = zk.connectString;
    const record: Record<string, string[]> = { [realm]: ['/bench'], 'other-realm:2181': tenantKeys(KEYS - 1) };
    const bareClient = await ZkClient.connect({ connect: realm, sessionTimeoutMs: 10_000 });
    const federated = await FederatedZkClient.create({ routing: record, sessionTimeoutMs: 10_000 });
    try {
      const paths = Array.from({ length: 64 }, (_, i) => `/bench/n${i}`);
      for (const path of paths) await bareClient.create(path, Buffer.from('x'.repeat(100)), { createParents: true });
      const rows: (string | number)[][] = [];
      for (const op of ['getData', 'setData'] as const) {
        const bare: Run[] = [];
        const fed: Run[] = [];
        await throughput(bareClient, op, paths); // warm-up, both
        await throughput(federated, op, paths);
        for (let round = 0; round < ROUNDS; round++) {
          // ABBA order: whichever runs second in a round meets a warmer (or busier) server.
          if (round % 2 === 0) {
            bare.push(await throughput(bareClient, op, paths));
            fed.push(await throughput(federated, op, paths));
          } else {
            fed.push(await throughput(federated, op, paths));
            bare.push(await throughput(bareClient, op, paths));
          }
        }
        // Each round's pair ran back to back, so its ratio is less exposed to drift than a ratio of medians.
        const ratio = quantile(bare.map((b, i) => (fed[i] as Run).opsPerSec / b.opsPerSec), 0.5);
        const median = (runs: Run[], key: keyof Run) => quantile(runs.map((r) => r[key]), 0.5);
        rows.push([
          op,
          Math.round(median(bare, 'opsPerSec')),
          Math.round(median(fed, 'opsPerSec')),
          ratio.toFixed(3),
          median(bare, 'cpuUsPerOp').toFixed(1),
          median(fed, 'cpuUsPerOp').toFixed(1),
        ]);
        console.log(`federation ${op}: bare ${Math.round(median(bare, 'opsPerSec'))} ops/s, federated ${Math.round(median(fed, 'opsPerSec'))} ops/s, paired ratio ${ratio.toFixed(3)}`);
      }
      writeSection('federation', [
        '## Federation',
        '',
        `Throughput on one standalone ZooKeeper realm (loopback), ${CONCURRENCY} requests in flight, ${OPS_PER_RUN} requests per run, ${ROUNDS} rounds of back-to-back bare/federated runs (ABBA order); the federated client routes with ${KEYS} sharding keys. Client CPU per op is this process's CPU time (user + system) divided by the requests, which isolates the client's own cost from the server's. Target: ratio >= 0.95.`,
        '',
        table(['operation', 'bare ZkClient ops/s', 'FederatedZkClient ops/s', 'ratio (median of paired runs)', 'bare client CPU µs/op', 'federated client CPU µs/op'], rows),
        '',
        `Load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min); on a shared machine the ratio's noise exceeds the routing cost, which the lookup figure below isolates.`,
        '',
        `Routing lookup with ${KEYS} sharding keys (paths 2-4 segments below a 2-segment key; ${LOOKUP_SAMPLES} samples of ${LOOKUPS_PER_SAMPLE} lookups). Target: < 2 µs per call.`,
        '',
        table(
          ['CPU ns/lookup (median)', 'CPU ns/lookup (p90)', 'wall ns/lookup (median)', 'wall ns/lookup (best)'],
          [[lookup.cpu.toFixed(0), lookup.cpuP90.toFixed(0), lookup.wall.toFixed(0), lookup.best.toFixed(0)]],
        ),
      ].join('\n'));
    } finally {
      await federated.close();
      await bareClient.close();
    }
  } finally {
    await zk.close();
  }
}

interface Run {
  readonly opsPerSec: number;
  /** This process's CPU time per request, µs. */
  readonly cpuUsPerOp: number;
}

/** Requests per second of `op` over `paths` with CONCURRENCY workers, and client CPU per request. */
async function throughput(target: Target, op: 'getData' | 'setData', paths: readonly string[]): Promise<Run> {
  let next = 0;
  const data = Buffer.from('y'.repeat(100));
  const worker = async () => {
    while (next < OPS_PER_RUN) {
      const path = paths[next++ % paths.length] as string;
      await (op === 'getData' ? target.getData(path) : target.setData(path, data));
    }
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { opsPerSec: OPS_PER_RUN / seconds, cpuUsPerOp: (cpu.user + cpu.system) / OPS_PER_RUN };
}

function tenantKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `/tenant-${i}/data`);
}

/**
 * Nanoseconds per lookup, as CPU time of this process (immune to other processes taking the
 * cores on a shared machine) and as wall time: median and p90 of the samples, and the best.
 */
function measureLookup(): { cpu: number; cpuP90: number; wall: number; best: number } {
  const routing = RoutingData.from({ 'zk-a:2181': tenantKeys(KEYS / 2), 'zk-b:2181': tenantKeys(KEYS).slice(KEYS / 2) });
  const paths = Array.from({ length: 4096 }, (_, i) => {
    const tenant = (i * 7919) % KEYS;
    return `/tenant-${tenant}/data${'/part'.repeat(1 + (i % 3))}-${i}`;
  });
  let sink = 0;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let s = 0; s < LOOKUP_SAMPLES + 3; s++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS_PER_SAMPLE; i++) sink += routing.lookup(paths[i & 4095] as string).realm.length;
    const wallNs = Number(process.hrtime.bigint() - start) / LOOKUPS_PER_SAMPLE;
    const used = process.cpuUsage(cpuStart);
    if (s < 3) continue; // the first samples warm up the JIT
    wall.push(wallNs);
    cpu.push(((used.user + used.system) * 1000) / LOOKUPS_PER_SAMPLE);
  }
  if (sink === 0) throw new Error('lookups returned nothing');
  return { cpu: quantile(cpu, 0.5), cpuP90: quantile(cpu, 0.9), wall: quantile(wall, 0.5), best: Math.min(...wall) };
}
