/**
 * A SqlConnection that forwards every call to another one: the base of the fault-test wrappers,
 * which override only the calls they watch or break.
 */
import type { CallOptions } from '../../src/contract/contract.js';
import type { Handover, SqlConnection, SqlExecutor, SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';

export class ForwardingConnection implements SqlConnection {
  protected readonly inner: SqlConnection;

  constructor(inner: SqlConnection) {
    this.inner = inner;
  }

  get dialect() {
    return this.inner.dialect;
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.inner.run(sql, params);
  }

  /** Through `run`, so a wrapper that watches or breaks `run` sees the polls' reads too. */
  readBatched(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.run(sql, params);
  }

  /** Sends nothing in batches (readBatched runs alone), so nothing waits for one. */
  readonly batchesReads: boolean = false;

  /** Through `run` at once, so a wrapper that watches or breaks `run` sees these too. */
  runWithNextBatch(sql: string, params: readonly SqlParam[], _maxWaitMs?: number, _onSent?: () => void): Promise<SqlResult> {
    return this.run(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.inner.transaction(fn, options);
  }

  withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.withMigrationLock(lockName, fn);
  }

  runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    return this.inner.runAndAnnounce(sql, params, cluster, options);
  }

  announce(tx: SqlExecutor, cluster: string): Promise<void> {
    return this.inner.announce(tx, cluster);
  }

  onAnnounce(cluster: string, listener: (topic: string | undefined, handover?: Handover) => void): () => void {
    return this.inner.onAnnounce(cluster, listener);
  }

  get announcing(): boolean {
    return this.inner.announcing;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
