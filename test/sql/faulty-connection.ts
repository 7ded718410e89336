/**
 * A SqlConnection wrapper for fault tests: `cut()` makes every statement fail as an
 * unreachable store would, until `restore()`. It stands in for a network cut where no TCP is
 * involved (SQLite).
 */
import type { CallOptions } from '../../src/contract/contract.js';
import type { SqlExecutor, SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { ForwardingConnection } from './forwarding-connection.js';

export class FaultyConnection extends ForwardingConnection {
  #cut = false;

  cut(): void {
    this.#cut = true;
  }

  restore(): void {
    this.#cut = false;
  }

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.#check() ?? this.inner.run(sql, params);
  }

  override transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.#check() ?? this.inner.transaction(fn, options);
  }

  override withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#check() ?? this.inner.withMigrationLock(lockName, fn);
  }

  override runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    return this.#check() ?? this.inner.runAndAnnounce(sql, params, cluster, options);
  }

  #check(): Promise<never> | undefined {
    return this.#cut ? Promise.reject(new StoreUnavailableError('test: connection cut')) : undefined;
  }
}
