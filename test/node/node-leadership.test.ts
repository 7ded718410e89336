/**
 * Issue 13: a node's cluster leadership as a user meets it. `startNode` returns before the first
 * session opens; `whenReady()` / `whenLeader()` wait for it, and `acquired` / `released` listeners,
 * registered once, fire once per term across sessions. Real stores: a SQLite file and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isBatonError } from '../../src/errors.js';
import type { Held, ReleaseReason } from '../../src/holding/index.js';
import { BatonNode } from '../../src/node/baton-node.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { silentLogger, testConfig } from './node-helpers.js';

/** Long enough that a loaded machine's pauses do not end a session; expiry is forced by the tests. */
const TIMING = { ttlMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 250, pollIntervalMs: 50 };

/** A node with listeners that record every event, registered before start. */
function recordedNode(url: string, nodeId: string): { node: BatonNode; events: string[] } {
  const node = new BatonNode(testConfig({ store: url, cluster: 'lead', nodeId, election: TIMING }), { logger: silentLogger });
  const events: string[] = [];
  node.on('acquired', (held: Held) => void events.push(`acquired ${held.token}`));
  node.on('released', (reason: ReleaseReason) => void events.push(`released ${reason}`));
  return { node, events };
}

describe('BatonNode: whenReady, whenLeader and leadership events', () => {
  let fixture: SqlFixture | undefined;
  const nodes: BatonNode[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    await fixture?.teardown();
    fixture = undefined;
  });

  it('sqlite: a lone node leads after whenLeader(); one acquired per term, across a lost session; misspelt events throw', async () => {
    fixture = await createSqliteFixture();
    const { node, events } = recordedNode(fixture.url, 'solo');
    nodes.push(node);
    const on = node.on.bind(node) as (event: string, listener: () => void) => () => void;
    for (const name of ['aquired', 'started', 'leader']) {
      assert.throws(() => on(name, () => undefined), (e: unknown) => isBatonError(e, 'INVALID_ARGUMENT'), name);
    }
    const early = node.whenLeader(); // before start: waits for it
    await node.start();
    await withTimeout('ready', node.whenReady());
    const first = await withTimeout('leader', node.whenLeader());
    assert.equal((await early).token, first.token);
    assert.equal(node.isLeader(), true);
    assert.equal(first.signal.aborted, false);
    assert.deepEqual(events, [`acquired ${first.token}`]);

    // The session is lost (expired behind its back): the term ends, the node opens a new session
    // and leads again, and the listeners registered once see both terms.
    await fixture.run("DELETE FROM baton_member WHERE cluster = 'lead' AND node_id = 'solo'");
    await waitFor("the first term's end", () => first.signal.aborted);
    const second = await withTimeout('leader again', node.whenLeader());
    assert.ok(second.token > first.token);
    await withTimeout('ready again', node.whenReady());
    assert.deepEqual(events, [`acquired ${first.token}`, 'released lost', `acquired ${second.token}`]);

    await node.close();
    assert.deepEqual(events.slice(3), ['released closed']);
    await assert.rejects(node.whenLeader(), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(node.whenReady(), (e: unknown) => isBatonError(e, 'CLOSED'));
  });

  it('sqlite: whenLeader and whenReady reject AbortedError when their signal aborts', async () => {
    fixture = await createSqliteFixture();
    const { node } = recordedNode(fixture.url, 'idle');
    nodes.push(node);
    await assert.rejects(node.whenLeader({ signal: AbortSignal.abort() }), (e: unknown) => isBatonError(e, 'ABORTED'));
    const stop = new AbortController();
    const waiting = node.whenReady({ signal: stop.signal });
    stop.abort();
    await assert.rejects(waiting, (e: unknown) => isBatonError(e, 'ABORTED'));
  });

  it('postgres: when the leader closes, the other node acquires once and its whenLeader resolves', async () => {
    fixture = await createPostgresFixture();
    const a = recordedNode(fixture.url, 'a');
    const b = recordedNode(fixture.url, 'b');
    nodes.push(a.node, b.node);
    await a.node.start();
    const first = await withTimeout('a leads', a.node.whenLeader());
    await b.node.start();
    await withTimeout('b ready', b.node.whenReady());
    const waiting = b.node.whenLeader();
    assert.equal(b.node.isLeader(), false);
    await a.node.close();
    const second = await withTimeout('b leads', waiting);
    assert.ok(second.token > first.token);
    assert.deepEqual(a.events, [`acquired ${first.token}`, 'released closed']);
    assert.deepEqual(b.events, [`acquired ${second.token}`]);
  });
});
