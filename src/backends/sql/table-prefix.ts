import { ConfigError } from '../../errors.js';

/** The table prefix used when none is configured. */
export const DEFAULT_TABLE_PREFIX = 'baton_';

/**
 * A prefix becomes part of SQL identifiers, so only a letter followed by letters, digits and
 * underscores is allowed, and it is kept short enough that `{prefix}migrations` fits every
 * engine's identifier limit (PostgreSQL: 63 bytes, MySQL: 64).
 */
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** The tables of one prefix, unquoted. */
export interface TableNames {
  readonly prefix: string;
  readonly lease: string;
  readonly member: string;
  readonly kv: string;
  /** Campaigns waiting for a lease, which a release hands it to (schema version 4). */
  readonly waiter: string;
  readonly migrations: string;
}

/** Checks a table prefix; throws ConfigError('store.tablePrefix') saying what is allowed. */
export function validateTablePrefix(prefix: string = DEFAULT_TABLE_PREFIX): string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(
      'store.tablePrefix',
      `"${String(prefix)}" is not allowed: use a letter followed by at most 31 letters, digits or underscores (for example "baton_")`,
    );
  }
  return prefix;
}

export function tableNames(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  const p = validateTablePrefix(prefix);
  return Object.freeze({
    prefix: p,
    lease: `${p}lease`,
    member: `${p}member`,
    kv: `${p}kv`,
    waiter: `${p}waiter`,
    migrations: `${p}migrations`,
  });
}
