/**
 * The two sides of a ZooKeeper handoff that the request-counting tests watch: a holder of an
 * election, and a second session (its waiter-to-be) whose time a FakeClock holds still, each
 * on a backend of its own against the same real server.
 */
import type { Backend, Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

export interface HolderAndWaiter {
  /** The term held by the first session. */
  readonly holder: Leadership;
  /** The waiter's clock, at 1,000 ms: nothing moves it but the test. */
  readonly clock: FakeClock;
  /** The session that is to wait for `election` (it has not campaigned yet). */
  readonly waiterSession: Session;
}

/**
 * Opens the holder's backend and session and wins `election` there (nodeId "holder"), then
 * opens the waiter's backend on a FakeClock and its session (nodeId "waiter"), both in
 * `cluster` with `timing`. Both backends are pushed onto `backends` for the caller to close.
 */
export async function holderAndWaiter(connect: string, cluster: string, election: string, timing: SessionTiming, backends: Backend[]): Promise<HolderAndWaiter> {
  const holderBackend = await createZookeeperBackend({ connect, cluster });
  backends.push(holderBackend);
  const holder = await (await holderBackend.openSession({ nodeId: 'holder', info: {}, timing })).campaign(election, {});
  const clock = new FakeClock(1_000);
  const waiterBackend = await createZookeeperBackend({ connect, cluster, clock });
  backends.push(waiterBackend);
  const waiterSession = await waiterBackend.openSession({ nodeId: 'waiter', info: {}, timing });
  return { holder, clock, waiterSession };
}
