/**
 * The calls whose success proves that the ENSEMBLE LEADER held the session after we sent them,
 * so they may move ZkConnection's `lastHeardAt` (by the `what` that ZkClient and the probe give
 * ZkConnection.call):
 * - `sync`: a follower forwards it to the leader, whose PrepRequestProcessor checks the session
 *   (checkSession) before the sync is ordered after every earlier commit; had the leader expired
 *   the session first, its closeSession would be applied by our server before the sync's answer
 *   and our connection closed, so no OK could reach us.
 * - writes (`create`, `delete`, `setData`, `multi`): the leader checks the session the same way
 *   before it proposes the transaction, and the answer comes only after a quorum committed it.
 * Reads (`exists`, `getData`, `getChildren`) and the library's pings are answered by whichever
 * server we are connected to, alone: a follower cut from its quorum keeps answering them for up
 * to syncLimit * tickTime while the leader expires the session (issue 10 case 1), so they prove
 * nothing and never move the deadline. Error answers prove nothing either.
 */
const THROUGH_LEADER: ReadonlySet<string> = new Set(['sync', 'create', 'delete', 'setData', 'multi']);

/** Whether a successful call named `what` proves that the quorum held the session after it was sent. */
export function provesSessionHeld(what: string): boolean {
  return THROUGH_LEADER.has(what);
}
