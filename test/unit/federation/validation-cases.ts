/**
 * The routing data validation table: one row per rule. The same rows are checked through the
 * shared module, through the directory service (HTTP 400) and through the federated client
 * (bad static routing), so the three can never drift apart.
 */
export interface InvalidCase {
  readonly rule: string;
  readonly input: unknown;
  /** The key or realm the error must name. */
  readonly names: string;
  /** The key it conflicts with, when the rule is about two keys. */
  readonly conflictingKey?: string;
  /** The directory stores it all the same (Helix's directory allows a namespace without keys). */
  readonly directoryAccepts?: true;
}

export const INVALID_CASES: readonly InvalidCase[] = [
  { rule: 'key must start with "/"', input: { r1: ['a/b'] }, names: 'a/b' },
  { rule: 'key must not end with "/"', input: { r1: ['/a/'] }, names: '/a/' },
  { rule: 'key must not have an empty segment', input: { r1: ['/a//b'] }, names: '/a//b' },
  { rule: 'key must not be empty', input: { r1: [''] }, names: '""' },
  { rule: 'key must be a string', input: { r1: [5] }, names: '5' },
  { rule: 'key must not contain control characters', input: { r1: ['/a\u0001b'] }, names: '/a' },
  { rule: 'key must not contain a space (Helix)', input: { r1: ['/a b'] }, names: '/a b' },
  { rule: 'key must not contain a non-ASCII letter (Helix: \\w is ASCII)', input: { r1: ['/café'] }, names: '/café' },
  { rule: 'key must not contain "~" (Helix)', input: { r1: ['/a~b'] }, names: '/a~b' },
  { rule: 'no duplicate key within a realm', input: { r1: ['/a', '/a'] }, names: '/a', conflictingKey: '/a' },
  { rule: 'no duplicate key across realms', input: { r1: ['/a'], r2: ['/a'] }, names: '/a', conflictingKey: '/a' },
  { rule: 'no key nested in another (child after parent)', input: { r1: ['/a'], r2: ['/a/b'] }, names: '/a/b', conflictingKey: '/a' },
  { rule: 'no key nested in another (parent after child)', input: { r1: ['/a/b/c'], r2: ['/a'] }, names: '/a', conflictingKey: '/a/b/c' },
  { rule: 'no key nested in another (same realm)', input: { r1: ['/x/y', '/x'] }, names: '/x', conflictingKey: '/x/y' },
  { rule: '"/" only as the sole key (after others)', input: { r1: ['/x'], r2: ['/'] }, names: '"/"', conflictingKey: '/x' },
  { rule: '"/" only as the sole key (before others)', input: { r1: ['/', '/x'] }, names: '/x', conflictingKey: '/' },
  { rule: '"/" not next to a realm without keys (Helix TrieRoutingData)', input: { r1: ['/'], r2: [] }, names: 'r2', conflictingKey: '/' },
  { rule: 'at least one key', input: { r1: [] }, names: 'no sharding key', directoryAccepts: true },
  { rule: 'at least one realm', input: {}, names: 'no sharding key', directoryAccepts: true },
  { rule: 'realm name non-empty', input: { '': ['/a'] }, names: 'realm name ""' },
  { rule: 'realm name without control characters (ZooKeeper refuses them)', input: { 'zk\u0007a': ['/a'] }, names: 'zk\\u0007a' },
  { rule: 'realm name without "/"', input: { 'zk:2181/chroot': ['/a'] }, names: 'zk:2181/chroot' },
  { rule: 'realm name not ".."', input: { '..': ['/a'] }, names: '..' },
  { rule: 'keys must be an array', input: { r1: '/a' }, names: 'r1' },
  { rule: 'routing data must be an object', input: ['/a'], names: 'must be an object' },
];

/** Valid routing data that looks close to the invalid rows (must be accepted). */
export const VALID_CASES: readonly { readonly rule: string; readonly input: Record<string, string[]> }[] = [
  { rule: 'sibling keys sharing a string prefix are not nested', input: { r1: ['/a'], r2: ['/ab', '/a-b'] } },
  { rule: '"." and ".." segments (Helix accepts them)', input: { r1: ['/a/..', '/./b'] } },
  { rule: 'every punctuation Helix allows in a segment', input: { r1: ["/_?$&+,:;=@#|'<>.^*()%!-"] } },
  { rule: 'a key longer than 1024 characters (Helix sets no length)', input: { r1: [`/${'k'.repeat(2000)}`] } },
  { rule: '"/" alone', input: { 'zk-1:2181': ['/'] } },
  { rule: 'a realm with no keys next to one with keys', input: { r1: ['/a'], r2: [] } },
  { rule: 'realm names that are connect strings', input: { 'zk-1:2181,zk-2:2181': ['/a/b'], '[::1]:2181': ['/c'] } },
  { rule: 'realm names Helix would store (any znode name)', input: { testRealm1: ['/x'], 'realm with space': ['/y'], 'réalm~1': ['/z'] } },
];
