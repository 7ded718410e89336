/**
 * SQLite, the leader's PROCESS frozen (SIGSTOP) while it leads: another node takes over only
 * after the lease expired on the database clock; when the frozen process resumes, it stops at
 * once and nothing it tries to write as leader lands. No write of the old term is stamped at or
 * after the new term's start (both on the database clock), so the terms never overlap in
 * effect.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { killChild } from '../support/child-process.js';
import { freezeBetweenWrites } from '../support/sqlite-freeze.js';

const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const SCRIPT = fileURLToPath(new URL('./contender-process.js', import.meta.url));

type Event = { event: string; term?: number; result?: string };

describe('SQLite leader process frozen with SIGSTOP', () => {
  let fixture: SqlFixture | undefined;
  let child: ChildProcess | undefined;
  let backend: Backend | undefined;
  after(async () => {
    await killChild(child);
    await backend?.close().catch(() => undefined);
    await fixture?.teardown();
  });

  it('is replaced only after expiry, stops on resume, and its writes never land after', async () => {
    fixture = await createSqliteFixture();
    const events: Event[] = [];
    child = fork(SCRIPT, [fixture.url, 'frozen', 'a', JSON.stringify(TIMING)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => events.push(m as Event));
    const write = async () => {
      const before = events.filter((e) => e.event === 'write').length;
      child?.send('write');
      return (await waitFor('a write report', () => events.filter((e) => e.event === 'write')[before])).result;
    };

    await waitFor('the child to lead', () => events.some((e) => e.event === 'leading'));
    assert.equal(await write(), 'landed');

    backend = await openStore(fixture.url, { cluster: 'frozen', pollIntervalMs: TIMING.pollIntervalMs });
    const session = await backend.openSession({ nodeId: 'b', info: {}, timing: TIMING });
    let bLed = false;
    const campaign = session.campaign('leader', {}).then((l) => {
      bLed = true;
      return l;
    });
    assert.equal(await write(), 'landed', 'the leader could not write while b waited');
    assert.equal(bLed, false, 'b led while a was alive and renewing');

    await freezeBetweenWrites(child, fixture.database);
    // Frozen: no renewal of a's can land any more, so this is when its lease expires.
    // Its lease lives as long as its member row, so it expires when that row does.
    const [lease] = (
      await fixture.run("SELECT l.holder_node, m.expires_at FROM baton_lease l JOIN baton_member m ON m.cluster = l.cluster AND m.session = l.holder WHERE l.cluster = 'frozen'")
    ).rows;
    assert.equal(lease?.['holder_node'], 'a');
    const leaderB = await withTimeout('b to lead', campaign, TIMING.ttlMs * 3);
    const record = await backend.leader('leader');
    assert.equal(record?.sessionId, session.id);
    assert.ok((record?.since ?? 0) >= Number(lease?.['expires_at']), "b took over before a's lease expired");

    child.kill('SIGCONT');
    await waitFor("the child's leadership to end", () => events.some((e) => e.event === 'stopped'));
    const result = await write();
    assert.ok(result === 'not-leader' || result === 'fenced', `a wrote as leader after resuming: ${result}`);

    const { rows } = await fixture.run("SELECT MAX(updated_at) AS last, COUNT(*) AS n FROM baton_kv WHERE cluster = 'frozen' AND SUBSTR(\"key\", 1, 9) = 'writes/a/'");
    assert.equal(Number(rows[0]?.['n']), 2, 'a write of the old term landed after it ended');
    assert.ok(Number(rows[0]?.['last']) < (record?.since ?? 0), "the old term's last write is not before the new term began");
    assert.ok(leaderB.term > (events.find((e) => e.event === 'leading')?.term ?? Infinity));
  });
});
