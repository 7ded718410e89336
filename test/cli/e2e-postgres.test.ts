import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeThreeNodes } from './three-nodes.js';

describeThreeNodes(sqlStore('PostgreSQL', createPostgresFixture));
