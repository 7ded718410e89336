import { createMysqlFixture } from '../support/mysql-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeThreeNodes } from './three-nodes.js';

describeThreeNodes(sqlStore('MariaDB', createMysqlFixture));
