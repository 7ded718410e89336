import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bucketOf, fnv1a32 } from '../../../src/buckets/bucket-of.js';
import { isBucketId } from '../../../src/buckets/bucket-ids.js';
import { InvalidArgumentError } from '../../../src/errors.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('bucketOf', () => {
  it('hashes with 32-bit FNV-1a (the published test vectors)', () => {
    assert.equal(fnv1a32(utf8('')), 0x811c9dc5);
    assert.equal(fnv1a32(utf8('a')), 0xe40c292c);
    assert.equal(fnv1a32(utf8('foobar')), 0xbf9cf968);
  });

  it('maps a key to fnv1a32 % count + 1, a bucket id from "1" to count', () => {
    assert.equal(bucketOf('a', 100), String((0xe40c292c % 100) + 1));
    assert.equal(bucketOf('foobar', 7), String((0xbf9cf968 % 7) + 1));
    assert.equal(bucketOf('anything', 1), '1');
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 100_000 }), (key, count) => {
      const bucket = bucketOf(key, count);
      return isBucketId(bucket, count) && bucketOf(key, count) === bucket;
    }));
  });

  it('spreads keys over every bucket', () => {
    const seen = new Set(Array.from({ length: 2_000 }, (_, i) => bucketOf(`table-${i}`, 16)));
    assert.equal(seen.size, 16);
  });

  it('refuses a bucket count that is not a whole number from 1 to the maximum', () => {
    for (const count of [0, -1, 1.5, Number.NaN, 100_001]) assert.throws(() => bucketOf('k', count), InvalidArgumentError);
  });
});
