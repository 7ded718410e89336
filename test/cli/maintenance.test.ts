/**
 * `baton maintenance on|off|status` and the node's operations endpoints on SQLite, with one
 * in-process node: usage mistakes exit 2 before the store is opened; on/off write the freeze and
 * the action log with who asked; status judges an expiry; GET /operations shows the freeze, any
 * other stored request (a drain written by another verb) and the log; writes need the bearer
 * token; the metrics show the freeze and count the actions by verb.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatonNode } from '../../src/node/index.js';
import { startNode } from '../../src/http/start-node.js';
import { drainKey, MAINTENANCE_KEY, readActions } from '../../src/operations/index.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { cliInProcess } from './cli-capture.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';

const TOKEN = 'maintenance-test-token';

describe('baton maintenance and /operations (SQLite)', () => {
  let fixture: SqlFixture;
  let node: BatonNode;
  let store: string[];
  before(async () => {
    fixture = await createSqliteFixture();
    node = await startNode(testConfig({ store: fixture.url, cluster: 'ops', nodeId: 'n1', auth: { token: TOKEN } }), { logger: silentLogger });
    store = ['--store', fixture.url, '--cluster', 'ops'];
  });
  after(async () => {
    await node?.close();
    await fixture?.teardown();
  });

  it('refuses usage mistakes with exit 2 and a message that says what to give', async () => {
    const cases: [string[], RegExp][] = [
      [['maintenance', 'on'], /needs --reason TEXT/],
      [['maintenance', 'on', '--reason', '  '], /needs --reason TEXT/],
      [['maintenance', 'on', '--reason', 'x', '--for', 'soon'], /--for must be a duration such as 500ms, 10s, 2m, 2h or 1d, got "soon"/],
      [['maintenance', 'on', '--reason', 'x', '--for', '31d'], /--for is at most 30d/],
      [['maintenance', 'on', '--reason', 'x'.repeat(501)], /--reason has 501 characters; keep it to 500/],
      [['maintenance', 'off', '--reason', 'x'], /--reason and --for belong to "baton maintenance on"/],
      [['maintenance', 'status', '--by', 'me'], /changes nothing/],
      [['maintenance', 'pause'], /usage: baton maintenance on --reason TEXT/],
      [['maintenance'], /usage: baton maintenance on --reason TEXT/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cliInProcess([...args, ...store]);
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.match(err, message, args.join(' '));
    }
    assert.equal(await node.backend.kv.get(MAINTENANCE_KEY), null, 'nothing was written');
  });

  it('on, status and off, each change logged with who asked', async () => {
    const on = await cliInProcess(['maintenance', 'on', '--reason', 'kernel upgrade', '--for', '2h', '--by', 'alice', '--json', ...store]);
    assert.equal(on.code, 0, on.err);
    const shown = JSON.parse(on.out) as { active: boolean; stored: { reason: string; by: string; since: string; until: string; auto: boolean } };
    assert.equal(shown.active, true);
    assert.deepEqual([shown.stored.reason, shown.stored.by, shown.stored.auto], ['kernel upgrade', 'alice', false]);
    assert.equal(Date.parse(shown.stored.until) - Date.parse(shown.stored.since), 2 * 3_600_000);
    const status = await cliInProcess(['maintenance', 'status', ...store]);
    assert.match(status.out, /^maintenance: on since \S+ by alice, until \S+\nreason: kernel upgrade\n/);
    const off = await cliInProcess(['maintenance', 'off', ...store], { BATON_OPERATOR: 'bob' });
    assert.equal(off.code, 0, off.err);
    assert.equal(off.out.trim(), 'maintenance: off');
    const actions = await readActions(node.backend.kv);
    assert.deepEqual(actions.slice(-2).map((a) => [a.verb, a.by]), [['maintenance-on', 'alice'], ['maintenance-off', 'bob']]);
    assert.deepEqual(actions.at(-1)?.detail, { was: { reason: 'kernel upgrade', by: 'alice', auto: false }, live: ['n1'] }, 'who was live when it was turned off');
  });

  it('status reads an expired freeze as off and says so', async () => {
    await node.backend.kv.put(MAINTENANCE_KEY, { reason: 'old', by: 'carol', since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T01:00:00.000Z', auto: false });
    const { code, out } = await cliInProcess(['maintenance', 'status', ...store]);
    assert.equal(code, 0);
    assert.equal(out.trim(), 'maintenance: off (expired at 2026-01-01T01:00:00.000Z)');
    await node.backend.kv.delete(MAINTENANCE_KEY);
  });

  it('HTTP: writes need the token; GET /operations shows the freeze, other verbs\' requests and the log; metrics follow', async () => {
    const put = (headers: Record<string, string>, body: unknown) => fetch(`${node.url}/operations/maintenance`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    assert.equal((await put({}, { reason: 'x' })).status, 401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await put(auth, { reason: '' })).status, 400);
    assert.equal((await put(auth, { reason: 'x', forMs: 0 })).status, 400);
    const turnedOn = await put(auth, { reason: 'zone a patching', by: 'dave' });
    assert.equal(turnedOn.status, 200);
    assert.equal(((await turnedOn.json()) as { active: boolean }).active, true);
    await node.backend.kv.put(drainKey('n7'), { by: 'erin' });
    const view = (await (await fetch(`${node.url}/operations`)).json()) as { maintenance: { active: boolean; stored: { by: string } }; requests: Record<string, unknown>; actions: { verb: string; by: string }[] };
    assert.equal(view.maintenance.active, true);
    assert.equal(view.maintenance.stored.by, 'dave');
    assert.deepEqual(view.requests, { 'drain/n7': { by: 'erin' } }, 'a request written by another verb shows without a change here');
    assert.deepEqual(view.actions.at(-1), { ...view.actions.at(-1), verb: 'maintenance-on', by: 'dave' });
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(metrics, /^baton_maintenance\{[^}]*\} 1$/m);
    assert.match(metrics, /^baton_operator_actions_total\{verb="maintenance-on"[^}]*\} 2$/m);
    const turnedOff = await fetch(`${node.url}/operations/maintenance?by=dave`, { method: 'DELETE', headers: auth });
    assert.equal(turnedOff.status, 200);
    assert.equal(((await turnedOff.json()) as { active: boolean }).active, false);
    const after = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(after, /^baton_maintenance\{[^}]*\} 0$/m);
    assert.match(after, /^baton_operator_actions_total\{verb="maintenance-off"[^}]*\} 2$/m);
    await node.backend.kv.delete(drainKey('n7'));
  });
});
