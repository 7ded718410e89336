import { createMysqlFixture } from '../support/mysql-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite('MariaDB', createMysqlFixture);
