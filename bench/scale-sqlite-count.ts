/**
 * SQLite has no server to ask how much it was written to, so the scale benchmark counts in each
 * node process: every statement better-sqlite3 runs goes through its Statement prototype, which
 * this wraps (once per process). A write is a statement that is not a reader (UPDATE, INSERT,
 * DELETE; a write with RETURNING is a reader, recognised by its first word); a commit is an
 * explicit COMMIT or a write run outside a transaction (autocommitted).
 */
import Database from 'better-sqlite3';

const counts = { writes: 0, commits: 0, rowsChanged: 0 };

const WRITE = /^\s*(insert|update|delete|replace)\b/i;
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|pragma)\b/i;

type StatementLike = { source: string; reader: boolean; database: { inTransaction: boolean } };
type Runner = (this: StatementLike, ...params: unknown[]) => unknown;

/** Starts counting this process's SQLite statements. Idempotent. */
export function countSqliteStatements(): void {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'all' | 'get', Runner> & { __counted?: true };
  probe.close();
  if (proto.__counted) return;
  proto.__counted = true;
  for (const method of ['run', 'all', 'get'] as const) {
    const original = proto[method];
    proto[method] = function counted(this: StatementLike, ...params: unknown[]): unknown {
      const autocommit = !this.database.inTransaction;
      const result = original.apply(this, params);
      const source = this.source;
      if (/^\s*commit\b/i.test(source)) counts.commits++;
      else if (!CONTROL.test(source) && (!this.reader || WRITE.test(source))) {
        counts.writes++;
        if (autocommit) counts.commits++;
        counts.rowsChanged += method === 'run' ? (result as { changes: number }).changes : Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
      }
      return result;
    };
  }
}

/** The counts so far (statements that wrote, commits, rows they changed). */
export function sqliteStatements(): { writes: number; commits: number; rowsChanged: number } {
  return { ...counts };
}
