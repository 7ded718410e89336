import { MemoryStore } from '../../src/backends/memory/index.js';
import { describeBackendContract } from './contract-suite.js';
import type { ContractHarness } from './harness.js';

let store = new MemoryStore();

const harness: ContractHarness = {
  name: 'memory',
  // Real clock. ttl well above the handover waits (ttl - retry), deadline and retry short so
  // the disturbance test ends in about 2.5 s.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 }),
  setup: async () => {
    store = new MemoryStore();
  },
  open: async (cluster) => store.backend(cluster),
  writeRawKv: async (cluster, key, text) => store.writeRawKv(cluster, key, text),
  writeRawLeaderInfo: async (cluster, election, text) => store.writeRawLeaderInfo(cluster, election, text),
  disturbLeader: async (cluster, election) => store.disturbLeader(cluster, election),
  teardown: async () => undefined,
};

describeBackendContract(harness);
