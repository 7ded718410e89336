/**
 * Exponential backoff: `baseMs * 2^attempt`, capped at `maxMs`. attempt 0 waits `baseMs`.
 * Deterministic on purpose: retries here are few and spread by the nodes' differing start times.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}
