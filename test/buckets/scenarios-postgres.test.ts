import { describeBucketScenarios } from './scenarios.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBucketScenarios(sqlHarness('postgres', createPostgresFixture));
