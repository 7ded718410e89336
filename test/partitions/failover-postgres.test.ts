import { createPostgresFixture } from '../support/postgres-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite('PostgreSQL', createPostgresFixture);
