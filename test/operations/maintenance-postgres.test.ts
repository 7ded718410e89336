import { createPostgresFixture } from '../support/postgres-fixture.js';
import { describeMaintenance } from './maintenance-suite.js';

describeMaintenance('PostgreSQL', createPostgresFixture);
