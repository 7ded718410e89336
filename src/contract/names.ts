import { InvalidArgumentError } from '../errors.js';

/**
 * Names used as keys in every store. They become ZooKeeper path segments and SQL values, so
 * one rule serves all backends: segments of letters, digits, `.`, `_`, `-`, `:` and `@`,
 * joined by `/` for keys and election names. Node ids and cluster names are one segment.
 */
const SEGMENT = /^[A-Za-z0-9._:@-]{1,128}$/;
const MAX_KEY_LENGTH = 512;

function checkSegments(kind: string, value: string): void {
  const segments = value.split('/');
  const bad = segments.find((s) => !SEGMENT.test(s) || s === '.' || s === '..');
  if (value.length > MAX_KEY_LENGTH || bad !== undefined) {
    throw new InvalidArgumentError(
      `${kind} "${value}" is invalid: use segments of letters, digits, ".", "_", "-", ":" or "@" (1-128 characters, not "." or ".."), joined by "/", at most ${MAX_KEY_LENGTH} characters in all`,
    );
  }
}

/** A KV key: `segment(/segment)*`. */
export function validateKey(key: string): string {
  checkSegments('key', key);
  return key;
}

/** A KV listing prefix: empty (everything) or a key followed by `/`. */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (!prefix.endsWith('/')) {
    throw new InvalidArgumentError(`prefix "${prefix}" is invalid: it must be empty or end with "/"`);
  }
  checkSegments('prefix', prefix.slice(0, -1));
  return prefix;
}

/** An election name: `segment(/segment)*`, for example `cluster-leader` or `bucket/17`. */
export function validateElectionName(name: string): string {
  checkSegments('election name', name);
  return name;
}

/** A node id or cluster name: one segment, no `/`. */
export function validateSegment(kind: 'node id' | 'cluster name', value: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(
      `${kind} "${String(value)}" is invalid: use 1-128 letters, digits, ".", "_", "-", ":" or "@" (no "/")`,
    );
  }
  return value;
}
