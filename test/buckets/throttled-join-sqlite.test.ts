import { STEADY_TIMING, describeThrottledJoin } from './throttled-join.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { sqlHarness } from '../sql/sql-harness.js';

describeThrottledJoin(sqlHarness('sqlite', createSqliteFixture, STEADY_TIMING), { count: 300, limits: { maxMovesPerNode: 10 }, bound: 10, releaseMs: 300, timeoutMs: 120_000 });
