import { createMysqlFixture } from '../support/mysql-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { describeThreeNodes } from './three-nodes.js';

let fixture: SqlFixture | undefined;
describeThreeNodes({
  name: 'MariaDB',
  async setup() {
    fixture = await createMysqlFixture();
    return fixture.url;
  },
  async teardown() {
    await fixture?.teardown();
  },
});
