import { describeSharedSettings } from './settings-suite.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';

describeSharedSettings('sqlite', createSqliteFixture);
