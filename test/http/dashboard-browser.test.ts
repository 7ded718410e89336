/**
 * The dashboard as a person sees it: Debian's Chromium, driven by playwright-core, on the page of
 * a real `baton start` process. The page shows the leader, buckets, partitions and the operator's
 * actions (maintenance on and off); it updates
 * without a reload when the leader is killed; and it turns stale when its own node dies.
 * Skipped with a message when /usr/bin/chromium is missing (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BatonProcesses } from '../support/baton-processes.js';
import { sqliteStore } from '../support/stores-under-test.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'dashboard-test-token';
const BUCKETS = 8;
const PARTITIONS = 4;
const TABLES = ['airlineStats_OFFLINE', 'baseballStats_REALTIME'];
/** Crash timing: short, so a killed leader's lease runs out quickly. */
const TIMING = { ttlMs: 4000, renewDeadlineMs: 2500, retryPeriodMs: 500, pollIntervalMs: 100 };
/** Bounds of the waits on the page (ms): generous for a loaded machine, each ends on an event. */
const PAGE_WAIT_MS = 30_000;
/** The page calls itself stale within 3 s without data, at once when its stream breaks. */
const STALE_WAIT_MS = 10_000;

const missing = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium package (bash .ci/run does) to run the browser tests`;

describe('the dashboard in Chromium', { skip: missing }, () => {
  const nodes = new BatonProcesses(sqliteStore('baton-dashboard-'));
  /** The nodes' config file (store, cluster and HTTP port 0 come from BatonProcesses). */
  let config = '';
  let browser: Browser | null = null;
  before(async () => {
    await nodes.setUp();
    config = nodes.configFile('baton.yaml', {
      http: { host: '127.0.0.1' },
      election: TIMING,
      buckets: { enabled: true, count: BUCKETS, offlineGraceMs: 3000 },
      partitions: { leadControllerResource: { partitions: PARTITIONS, replicas: 2, rebalanceDelayMs: 3000 } },
      log: { level: 'info' },
      auth: { token: TOKEN },
    });
    // Chromium refuses to run as root without --no-sandbox (CI runs as root).
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await nodes.tearDown();
  });

  const startNode = (nodeId: string) => nodes.start('browser', nodeId, ['--config', config]);

  const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();
  /** Waits (in the page, on its own updates) until the JavaScript expression `what` is true. */
  const until = async (page: Page, what: string, timeout = PAGE_WAIT_MS): Promise<void> => {
    await page.waitForFunction(what, undefined, { timeout });
  };

  it('shows the leader, buckets and partitions; follows a failover without a reload; turns stale when its node dies', async () => {
    const a = await startNode('a');
    const b = await startNode('b');
    for (const table of TABLES) {
      const reply = await fetch(`${a.url}/resources/leadControllerResource/keys/${table}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(reply.status, 200, await reply.text());
    }
    const page = await (browser as Browser).newPage();
    await page.goto(`${b.url}/`);

    // 1. Live: a leads (it started first), both nodes listed with their session, every bucket placed.
    await until(page, `document.body.dataset.state === 'live' && document.getElementById('leader').textContent === 'a' && document.querySelectorAll('#members tr').length === 2`);
    assert.match(await text(page, '#members'), /live/);
    await until(page, `document.querySelectorAll('#bucketMap .cell:not([data-owner=""])').length === ${BUCKETS}
      && new Set([...document.querySelectorAll('#bucketMap .cell')].map((c) => c.dataset.owner)).size === 2`);
    assert.equal(await page.locator('#bucketMap .cell').count(), BUCKETS);
    await until(page, `${JSON.stringify(TABLES)}.every((t) => document.getElementById('resources').textContent.includes(t))`);
    assert.equal(await page.locator('.partitionRows tr').count(), PARTITIONS);

    // The Operations panel: maintenance on and off through the API, each action listed with who asked.
    const maintenance = (method: string, body?: unknown) => fetch(`${a.url}/operations/maintenance`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    assert.equal((await maintenance('PUT', { reason: 'browser check', by: 'ivy' })).status, 200);
    await until(page, `document.getElementById('maintenance').textContent.includes('MAINTENANCE: placement frozen') && document.getElementById('maintenance').textContent.includes('browser check')`);
    assert.match(await text(page, '#actions'), /maintenance-on\s+ivy/);
    assert.equal((await maintenance('DELETE')).status, 200);
    await until(page, `document.getElementById('maintenance').textContent === 'maintenance off'`);

    // The API page lists each route with its query parameters and schemas.
    const docs = await (browser as Browser).newPage();
    await docs.goto(`${b.url}/docs`);
    await until(docs, `document.getElementById('ops').textContent.includes('query parameter resource')`);
    await docs.close();

    // 2. The leader is killed: the same page (no reload) shows b leading and the change in its history.
    a.proc.signal('SIGKILL');
    await until(page, `document.getElementById('leader').textContent === 'b'`);
    await until(page, `[...document.querySelectorAll('#history tr')].some((r) => r.textContent.includes('a left the cluster'))`);
    assert.equal(await page.locator('body').getAttribute('data-state'), 'live');

    // 3. The serving node dies: the page says so, unmistakably.
    b.proc.signal('SIGKILL');
    await until(page, `document.body.dataset.state === 'stale'`, STALE_WAIT_MS);
    assert.equal(await page.locator('#banner').isVisible(), true);
    assert.match(await text(page, '#banner'), /STALE/);
  });
});
