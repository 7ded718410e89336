/**
 * startDirectoryServer takes `{ signal }` like every async call: aborting it while it connects
 * to ZooKeeper rejects with AbortedError instead of waiting out the connect timeout. Nothing
 * listens on the ZooKeeper address used here, so only the signal can end the wait early.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDirectoryServer } from '../../src/directory/directory-server.js';
import { isBatonError } from '../../src/errors.js';

/** A ZooKeeper address nobody answers on (port 1), and a connect timeout no test waits out. */
const UNANSWERED = { zk: '127.0.0.1:1', namespaces: ['ns'], sessionTimeoutMs: 600_000, token: 't' };

describe('startDirectoryServer({ signal })', () => {
  it('an aborted signal: AbortedError, no server', async () => {
    await assert.rejects(startDirectoryServer({ ...UNANSWERED, signal: AbortSignal.abort() }), (error: unknown) => isBatonError(error, 'ABORTED'));
  });

  it('aborting while it connects to ZooKeeper: AbortedError, not the connect timeout', async () => {
    const stop = new AbortController();
    const starting = startDirectoryServer({ ...UNANSWERED, signal: stop.signal });
    setImmediate(() => stop.abort(new Error('shutting down')));
    await assert.rejects(starting, (error: unknown) => isBatonError(error, 'ABORTED'));
  });
});
