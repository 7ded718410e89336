import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { describeThreeNodes } from './three-nodes.js';

let fixture: SqlFixture | undefined;
describeThreeNodes({
  name: 'PostgreSQL',
  async setup() {
    fixture = await createPostgresFixture();
    return fixture.url;
  },
  async teardown() {
    await fixture?.teardown();
  },
});
