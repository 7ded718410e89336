import { describeBackendContract } from './contract-suite.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeBackendContract(sqlHarness('mysql', createMysqlFixture));
