import { AbortedError, StoreUnavailableError } from '../errors.js';
import { sessionExpired } from './zookeeper-error.js';

/** What the wait needs of a ZkConnection. */
interface Connecting {
  readonly options: { readonly connect: string };
  onStateChange(listener: (state: string) => void, signal: AbortSignal): void;
}

/** Resolves once `conn` is connected; rejects on `signal`, expiry, or after `timeoutMs`. */
export function untilConnected(conn: Connecting, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = new AbortController();
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(new AbortedError('ZooKeeper connect', signal?.reason));
    const timer = setTimeout(
      () => finish(new StoreUnavailableError(`could not reach ZooKeeper at ${conn.options.connect} within ${timeoutMs} ms; check that the servers run and the address is right`)),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    conn.onStateChange((state) => {
      if (state === 'connected') finish();
      else if (state === 'expired') finish(sessionExpired(''));
    }, stop.signal);
  });
}
