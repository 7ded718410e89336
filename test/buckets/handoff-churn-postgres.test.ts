import { createPostgresFixture } from '../support/postgres-fixture.js';
import { describeChurn } from './churn-suite.js';

describeChurn('PostgreSQL', createPostgresFixture);
