import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { AssignService } from '../../../src/buckets/assign-service.js';
import { assignmentsKey, lastUpdateKey, nodePrefix, parseAssignments } from '../../../src/buckets/assignment-layout.js';
import { bucketIds, isBucketId } from '../../../src/buckets/bucket-ids.js';
import { BucketOwner } from '../../../src/buckets/bucket-owner.js';
import { validateBucketsOptions } from '../../../src/buckets/buckets-options.js';
import { ConfigError, CorruptDocumentError, isBatonError } from '../../../src/errors.js';

const isConfig = (key: string) => (e: unknown) => e instanceof ConfigError && e.key === key;

describe('bucket settings and documents: bad input', () => {
  it('rejects a bucket count of 0, negative or not whole with ConfigError', () => {
    for (const count of [0, -1, -100, 1.5, Number.NaN, Infinity, '100' as unknown as number]) {
      assert.throws(() => validateBucketsOptions({ count }), isConfig('buckets.count'), `count ${String(count)}`);
    }
    assert.equal(validateBucketsOptions({}).count, 100);
    assert.equal(validateBucketsOptions({ count: 7 }).count, 7);
  });

  it('rejects bad timing with ConfigError naming the field', () => {
    assert.throws(() => validateBucketsOptions({ assignIntervalMs: 0 }), isConfig('buckets.assignIntervalMs'));
    assert.throws(() => validateBucketsOptions({ offlineGraceMs: -1 }), isConfig('buckets.offlineGraceMs'));
    assert.throws(() => validateBucketsOptions({ maxMovesInFlight: -1 }), isConfig('buckets.maxMovesInFlight'));
    assert.throws(() => validateBucketsOptions({ maxMovesPerNode: 0.5 }), isConfig('buckets.maxMovesPerNode'));
    assert.deepEqual(validateBucketsOptions({}), { count: 100, assignIntervalMs: 60_000, offlineGraceMs: 300_000, layout: 'baton', amoroCluster: 'default', maxMovesInFlight: 0, maxMovesPerNode: 0 });
  });

  it('rejects an unknown stored layout and an Amoro cluster name that is not one path segment', () => {
    assert.throws(() => validateBucketsOptions({ layout: 'helix' as 'baton' }), isConfig('buckets.layout'));
    for (const amoroCluster of ['', 'a/b', 'a b']) {
      assert.throws(() => validateBucketsOptions({ layout: 'amoro', amoroCluster }), isConfig('buckets.amoroCluster'), amoroCluster);
    }
    assert.equal(validateBucketsOptions({ layout: 'amoro', amoroCluster: 'prod' }).amoroCluster, 'prod');
  });

  it('validates the count in the service and the owner before any I/O', async () => {
    const backend = new MemoryStore().backend('bad-input');
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    try {
      const leadership = await session.campaign('cluster-leader', {});
      assert.throws(() => new AssignService({ backend, leadership, buckets: { count: 0 } }), isConfig('buckets.count'));
      assert.throws(() => new BucketOwner({ backend, session, bucketCount: -3 }), isConfig('buckets.count'));
    } finally {
      await backend.close();
    }
  });

  it('rejects a node id with a slash (InvalidArgumentError)', () => {
    for (const build of [nodePrefix, assignmentsKey, lastUpdateKey]) {
      assert.throws(() => build('a/b'), (e) => isBatonError(e, 'INVALID_ARGUMENT'));
    }
    assert.equal(assignmentsKey('node-1'), 'bucket-assignments/node-1/assignments');
  });

  it('names the key of a corrupt assignments document and what is wrong with it', () => {
    const key = assignmentsKey('a');
    for (const value of [{ a: 1 }, '1', [1], ['0'], ['101'], ['01'], ['x'], [null]]) {
      assert.throws(() => parseAssignments(key, value, 100), (e) => e instanceof CorruptDocumentError && e.key === key, JSON.stringify(value));
    }
    assert.deepEqual(parseAssignments(key, ['10', '2', '2'], 100), ['2', '10']);
  });

  it('numbers buckets "1".."N"', () => {
    assert.deepEqual(bucketIds(3), ['1', '2', '3']);
    assert.ok(isBucketId('100', 100) && !isBucketId('101', 100) && !isBucketId('0', 100));
  });
});
