import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoutingData, isUnderPrefix } from '../../../src/federation/routing-data.js';
import { InvalidRoutingDataError, InvalidArgumentError, RoutingError } from '../../../src/errors.js';
import { INVALID_CASES, VALID_CASES } from './validation-cases.js';
import { isValidZkPath } from '../../../src/federation/sharding-key.js';

describe('routing data validation (shared module)', () => {
  for (const c of INVALID_CASES) {
    it(`refuses: ${c.rule}`, () => {
      assert.throws(
        () => RoutingData.from(c.input),
        (error: unknown) => {
          assert.ok(error instanceof InvalidRoutingDataError, `expected InvalidRoutingDataError, got ${String(error)}`);
          assert.equal(error.code, 'INVALID_ARGUMENT');
          assert.ok(error.message.includes(c.names), `message "${error.message}" should name ${c.names}`);
          if (c.conflictingKey !== undefined) {
            assert.equal(error.conflictingKey, c.conflictingKey);
            assert.ok(error.message.includes(`"${c.conflictingKey}"`), `message "${error.message}" should name ${c.conflictingKey}`);
          }
          return true;
        },
      );
    });
  }
  for (const c of VALID_CASES) {
    it(`accepts: ${c.rule}`, () => {
      const routing = RoutingData.from(c.input, { allowNoKeys: false });
      assert.deepEqual(routing.toRecord(), Object.fromEntries(Object.entries(c.input).sort().map(([r, k]) => [r, [...k].sort()])));
    });
  }
  it('allows no keys only when asked', () => {
    assert.equal(RoutingData.from({ r1: [] }, { allowNoKeys: true }).keyCount, 0);
  });
  it('reads Helix list shape and refuses a realm listed twice', () => {
    const routing = RoutingData.fromRealmList([{ realm: 'r1', shardingKeys: ['/a'] }, { realm: 'r2', shardingKeys: ['/b'] }]);
    assert.equal(routing.lookup('/b/c').realm, 'r2');
    assert.throws(() => RoutingData.fromRealmList([{ realm: 'r1', shardingKeys: ['/a'] }, { realm: 'r1', shardingKeys: ['/b'] }]), InvalidRoutingDataError);
  });
});

describe('sharding key syntax is Helix\'s ZkValidationUtil.isPathValid', () => {
  // Printable ASCII that Java's String.matches accepts in a segment under Helix's pattern
  // (measured with Java 17 against the pattern from metadata-store-directory-common).
  const HELIX_SEGMENT_ASCII = "!#$%&'()*+,-.0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ^_abcdefghijklmnopqrstuvwxyz|";
  it('accepts in a segment exactly the printable ASCII Helix accepts', () => {
    for (let code = 32; code < 127; code++) {
      const c = String.fromCharCode(code);
      if (c === '/') continue;
      assert.equal(isValidZkPath(`/a${c}b`), HELIX_SEGMENT_ASCII.includes(c), `character ${JSON.stringify(c)}`);
    }
  });
  it('judges whole paths as Helix does', () => {
    const cases: [string, boolean][] = [['/', true], ['/a/.', true], ['/a/..', true], ['/a/b', true], ['/ü', false], ['/a/', false], ['//a', false], ['a', false], ['', false], ['/a\n', false], ['/a b', false]];
    for (const [path, valid] of cases) assert.equal(isValidZkPath(path), valid, JSON.stringify(path));
  });
  it('lists keys at or under a prefix; a prefix below a key lists none (Helix getAllMappingUnderPath)', () => {
    const routing = RoutingData.from({ r1: ['/sharding/key/1/a', '/sharding/key/1/b'], r2: ['/sharding/key/1/d', '/other'] });
    assert.deepEqual(routing.keysUnder('/sharding/key').map((r) => r.shardingKey), ['/sharding/key/1/a', '/sharding/key/1/b', '/sharding/key/1/d']);
    assert.deepEqual(routing.keysUnder('/sharding/key/1/a'), [{ realm: 'r1', shardingKey: '/sharding/key/1/a' }]);
    assert.deepEqual(routing.keysUnder('/sharding/key/1/a/x'), []);
    assert.deepEqual(routing.keysUnder('/non/Existed/Prefix'), []);
    assert.equal(routing.keysUnder('/').length, 4);
    assert.deepEqual(RoutingData.from({ only: ['/'] }).keysUnder('/a'), []);
  });
});

describe('routing lookup (segment trie)', () => {
  const routing = RoutingData.from({ r1: ['/a', '/deep/x/y/z'], r2: ['/ab', '/c/d'] });

  it('routes a path under a key on segment boundaries', () => {
    assert.deepEqual(routing.lookup('/a/b'), { realm: 'r1', shardingKey: '/a' });
    assert.deepEqual(routing.lookup('/a'), { realm: 'r1', shardingKey: '/a' });
    assert.deepEqual(routing.lookup('/ab/x'), { realm: 'r2', shardingKey: '/ab' });
    assert.deepEqual(routing.lookup('/deep/x/y/z/1/2'), { realm: 'r1', shardingKey: '/deep/x/y/z' });
  });
  it('does not route /abc under /ab or /a', () => {
    assertRoutingError(() => routing.lookup('/abc'), '/abc', 'NO_KEY');
  });
  it('refuses a proper prefix of a key, naming the path', () => {
    assertRoutingError(() => routing.lookup('/c'), '/c', 'PREFIX_OF_KEY');
    assertRoutingError(() => routing.lookup('/deep/x'), '/deep/x', 'PREFIX_OF_KEY');
    assertRoutingError(() => routing.lookup('/'), '/', 'PREFIX_OF_KEY');
  });
  it('refuses a path under no key, naming the path', () => {
    assertRoutingError(() => routing.lookup('/zzz/1'), '/zzz/1', 'NO_KEY');
    assertRoutingError(() => routing.lookup('/c/e'), '/c/e', 'NO_KEY');
  });
  it('refuses malformed paths with InvalidArgumentError', () => {
    assert.throws(() => routing.lookup('a/b'), InvalidArgumentError);
    assert.throws(() => routing.lookup('//a'), InvalidArgumentError);
    assert.throws(() => routing.lookup('/deep//x'), InvalidArgumentError);
  });
  it('a root key "/" routes every path', () => {
    const root = RoutingData.from({ only: ['/'] });
    assert.deepEqual(root.lookup('/'), { realm: 'only', shardingKey: '/' });
    assert.deepEqual(root.lookup('/any/thing'), { realm: 'only', shardingKey: '/' });
  });
  it('agrees with a linear scan over random keys and paths', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', 'c');
    const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 12 }), fc.array(segment, { minLength: 1, maxLength: 6 }), (keys, pathSegments) => {
        // Keep only keys that nest with no earlier key, so the data is valid.
        const kept: string[] = [];
        for (const k of keys) if (!kept.some((o) => isUnderPrefix(k, o) || isUnderPrefix(o, k))) kept.push(k);
        fc.pre(kept.length > 0);
        const data = RoutingData.from({ r: kept });
        const path = `/${pathSegments.join('/')}`;
        const expected = kept.find((k) => isUnderPrefix(path, k));
        const got = data.tryLookup(path);
        if (expected !== undefined) assert.deepEqual(got, { realm: 'r', shardingKey: expected });
        else assert.equal(got, kept.some((k) => isUnderPrefix(k, path)) ? 'PREFIX_OF_KEY' : 'NO_KEY');
      }),
    );
  });
});

function assertRoutingError(fn: () => unknown, path: string, reason: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RoutingError, `expected RoutingError, got ${String(error)}`);
    assert.equal(error.code, 'ROUTING');
    assert.equal(error.path, path);
    assert.equal(error.reason, reason);
    assert.ok(error.message.includes(`"${path}"`));
    return true;
  });
}
