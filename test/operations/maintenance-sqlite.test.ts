import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { describeMaintenance } from './maintenance-suite.js';

describeMaintenance('SQLite', createSqliteFixture);
