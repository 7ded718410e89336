import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { describeThrottledJoin } from '../../buckets/throttled-join.js';

const store = new MemoryStore();
describeThrottledJoin({
  name: 'memory',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster: string) => store.backend(cluster),
  writeRawKv: async (cluster: string, key: string, text: string) => store.writeRawKv(cluster, key, text),
  teardown: async () => undefined,
}, { count: 1_000, limits: { maxMovesInFlight: 25 }, bound: 25, releaseMs: 300, timeoutMs: 60_000 });
