/**
 * For a test/sql suite that counts what its backends send: each backend's connection is wrapped
 * (a counting ForwardingConnection) and handed back with it.
 */
import { after, before } from 'node:test';
import type { SqlConnection } from '../../src/backends/sql/dialect.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { openConnection } from '../sql/watched-connection.js';
import type { SqlFixture } from './sqlite-fixture.js';

/** A backend and the wrapper its statements go through. */
export interface BackendThrough<C extends SqlConnection> {
  readonly backend: SqlBackend;
  readonly connection: C;
}

/**
 * Call inside a describe: its fixture is created before its tests, and every backend opened
 * with the returned function is closed after them, then the fixture torn down. Each backend
 * (in `cluster`, polling every `pollIntervalMs`) sends its statements through `wrap` of baton's
 * own connection to the fixture.
 */
export function backendsThrough<C extends SqlConnection>(
  createFixture: () => Promise<SqlFixture>,
  pollIntervalMs: number,
  wrap: (connection: SqlConnection) => C,
): (cluster: string) => Promise<BackendThrough<C>> {
  let fixture: SqlFixture | undefined;
  const backends: SqlBackend[] = [];
  before(async () => {
    fixture = await createFixture();
  });
  after(async () => {
    for (const backend of backends) await backend.close().catch(() => undefined);
    await fixture?.teardown();
  });
  return async (cluster) => {
    const connection = wrap(await openConnection(fixture!));
    const backend = await SqlBackend.open(fixture!.dialect, connection, { cluster, pollIntervalMs });
    backends.push(backend);
    return { backend, connection };
  };
}
