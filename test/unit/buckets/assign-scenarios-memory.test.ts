import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { describeBucketScenarios } from '../../buckets/scenarios.js';

const store = new MemoryStore();

describeBucketScenarios({
  name: 'memory',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster) => store.backend(cluster),
  writeRawKv: async (cluster, key, text) => store.writeRawKv(cluster, key, text),
  teardown: async () => undefined,
});
