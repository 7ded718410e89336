import { describeSharedSettings } from './settings-suite.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';

describeSharedSettings('postgres', createPostgresFixture);
