import { BatonError, StoreUnavailableError } from '../../errors.js';
import { EtcdCallError } from './etcd-client.js';

/**
 * Turns a failed etcd call into the backend contract's errors: BatonErrors pass unchanged; a
 * call etcd could not serve (unreachable member, no leader, timeout, refused token) becomes
 * StoreUnavailableError naming the member and the status.
 */
export function toContractError(error: unknown): unknown {
  if (error instanceof BatonError) return error;
  if (error instanceof EtcdCallError) {
    const what = error.unreachable ? 'etcd is unreachable' : `etcd refused the call (check the store URL's TLS files, user and password, and the user's permissions on the prefix)`;
    return new StoreUnavailableError(`${what}: ${error.message}`, { cause: error });
  }
  return error;
}
