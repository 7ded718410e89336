import { describeBackendContract } from './contract-suite.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBackendContract(sqlHarness('postgres', createPostgresFixture));
