import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { describeChurn } from './churn-suite.js';

describeChurn('SQLite', createSqliteFixture);
