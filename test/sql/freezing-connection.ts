/**
 * A SqlConnection wrapper for fault tests: once `freezeAfterKvWrite(freeze)` is armed, the next
 * statement that writes the KV table, or that reads the lease table inside a transaction (a
 * fence check), runs on the server and then `freeze` is called (a TCP proxy's `stall()`): the
 * writer is frozen right after the store answered that statement, as a SIGSTOP or a silent
 * network fault would freeze it, and whatever it holds on the server stays held.
 */
import type { CallOptions } from '../../src/contract/contract.js';
import type { SqlExecutor, SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { ForwardingConnection } from './forwarding-connection.js';

const TABLES = tableNames();

export class FreezingConnection extends ForwardingConnection {
  #freeze: (() => void) | undefined;

  /** Calls `freeze` once, right after the next fenced-write statement has been answered. */
  freezeAfterKvWrite(freeze: () => void): void {
    this.#freeze = freeze;
  }

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.#watch(sql, false, () => this.inner.run(sql, params));
  }

  override transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.inner.transaction((tx) => fn({ run: (sql, params) => this.#watch(sql, true, () => tx.run(sql, params)) }), options);
  }

  override runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    return this.#watch(sql, false, () => this.inner.runAndAnnounce(sql, params, cluster, options));
  }

  async #watch(sql: string, inTransaction: boolean, statement: () => Promise<SqlResult>): Promise<SqlResult> {
    const freeze = this.#freeze;
    const writesKv = /^\s*(INSERT|UPDATE|DELETE|WITH)\b/i.test(sql) && sql.includes(TABLES.kv);
    const checksFence = inTransaction && sql.includes(TABLES.lease);
    if (freeze === undefined || !(writesKv || checksFence)) return statement();
    this.#freeze = undefined;
    const result = await statement();
    freeze();
    return result;
  }
}
