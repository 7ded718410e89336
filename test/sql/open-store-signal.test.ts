/**
 * openStore takes `{ signal }` like every async call: an aborted signal opens nothing, and
 * aborting while the store opens rejects at once (the store, once open, is closed again).
 * Real SQLite files in a temporary directory.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { isBatonError } from '../../src/errors.js';

describe('openStore({ signal })', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-open-signal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an aborted signal opens nothing: AbortedError, and no database file is created', async () => {
    const file = path.join(dir, 'never.db');
    await assert.rejects(openStore(`sqlite:${file}`, { cluster: 'c', signal: AbortSignal.abort() }), (error: unknown) => isBatonError(error, 'ABORTED'));
    assert.equal(existsSync(file), false);
  });

  it('aborting while the store opens rejects with AbortedError naming the store', async () => {
    const file = path.join(dir, 'given-up.db');
    const stop = new AbortController();
    const opening = openStore(`sqlite:${file}`, { cluster: 'c', signal: stop.signal });
    stop.abort(new Error('start-up cancelled'));
    await assert.rejects(opening, (error: unknown) => isBatonError(error, 'ABORTED') && error.message.includes(file));
  });

  it('a signal that stays quiet changes nothing: the store opens and works', async () => {
    const backend = await openStore(`sqlite:${path.join(dir, 'opened.db')}`, { cluster: 'c', signal: new AbortController().signal });
    try {
      assert.deepEqual(await backend.members(), []);
    } finally {
      await backend.close();
    }
  });
});
