import { describeBucketScenarios } from './scenarios.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBucketScenarios(sqlHarness('mysql', createMysqlFixture));
