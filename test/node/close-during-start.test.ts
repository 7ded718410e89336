/**
 * close() while start() is still opening the store: the node must end closed, with nothing left
 * running (no session, no membership, no open store), and start() must settle at once with
 * ClosedError instead of waiting out its retries; close() resolves once what start opened is
 * closed again. Before the fix, close() resolved while the
 * store was still opening, then start() went on: it opened the store, joined the cluster and
 * ran a session for a node that reported itself closed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/contract.js';
import { openStore } from '../../src/backends/open-store.js';
import { StoreUnavailableError, isBatonError } from '../../src/errors.js';
import { BatonNode } from '../../src/node/baton-node.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { deferred } from '../../src/node/deferred.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { silentLogger, testConfig } from './node-helpers.js';

describe('BatonNode closed while it starts (SQLite)', () => {
  let db: SqlFixture;
  let observer: Backend;
  before(async () => {
    db = await createSqliteFixture();
    observer = await openStore(db.url, { cluster: 'closing' });
  });
  after(async () => {
    await observer.close();
    await db.teardown();
  });

  it('a store that opens after close() is closed again, and the node never joins', async () => {
    const opened = deferred<void>();
    const storeClosed = deferred<void>();
    let backend: Backend | null = null;
    const node = new BatonNode(testConfig({ cluster: 'closing', nodeId: 'late', store: { url: db.url } }), {
      logger: silentLogger,
      openBackend: async () => {
        await opened.promise;
        backend = await openStore(db.url, { cluster: 'closing' });
        const close = backend.close.bind(backend);
        return Object.assign(backend, { close: async () => (await close(), storeClosed.resolve()) });
      },
    });
    const starting = node.start();
    const closing = node.close();
    assert.equal(node.state, 'closing');
    let storeWasClosed = false;
    void storeClosed.promise.then(() => (storeWasClosed = true));
    opened.resolve();
    await closing;
    assert.equal(storeWasClosed, true, 'close() resolved before the store that opened late was closed');
    await assert.rejects(starting, (error: unknown) => isBatonError(error, 'CLOSED'));
    assert.notEqual(backend, null);
    assert.equal(node.state, 'closed');
    assert.deepEqual((await observer.members()).map((m) => m.nodeId), []);
  });

  it('close() during the start-up backoff ends start() at once, without waiting for the clock', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const failed = deferred<void>();
    const node = new BatonNode(testConfig({ cluster: 'closing', nodeId: 'backoff', store: { url: db.url, connectAttempts: 5, connectBackoffMs: 60_000 } }), {
      logger: silentLogger,
      clock,
      openBackend: async () => {
        attempts += 1;
        failed.resolve();
        throw new StoreUnavailableError('the store is still starting');
      },
    });
    const starting = node.start();
    await failed.promise;
    await node.close();
    // The fake clock never moves: start() settles only because close() ended its backoff wait.
    await assert.rejects(starting, (error: unknown) => isBatonError(error, 'CLOSED'));
    assert.equal(attempts, 1);
    assert.equal(node.state, 'closed');
  });
});
