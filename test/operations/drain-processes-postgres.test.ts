import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { describeDrainProcesses } from './drain-processes.js';

let fixture: SqlFixture | undefined;
describeDrainProcesses({
  name: 'PostgreSQL',
  async setup() {
    fixture = await createPostgresFixture();
    return fixture.url;
  },
  async teardown() {
    await fixture?.teardown();
  },
});
