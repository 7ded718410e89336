/**
 * What a node tells a person: no key twice in a log line, no stack trace below error level, one
 * info line per change of the buckets or partitions it holds (each item's own line at debug),
 * Node's process metrics on /metrics beside baton's, and a node id already in use explained:
 * another live node, or this node's own previous process still expiring after a crash (and
 * then how long it waits). Real SQLite file; the crashed process is a real `baton start`
 * killed with SIGKILL.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createNodeLogger } from '../../src/node/logger.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { freePort } from '../cli/cli-process.js';
import { BatonProcesses } from '../support/baton-processes.js';
import { sqliteStore } from '../support/stores-under-test.js';
import { waitFor } from '../support/wait.js';
import { FAST_TIMING, testConfig } from './node-helpers.js';

/**
 * Timing of the live nodes here: a live node renews well within its 4 s renew deadline even on
 * a loaded machine, so it reads as live (with FAST_TIMING's 1 s a busy one may miss it).
 */
const LIVE_TIMING = { ttlMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 500, pollIntervalMs: 50 };

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A debug-level node logger whose lines are kept (raw text and parsed). */
function capturedLogger(config: ReturnType<typeof testConfig>) {
  const raw: string[] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    raw.push(...parts.filter((l) => l !== ''));
  });
  const logger = createNodeLogger({ ...config, log: { level: 'debug' } }, stream);
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as LogLine) };
}

/** The keys of a JSON object's top level, in order, repeats kept (JSON.parse would hide them). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && text[j + 1] === ':') keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

describe('node logs and metrics (SQLite)', () => {
  /** The store of every node here, and the one real `baton start` process (crashed on purpose). */
  const processes = new BatonProcesses(sqliteStore());
  let node: BatonNode;
  let log: ReturnType<typeof capturedLogger>;
  const BUCKETS = 32;

  before(async () => {
    await processes.setUp();
    const config = testConfig({ store: processes.url, cluster: 'logs', nodeId: 'n1', election: LIVE_TIMING, buckets: { enabled: true, count: BUCKETS }, partitions: { leadControllerResource: { partitions: 4 } } });
    log = capturedLogger(config);
    node = await startNode(config, { logger: log.logger });
    await waitFor('n1 holds its buckets and partitions', () => log.lines().some((l) => l.msg.startsWith(`buckets held: ${BUCKETS}`)) && log.lines().some((l) => l.msg.startsWith('partitions held: 4')), { timeoutMs: 30_000 });
  });
  after(async () => {
    await node?.close();
    await processes.tearDown();
  });

  it('no key appears twice in any line', () => {
    assert.ok(log.raw.length > 20);
    for (const line of log.raw) {
      const keys = topLevelKeys(line);
      assert.deepEqual(keys, [...new Set(keys)], line);
    }
    assert.ok(log.lines().some((l) => l['feature'] === 'buckets'), 'feature still bound');
  });

  it('each bucket and partition moves at debug; info has one line per change and one when it is held', () => {
    const lines = log.lines();
    const perItem = lines.filter((l) => /^(bucket|partition) (acquired|released)$/.test(l.msg));
    assert.ok(perItem.length >= BUCKETS + 4, `${perItem.length} per-item lines`);
    assert.ok(perItem.every((l) => l.level === 20), 'per-item lines are debug');
    const held = lines.find((l) => l.msg.startsWith(`buckets held: ${BUCKETS}`));
    assert.equal(held?.level, 30);
    assert.deepEqual(held?.['acquired'], Array.from({ length: BUCKETS }, (_, i) => String(i + 1)));
    const changed = lines.filter((l) => l.msg.startsWith('buckets to hold changed'));
    assert.ok(changed.length >= 1 && changed.every((l) => l.level === 30));
    assert.ok(lines.filter((l) => l.level === 30).length < BUCKETS, `fewer info lines than buckets: ${lines.filter((l) => l.level === 30).map((l) => l.msg).join(' | ')}`);
  });

  it('/metrics serves Node\'s process metrics beside baton\'s', async () => {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    for (const name of ['baton_leader', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.match(text, new RegExp(`^${name}[ {]`, 'm'), name);
    }
  });

  it('a second node with a live node\'s id says another live node uses it, with no stack trace, and is not "started" in the cluster', async () => {
    const config = testConfig({ store: processes.url, cluster: 'logs', nodeId: 'n1', election: LIVE_TIMING });
    const second = capturedLogger(config);
    const twin = await startNode(config, { logger: second.logger });
    try {
      await waitFor('the twin explains why it cannot join', () => second.lines().some((l) => l['reason'] === 'NODE_ID_IN_USE'));
      const warning = second.lines().find((l) => l['reason'] === 'NODE_ID_IN_USE') as LogLine;
      assert.equal(warning.level, 40);
      assert.equal(warning['case'], 'another live node');
      assert.match(warning.msg, /node id "n1" is used by another live node \(host .*\) that renewed .* ago\. .*stop it, or give this node another nodeId \(retrying in/);
      for (const line of second.raw) assert.doesNotMatch(line, /"stack"/);
      const started = second.lines().find((l) => l['reason'] === 'started' && l['url'] !== undefined);
      assert.equal(started?.['session'], 'retrying');
      assert.match(started?.msg ?? '', /not in the cluster yet/);
    } finally {
      await twin.close();
    }
  });

  it('a node restarted after its previous process crashed says it waits for that session to expire, and how long; then joins', async () => {
    const port = await freePort();
    const timing = ['--election-ttl-ms', String(FAST_TIMING.ttlMs * 2), '--election-renew-deadline-ms', String(FAST_TIMING.renewDeadlineMs * 2), '--election-retry-period-ms', String(FAST_TIMING.retryPeriodMs)];
    const crashed = (await processes.start('logs', 'phoenix', timing, { httpPort: port })).proc;
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    const config = testConfig({ store: processes.url, cluster: 'logs', nodeId: 'phoenix', http: { port }, election: { ...FAST_TIMING, ttlMs: FAST_TIMING.ttlMs * 2, renewDeadlineMs: FAST_TIMING.renewDeadlineMs * 2 } });
    const restarted = capturedLogger(config);
    const phoenix = await startNode(config, { logger: restarted.logger });
    try {
      await waitFor('the restarted node joins once the old session expired', () => phoenix.sessionState === 'live', { timeoutMs: 30_000 });
      const warning = restarted.lines().find((l) => l['reason'] === 'NODE_ID_IN_USE') as LogLine;
      assert.equal(warning['case'], 'previous session expiring');
      assert.equal(typeof warning['expiresInMs'], 'number');
      assert.match(warning.msg, /advertises this node's own host and HTTP port .*: this node's previous process, which stopped without closing .* That session expires in \d+\.\d s; this node joins then/);
      for (const line of restarted.raw) assert.doesNotMatch(line, /"stack"/);
    } finally {
      await phoenix.close();
    }
  });
});
