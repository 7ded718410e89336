import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeLeaderTransfer } from './leader-transfer-suite.js';

describeLeaderTransfer(sqlStore('PostgreSQL', createPostgresFixture));
