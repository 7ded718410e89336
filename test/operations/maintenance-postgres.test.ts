import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeMaintenance } from './maintenance-suite.js';

describeMaintenance(sqlStore('PostgreSQL', createPostgresFixture));
