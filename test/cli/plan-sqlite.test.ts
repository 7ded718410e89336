import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { describePlan } from './plan-suite.js';

describePlan('SQLite', createSqliteFixture);
