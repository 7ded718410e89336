import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeMaintenance } from './maintenance-suite.js';

describeMaintenance(sqlStore('SQLite', createSqliteFixture));
