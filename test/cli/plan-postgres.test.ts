import { createPostgresFixture } from '../support/postgres-fixture.js';
import { describePlan } from './plan-suite.js';

describePlan('PostgreSQL', createPostgresFixture);
