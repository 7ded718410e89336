/**
 * One demo per store: a lock file beside the demo's store names the pid of the demo using it.
 * A second demo refuses to start (instead of wiping the store under the first one); a lock left
 * by a demo that died is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { StateError } from '../../errors.js';

export class DemoLock {
  readonly #path: string;
  #held = false;

  private constructor(path: string) {
    this.#path = path;
  }

  /** Takes the lock at `path`; StateError naming the running demo's pid when it is alive. */
  static acquire(path: string, what: string): DemoLock {
    const lock = new DemoLock(path);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        lock.#held = true;
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new StateError(`another baton demo (pid ${pid}) is running on ${what}; stop it first (Ctrl-C in its terminal, or kill ${pid}), or give this one its own store with --store sqlite:PATH`);
      }
      rmSync(path, { force: true });
    }
    throw new StateError(`could not take the demo lock ${path}; remove it if no demo is running`);
  }

  /** Removes the lock file (synchronous, so it also runs in a process 'exit' handler). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    rmSync(this.#path, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
