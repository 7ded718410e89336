import { describeBucketScenarios } from './scenarios.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBucketScenarios(sqlHarness('sqlite', createSqliteFixture));
