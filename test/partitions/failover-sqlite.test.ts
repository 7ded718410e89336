import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite('SQLite', createSqliteFixture);
