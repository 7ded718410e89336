/**
 * A SqlConnection wrapper for fault tests: `cut()` makes every statement fail as an
 * unreachable store would, until `restore()`. It stands in for a network cut where no TCP is
 * involved (SQLite).
 */
import type { CallOptions } from '../../src/backend/contract.js';
import type { SqlConnection, SqlExecutor, SqlParam, SqlResult } from '../../src/backends/sql/dialect.js';
import { StoreUnavailableError } from '../../src/errors.js';

export class FaultyConnection implements SqlConnection {
  readonly #inner: SqlConnection;
  #cut = false;

  constructor(inner: SqlConnection) {
    this.#inner = inner;
  }

  get dialect() {
    return this.#inner.dialect;
  }

  cut(): void {
    this.#cut = true;
  }

  restore(): void {
    this.#cut = false;
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.#check() ?? this.#inner.run(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.#check() ?? this.#inner.transaction(fn, options);
  }

  withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#check() ?? this.#inner.withMigrationLock(lockName, fn);
  }

  runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string): Promise<SqlResult> {
    return this.#check() ?? this.#inner.runAndAnnounce(sql, params, cluster);
  }

  announce(tx: SqlExecutor, cluster: string): Promise<void> {
    return this.#inner.announce(tx, cluster);
  }

  onAnnounce(cluster: string, listener: () => void): () => void {
    return this.#inner.onAnnounce(cluster, listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #check(): Promise<never> | undefined {
    return this.#cut ? Promise.reject(new StoreUnavailableError('test: connection cut')) : undefined;
  }
}
