/**
 * Freezing (SIGSTOP) a process that writes to a SQLite file, between its writes.
 *
 * SQLite's locks are file locks held by the process: a process frozen in the middle of a write
 * keeps the write lock until it resumes, so no other process on the file can write, renew or
 * take over (every other holder stops at its renew deadline: safe, but nobody leads; see
 * docs/safety.md, SQLite). A renewal holds the lock for well under a millisecond, but on a
 * loaded machine a freeze lands inside one now and then. A test that means to freeze a holder
 * between its writes (the case the safety model covers) uses this: freeze, wait until the
 * kernel reports the process stopped, check from another connection that the write lock is
 * free, and otherwise let the child finish its write and freeze it again.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { waitFor } from './wait.js';

export async function freezeBetweenWrites(child: ChildProcess, file: string): Promise<void> {
  const probe = new Database(file, { timeout: 0 }); // busy at once: never waits for the lock
  try {
    await waitFor('the child frozen while it holds no SQLite write lock', async () => {
      child.kill('SIGSTOP');
      await waitFor('the child to stop', () => processState(child) === 'T', { intervalMs: 1 });
      if (writeLockFree(probe)) return true;
      child.kill('SIGCONT');
      return false;
    });
  } finally {
    probe.close();
  }
}

/** The state letter of /proc/PID/stat ('T' once a SIGSTOP has taken effect). */
function processState(child: ChildProcess): string | undefined {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function writeLockFree(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw error;
  }
}
