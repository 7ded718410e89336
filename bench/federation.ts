/**
 * `npm run bench -- federation`: what routing costs.
 * 1. getData and setData throughput through the federated client vs the bare ZooKeeper client
 *    on the same realm, in one run, rounds interleaved (target ratio >= 0.95);
 * 2. routing lookup cost per call with 10000 sharding keys (target < 2 µs).
 */
import { startStandalone } from '../test/support/zookeeper-fixture.js';
import { ZkClient } from '../src/backends/zookeeper/zk-client.js';
import { FederatedZkClient } from '../src/federation/federated-zk-client.js';
import { RoutingData } from '../src/federation/routing-data.js';
import os from 'node:os';
import { quantile, table, writeSection } from './report.js';

/** Sharding keys in the routing data for both parts, as in the target. */
const KEYS = 10_000;
/** Requests in flight at once per throughput run (a busy service, not one caller). */
const CONCURRENCY = 32;
/** Requests per throughput run. */
const OPS_PER_RUN = 6_000;
/** Runs per client and operation; bare and federated alternate (ABBA) so drift hits both alike. */
const ROUNDS = 6;
/** Lookups per timing sample, and samples. */
const LOOKUPS_PER_SAMPLE = 200_000;
const LOOKUP_SAMPLES = 15;

interface Target {
  getData(path: string): Promise<unknown>;
  setData(path: string, data: Buffer): Promise<unknown>;
}

export async function run(): Promise<void> {
  const lookup = measureLookup();
  const zk = await startStandalone();
  try {
    const realm = zk.connectString;
    const record: Record<string, string[]> = { [realm]: ['/bench'], 'other-realm:2181': tenantKeys(KEYS - 1) };
    const bare = await ZkClient.connect({ connect: realm, sessionTimeoutMs: 10_000 });
    const federated = await FederatedZkClient.create({ routing: record, sessionTimeoutMs: 10_000 });
    try {
      const paths = Array.from({ length: 64 }, (_, i) => `/bench/n${i}`);
      for (const path of paths) await bare.create(path, Buffer.from('x'.repeat(100)), { createParents: true });
      const rows: (string | number)[][] = [];
      for (const op of ['getData', 'setData'] as const) {
        const bareRates: number[] = [];
        const fedRates: number[] = [];
        await throughput(bare, op, paths); // warm-up, both
        await throughput(federated, op, paths);
        for (let round = 0; round < ROUNDS; round++) {
          // ABBA order: whichever runs second in a round meets a warmer (or busier) server.
          if (round % 2 === 0) {
            bareRates.push(await throughput(bare, op, paths));
            fedRates.push(await throughput(federated, op, paths));
          } else {
            fedRates.push(await throughput(federated, op, paths));
            bareRates.push(await throughput(bare, op, paths));
          }
        }
        const bareMedian = quantile(bareRates, 0.5);
        const fedMedian = quantile(fedRates, 0.5);
        rows.push([op, Math.round(bareMedian), Math.round(fedMedian), (fedMedian / bareMedian).toFixed(3)]);
        console.log(`federation ${op}: bare ${Math.round(bareMedian)} ops/s, federated ${Math.round(fedMedian)} ops/s`);
      }
      writeSection('federation', [
        '## Federation',
        '',
        `Throughput on one standalone ZooKeeper realm (loopback), ${CONCURRENCY} requests in flight, ${OPS_PER_RUN} requests per run, median of ${ROUNDS} interleaved runs; the federated client routes with ${KEYS} sharding keys. Target: ratio >= 0.95.`,
        '',
        table(['operation', 'bare ZkClient ops/s', 'FederatedZkClient ops/s', 'ratio'], rows),
        '',
        `Load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min); on a shared machine the ratio's noise exceeds the routing cost, which the lookup figure below isolates.`,
        '',
        `Routing lookup with ${KEYS} sharding keys (paths 2-4 segments below a 2-segment key; ${LOOKUP_SAMPLES} samples of ${LOOKUPS_PER_SAMPLE} lookups). Target: < 2 µs per call.`,
        '',
        table(['median ns/lookup', 'p90 ns/lookup', 'best ns/lookup'], [[lookup.median.toFixed(0), lookup.p90.toFixed(0), lookup.best.toFixed(0)]]),
      ].join('\n'));
    } finally {
      await federated.close();
      await bare.close();
    }
  } finally {
    await zk.close();
  }
}

/** Requests per second of `op` over `paths` with CONCURRENCY workers. */
async function throughput(target: Target, op: 'getData' | 'setData', paths: readonly string[]): Promise<number> {
  let next = 0;
  const data = Buffer.from('y'.repeat(100));
  const worker = async () => {
    while (next < OPS_PER_RUN) {
      const path = paths[next++ % paths.length] as string;
      await (op === 'getData' ? target.getData(path) : target.setData(path, data));
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return OPS_PER_RUN / ((performance.now() - start) / 1000);
}

function tenantKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `/tenant-${i}/data`);
}

/** Nanoseconds per lookup: median, p90 and best of the samples. */
function measureLookup(): { median: number; p90: number; best: number } {
  const routing = RoutingData.from({ 'zk-a:2181': tenantKeys(KEYS / 2), 'zk-b:2181': tenantKeys(KEYS).slice(KEYS / 2) });
  const paths = Array.from({ length: 4096 }, (_, i) => {
    const tenant = (i * 7919) % KEYS;
    return `/tenant-${tenant}/data${'/part'.repeat(1 + (i % 3))}-${i}`;
  });
  let sink = 0;
  const samples: number[] = [];
  for (let s = 0; s < LOOKUP_SAMPLES + 3; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS_PER_SAMPLE; i++) sink += routing.lookup(paths[i & 4095] as string).realm.length;
    const ns = Number(process.hrtime.bigint() - start) / LOOKUPS_PER_SAMPLE;
    if (s >= 3) samples.push(ns); // the first samples warm up the JIT
  }
  if (sink === 0) throw new Error('lookups returned nothing');
  return { median: quantile(samples, 0.5), p90: quantile(samples, 0.9), best: Math.min(...samples) };
}
