/**
 * Clean-up for tests that drive child processes with signals (SIGSTOP freezes included).
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Kills `child` if it still runs and waits until it exited. A frozen (SIGSTOPped) child is
 * continued first, so the kill is delivered at once; SIGKILL, so nothing it would do on a
 * graceful stop can run.
 */
export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}
