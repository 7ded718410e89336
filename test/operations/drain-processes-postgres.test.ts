import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlStore } from '../support/stores-under-test.js';
import { describeDrainProcesses } from './drain-processes.js';

describeDrainProcesses(sqlStore('PostgreSQL', createPostgresFixture));
