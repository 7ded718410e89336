import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { coldStartSuite } from './cold-start.js';

coldStartSuite('SQLite', createSqliteFixture);
