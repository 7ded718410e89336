import { STEADY_TIMING, describeThrottledJoin } from './throttled-join.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeThrottledJoin(sqlHarness('postgres', createPostgresFixture, STEADY_TIMING), { count: 300, limits: { maxMovesPerNode: 10 }, bound: 10, releaseMs: 300, timeoutMs: 120_000 });
