/**
 * The backend contract suite: one set of tests that every backend must pass (memory, sqlite,
 * postgres, mysql, zookeeper). A backend's test file builds a ContractHarness and calls
 * `describeBackendContract(harness)`. Real clocks; each test uses a fresh cluster name and
 * closes every backend it opened, pass or fail.
 *
 * How `harness.timing` is used (no timed assertions; these are logical bounds):
 * - handovers (resign, close) and member removal must finish within `ttlMs - retryPeriodMs`:
 *   the last renewal was at most one retry period earlier, so passing proves no expiry was
 *   waited for. Keep `ttlMs` a few seconds (4-6 s) so this is far above a handover.
 * - a disturbed holder must stop within `renewDeadlineMs + 2 * retryPeriodMs`, and a new
 *   campaign must win within `2 * ttlMs + renewDeadlineMs` (the longest single test).
 *
 * @example
 * // test/contract/sqlite.test.ts
 * describeBackendContract(sqliteHarness);
 */
import { after, before, describe } from 'node:test';
import { ContractContext } from './contract-context.js';
import { describeElectionContract } from './contract-election.js';
import { describeFencingContract } from './contract-fencing.js';
import { describeKvContract } from './contract-kv.js';
import { describeMembersContract } from './contract-members.js';
import type { ContractHarness } from './harness.js';

export function describeBackendContract(harness: ContractHarness): void {
  describe(`backend contract: ${harness.name}`, () => {
    const ctx = new ContractContext(harness);
    before(() => harness.setup());
    after(async () => {
      try {
        await ctx.closeAll();
      } finally {
        await harness.teardown();
      }
    });
    describeKvContract(ctx);
    describeMembersContract(ctx);
    describeElectionContract(ctx);
    describeFencingContract(ctx);
  });
}
