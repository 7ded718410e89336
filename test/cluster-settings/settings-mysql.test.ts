import { describeSharedSettings } from './settings-suite.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';

describeSharedSettings('mysql', createMysqlFixture);
