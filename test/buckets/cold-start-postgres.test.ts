import { createPostgresFixture } from '../support/postgres-fixture.js';
import { coldStartSuite } from './cold-start.js';

coldStartSuite('PostgreSQL', createPostgresFixture);
