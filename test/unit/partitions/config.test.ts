import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { resourcesOf } from '../../../src/partitions/partitions-feature.js';
import { validateResourceOptions } from '../../../src/partitions/resource-options.js';

const load = (partitions: unknown) => loadConfig({ env: {}, values: { partitions } }).config;

describe('partitions config section', () => {
  it('fills Pinot\'s defaults for an empty entry, and keeps several resources', () => {
    const resources = resourcesOf(load({ leadControllerResource: {}, orders: { partitions: 8, replicas: 3, rebalanceDelayMs: 0 } }));
    assert.deepEqual(resources, [
      { name: 'leadControllerResource', partitions: 24, replicas: 2, rebalanceDelayMs: 300_000, placementIntervalMs: 60_000, enabledByDefault: true, maxMovesInFlight: 0, maxMovesPerNode: 0, leadControllerIdFormat: 'node-id', preferredMasters: {} },
      { name: 'orders', partitions: 8, replicas: 3, rebalanceDelayMs: 0, placementIntervalMs: 60_000, enabledByDefault: true, maxMovesInFlight: 0, maxMovesPerNode: 0, leadControllerIdFormat: 'node-id', preferredMasters: {} },
    ]);
    assert.deepEqual(resourcesOf(load(undefined)), [], 'no section: no resource (the feature is off)');
  });

  it('names the offending key', () => {
    assert.throws(() => load({ r: { replicas: 0 } }), { code: 'CONFIG', key: 'partitions.r.replicas' });
    assert.throws(() => load({ r: { partitions: 1.5 } }), { code: 'CONFIG', key: 'partitions.r.partitions' });
    assert.throws(() => load({ r: { replica: 2 } }), { code: 'CONFIG', key: 'partitions.r.replica' });
    assert.throws(() => resourcesOf(load({ 'bad name': {} })), { code: 'CONFIG', key: 'partitions.bad name' });
    assert.throws(() => validateResourceOptions({ name: 'r', rebalanceDelayMs: -1 }), { code: 'CONFIG', key: 'partitions.r.rebalanceDelayMs' });
    assert.throws(() => load({ r: { maxMovesPerNode: -1 } }), { code: 'CONFIG', key: 'partitions.r.maxMovesPerNode' });
    assert.throws(() => validateResourceOptions({ name: 'r', maxMovesInFlight: 2.5 }), { code: 'CONFIG', key: 'partitions.r.maxMovesInFlight' });
  });

  it('preferredMasters: partitions to node ids; a partition out of range or a bad node id names the key', () => {
    const [resource] = resourcesOf(load({ r: { partitions: 4, preferredMasters: { '0': 'node-a', '3': 'node-b' } } }));
    assert.deepEqual(resource?.preferredMasters, { '0': 'node-a', '3': 'node-b' });
    assert.throws(() => resourcesOf(load({ r: { partitions: 4, preferredMasters: { '4': 'node-a' } } })), { code: 'CONFIG', key: 'partitions.r.preferredMasters' });
    assert.throws(() => resourcesOf(load({ r: { partitions: 4, preferredMasters: { x: 'node-a' } } })), { code: 'CONFIG', key: 'partitions.r.preferredMasters' });
    assert.throws(() => resourcesOf(load({ r: { partitions: 4, preferredMasters: { '1': 'bad id' } } })), { code: 'CONFIG', key: 'partitions.r.preferredMasters.1' });
  });
});
