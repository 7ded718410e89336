import { describeBackendContract } from './contract-suite.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBackendContract(sqlHarness('sqlite', createSqliteFixture));
