import type { Backend, SessionTiming } from '../../src/contract/index.js';

/**
 * How the contract suite reaches one backend. Each backend's test file builds one and calls
 * `describeBackendContract(harness)`. Each test gets a fresh cluster name, so tests never see
 * each other's data; the harness drops everything it created in `teardown`.
 */
export interface ContractHarness {
  readonly name: string;
  /** Short timings the suite uses on this backend (real clocks: keep expiry waits a few seconds). */
  readonly timing: SessionTiming;
  /** Prepares the store (creates the database/file/server). Called once before the suite. */
  setup(): Promise<void>;
  /** Opens a new connection for `cluster`, as a separate process would. */
  open(cluster: string): Promise<Backend>;
  /** Stores raw text as the value of a KV key, bypassing validation (to plant corrupt documents). */
  writeRawKv(cluster: string, key: string, text: string): Promise<void>;
  /** Stores raw text as the current leader's info of `election` (to plant a corrupt lease). */
  writeRawLeaderInfo(cluster: string, election: string, text: string): Promise<void>;
  /**
   * Stores raw text as the member info of `nodeId` (to plant a corrupt member). Absent on a
   * backend that cannot store corrupt member info (memory keeps it as an object).
   */
  writeRawMemberInfo?(cluster: string, nodeId: string, text: string): Promise<void>;
  /**
   * Changes the election's stored record behind the holder's back (SQL: bump `version`; ZK:
   * delete the leader's znode), so that the holder's next renewal or check fails.
   */
  disturbLeader(cluster: string, election: string): Promise<void>;
  /** Drops everything the harness created. */
  teardown(): Promise<void>;
}
