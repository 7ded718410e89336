import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { murmur2, murmur2Ascii } from '../../../src/partitions/murmur2.js';
import { DEFAULT_PARTITIONS, javaUtf8Into, partitionOf, rawTableName } from '../../../src/partitions/key-partition.js';
import { InvalidArgumentError } from '../../../src/errors.js';

// Compiled to dist/test/unit/partitions/: five levels up is /work, where shared/ lives.
const vectorsUrl = new URL('../../../../../shared/vectors/murmur2.json', import.meta.url);
const vectors = JSON.parse(readFileSync(vectorsUrl, 'utf8')) as {
  murmur2: Record<string, number>;
  partitionOf24: Record<string, number>;
};
const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * Non-ASCII keys: [key, murmur2 of its raw name, partition of 24, of 7, of 1000], computed with
 * Kafka's Java `Utils.murmur2` over `String.getBytes(UTF_8)` of the raw table name.
 */
const JAVA_VECTORS: readonly (readonly [string, number, number, number, number])[] = [
  ['tábla', 1816856626, 10, 4, 626],
  ['表格名称', 1422065854, 22, 6, 854],
  ['ü', 1419834458, 2, 0, 458],
  ['日本語_OFFLINE', 1431860170, 10, 6, 170],
  ['emoji😀x', -2111710327, 1, 3, 321],
  ['Ünïcödé_REALTIME', 1099742038, 22, 3, 38],
  ['', 275646681, 9, 2, 681],
  ['x', 2121525046, 22, 4, 46],
];

describe('murmur2 (Kafka variant)', () => {
  it('matches every shared vector', () => {
    const entries = Object.entries(vectors.murmur2);
    assert.ok(entries.length >= 6);
    for (const [text, expected] of entries) {
      assert.equal(murmur2(utf8(text)), expected, `murmur2(${JSON.stringify(text)})`);
    }
  });

  it('matches Java for non-ASCII and short inputs', () => {
    for (const [key, hash] of JAVA_VECTORS) {
      assert.equal(murmur2(utf8(rawTableName(key))), hash, `murmur2 of ${key}`);
    }
  });

  it('returns a signed 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const h = murmur2(bytes);
        return Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31;
      }),
    );
  });

  it('hashes ASCII strings from char codes exactly as from their UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (text) => {
        assert.equal(murmur2Ascii(text, text.length), murmur2(utf8(text)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('rawTableName', () => {
  it('strips only a trailing _OFFLINE or _REALTIME', () => {
    assert.equal(rawTableName('t_OFFLINE'), 't');
    assert.equal(rawTableName('t_REALTIME'), 't');
    assert.equal(rawTableName('t_OFFLINE_x'), 't_OFFLINE_x');
    assert.equal(rawTableName('t_REALTIME_OFFLINE'), 't_REALTIME');
    assert.equal(rawTableName('t_offline'), 't_offline');
    assert.equal(rawTableName('t'), 't');
    assert.equal(rawTableName('_OFFLINE'), '');
  });
});

describe('partitionOf', () => {
  it('matches every shared partition vector with the default 24 partitions', () => {
    assert.equal(DEFAULT_PARTITIONS, 24);
    const entries = Object.entries(vectors.partitionOf24);
    assert.ok(entries.length >= 5);
    for (const [key, expected] of entries) {
      assert.equal(partitionOf(key), expected, `partitionOf(${key})`);
      assert.equal(partitionOf(key, 24), expected);
    }
  });

  it('maps the raw name and its typed names to the same partition', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 5000 }), (name, partitions) => {
        const p = partitionOf(name, partitions);
        assert.equal(partitionOf(`${name}_OFFLINE`, partitions), p);
        assert.equal(partitionOf(`${name}_REALTIME`, partitions), p);
      }),
      { numRuns: 300 },
    );
  });

  it('computes (hash & 0x7fffffff) % partitions for other partition counts', () => {
    for (const [key, hash, p24, p7, p1000] of JAVA_VECTORS) {
      assert.equal(partitionOf(key), p24, `${key} of 24`);
      assert.equal(partitionOf(key, 7), p7, `${key} of 7`);
      assert.equal(partitionOf(key, 1000), p1000, `${key} of 1000`);
      assert.equal(partitionOf(key, 1), 0);
      assert.equal(partitionOf(key, 2 ** 31), hash & 0x7fffffff);
    }
  });

  it('agrees with hashing the UTF-8 encoding for any string, including long non-ASCII ones', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (key, partitions) => {
        const expected = (murmur2(utf8(rawTableName(key))) & 0x7fffffff) % partitions;
        assert.equal(partitionOf(key, partitions), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('a string with unpaired surrogates hashes as Java\'s getBytes(UTF_8) encodes it (each one as "?")', () => {
    // Bytes printed by Java 17's "...".getBytes(StandardCharsets.UTF_8) for these two strings.
    const javaBytes: [string, number[]][] = [
      ['a\ud800b', [0x61, 0x3f, 0x62]],
      ['a\udc00\ud83d\ude00\ud83d', [0x61, 0x3f, 0xf0, 0x9f, 0x98, 0x80, 0x3f]],
    ];
    for (const [text, bytes] of javaBytes) {
      const out = new Uint8Array(text.length * 3);
      assert.deepEqual([...out.subarray(0, javaUtf8Into(text, out))], bytes, JSON.stringify(text));
    }
    assert.equal(partitionOf('a\ud800b'), partitionOf('a?b'));
    assert.equal(partitionOf('t\udfff_OFFLINE', 7), partitionOf('t?', 7));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (key) => {
        const asJava = key.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?');
        assert.equal(partitionOf(key), partitionOf(asJava));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects partition counts that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.throws(() => partitionOf('t', bad), InvalidArgumentError, `partitions ${bad}`);
    }
  });
});
