/**
 * Readers never write, and store failures are told apart, on the real servers: every command
 * that reads the store leaves an empty PostgreSQL or MariaDB database empty and says "no baton
 * data here"; a database that does not exist and a refused login fail at once (one attempt)
 * with the server's own reason; an unreachable ZooKeeper fails after one bounded attempt.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { ZkClient } from '../../src/backends/zookeeper/index.js';
import { createMysqlFixture, mysqlUrl } from '../support/mysql-fixture.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { createPostgresFixture, postgresUrl } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { cliInProcess } from './cli-capture.js';

/** Every command that reads the store, with the arguments it needs. */
const READERS: readonly (readonly string[])[] = [['status'], ['leader'], ['buckets'], ['tables'], ['tables', 'myTable'], ['resource', 'status', 'leadControllerResource'], ['keys', 'list'], ['settings']];

const ENGINES = [
  { name: 'PostgreSQL', create: createPostgresFixture, url: postgresUrl, deniedUrl: 'postgres://nobody@127.0.0.1:5432/postgres' },
  { name: 'MariaDB', create: createMysqlFixture, url: mysqlUrl, deniedUrl: 'mysql://nobody:wrong@127.0.0.1:3306/test' },
];

async function tableCount(fixture: SqlFixture): Promise<number> {
  const schema = fixture.dialect === 'postgres' ? 'current_schema()' : 'DATABASE()';
  const { rows } = await fixture.run(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ${schema}`);
  return Number(rows[0]?.['n']);
}

for (const engine of ENGINES) {
  describe(`CLI readers on ${engine.name}`, () => {
    let fixture: SqlFixture;
    before(async () => {
      fixture = await engine.create();
    });
    after(async () => {
      await fixture?.teardown();
    });

    it('on an empty database every reader exits 1 with "no baton data here" and creates no table', async () => {
      for (const args of READERS) {
        const { code, err } = await cliInProcess([...args, '--store', fixture.url]);
        assert.equal(code, 1, `${args.join(' ')}: ${err}`);
        assert.match(err, /no baton data here: the database has no baton tables/, args.join(' '));
      }
      const asJson = await cliInProcess(['status', '--json', '--store', fixture.url]);
      assert.equal((JSON.parse(asJson.err) as { error: { code: string } }).error.code, 'NOT_FOUND');
      assert.equal(await tableCount(fixture), 0);
    });

    it('a database that does not exist fails at once with the server\'s reason, not as unreachable', async () => {
      const { code, err } = await cliInProcess(['status', '--json', '--store', engine.url('baton_no_such_database')]);
      assert.equal(code, 1);
      const { error } = JSON.parse(err) as { error: { code: string; message: string } };
      assert.equal(error.code, 'REFUSED');
      assert.match(error.message, /refused: .*baton_no_such_database/);
      assert.doesNotMatch(error.message, /cannot reach|attempt/);
    });

    it('a refused login fails at once with the server\'s reason, also for a node\'s start-up', async () => {
      const status = await cliInProcess(['status', '--store', engine.deniedUrl]);
      assert.equal(status.code, 1);
      assert.match(status.err, /refused: .*nobody/);
      assert.doesNotMatch(status.err, /cannot reach/);
      // A node would retry an unreachable store store.connectAttempts times; a refusal is not retried.
      const start = await cliInProcess(['start', '--store', engine.deniedUrl, '--http-port', '0', '--log-level', 'silent', '--store-connect-attempts', '50', '--store-connect-backoff-ms', '60000']);
      assert.equal(start.code, 1);
      assert.match(start.err, /refused: .*nobody/);
    });
  });
}

describe('CLI readers on ZooKeeper', () => {
  let zk: StandaloneZooKeeper;
  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await zk?.close();
  });

  it('a chroot without baton data: every reader exits 1 "no baton data here" and creates no znode', async () => {
    for (const args of READERS) {
      const { code, err } = await cliInProcess([...args, '--store', `zookeeper://${zk.connectString}/empty`]);
      assert.equal(code, 1, `${args.join(' ')}: ${err}`);
      assert.match(err, /no baton data here: ZooKeeper .* holds no baton cluster/, args.join(' '));
    }
    const raw = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 10_000 });
    try {
      assert.equal(await raw.exists('/empty'), null);
    } finally {
      await raw.close();
    }
  });

  it('an unknown cluster exits 1 naming the clusters the chroot holds', async () => {
    const url = `zookeeper://${zk.connectString}/apps`;
    const writer = await openStore(url, { cluster: 'shop' });
    await writer.kv.put('hello', { v: 1 });
    await writer.close();
    const { code, err } = await cliInProcess(['status', '--store', url, '--cluster', 'shpo']);
    assert.equal(code, 1);
    assert.match(err, /no cluster "shpo" in this store; clusters in this store: shop\b/);
    const known = await cliInProcess(['status', '--store', url, '--cluster', 'shop', '--json']);
    assert.equal(known.code, 0, known.err);
  });
});

describe('CLI readers on an unreachable ZooKeeper', () => {
  it('fail after one bounded connection attempt, saying the store is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const { code, err } = await cliInProcess(['status', '--json', '--store', `zookeeper://127.0.0.1:${port}/baton`]);
    assert.equal(code, 1);
    const { error } = JSON.parse(err) as { error: { code: string; message: string } };
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.match(error.message, /cannot reach the store zookeeper:\/\/127\.0\.0\.1:\d+\/baton after 1 attempt: could not reach ZooKeeper .* within 5000 ms/);
  });
});
