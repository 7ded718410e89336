/**
 * The CLI's conventions, checked for every registered command: `baton help CMD` is `CMD --help`;
 * a usage mistake exits 2 as each help says, as one JSON line on stderr with --json; readers
 * list the options they use before the node options; true/false flags work bare; --version;
 * every command's --json output is compact JSON, one document per line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../src/cli/registry.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { cliInProcess } from './cli-capture.js';

/** Exit-code lines of a help text, by code. */
function exitCodes(help: string): Map<string, string> {
  const section = help.slice(help.indexOf('\nExit codes:\n') + '\nExit codes:\n'.length);
  return new Map(section.split('\n').filter((l) => /^ {2}\d {2}/.test(l)).map((l) => [l.trim().slice(0, 1), l.trim().slice(3)]));
}

function parseJsonLines(text: string): unknown[] {
  const lines = text.split('\n').filter((l) => l !== '');
  for (const line of lines) assert.equal(JSON.stringify(JSON.parse(line)), line, `not compact JSON: ${line}`);
  return lines.map((l) => JSON.parse(l) as unknown);
}

describe('CLI conventions, for every command', () => {
  for (const command of commands) {
    it(`${command.name}: "baton help ${command.name}" prints its --help; a usage mistake exits 2 as that help says, in JSON with --json`, async () => {
      const help = await cliInProcess(['help', command.name]);
      assert.equal(help.code, 0);
      assert.equal(help.out, (await cliInProcess([command.name, '--help'])).out);
      assert.match(exitCodes(help.out).get('2') ?? '', /^usage/);
      const wrong = await cliInProcess([command.name, '--no-such-flag', '--json']);
      assert.equal(wrong.code, 2);
      assert.equal(wrong.out, '');
      const [error] = parseJsonLines(wrong.err) as [{ error: { command: string; code: string; message: string } }];
      assert.deepEqual({ command: error.error.command, code: error.error.code }, { command: command.name, code: 'USAGE' });
      assert.match(error.error.message, /--no-such-flag/);
    });

    if (command.configFlags === true) {
      it(`${command.name}: a bad config value exits 2; true/false flags work bare or with a value`, async () => {
        const bad = await cliInProcess([command.name, ...positionalsOf(command.name), '--election-ttl-ms', 'soon', '--json']);
        assert.equal(bad.code, 2, bad.err);
        assert.equal((parseJsonLines(bad.err)[0] as { error: { code: string } }).error.code, 'CONFIG');
        // Parsed as true (then the store is looked at): not a usage error.
        for (const flags of [['--buckets-enabled'], ['--buckets-enabled', 'false'], ['--store-migrate=true']]) {
          const missing = command.name === 'start' ? [] : [...flags, '--store', 'sqlite:/nonexistent/baton.db'];
          if (missing.length === 0) continue; // start would run a node
          const { code, err } = await cliInProcess([command.name, ...positionalsOf(command.name), ...missing]);
          assert.notEqual(code, 2, `${command.name} ${flags.join(' ')}: ${err}`);
        }
      });
    }

    if (command.usesConfig !== undefined) {
      it(`${command.name}: its help lists --store and --cluster before the node options`, async () => {
        const { out } = await cliInProcess([command.name, '--help']);
        const nodeOptions = out.indexOf('\nNode options');
        assert.ok(nodeOptions > 0, 'a "Node options" heading');
        for (const flag of ['--store <', '--cluster <', '--json', '--config <']) assert.ok(out.indexOf(`  ${flag}`) < nodeOptions, `${flag} before the node options`);
        assert.ok(out.indexOf('  --http-port <') > nodeOptions, '--http-port among the node options');
      });
    }
  }

  it('--version prints the package version (JSON with --json)', async () => {
    const { version, name } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string; name: string };
    assert.deepEqual(await cliInProcess(['--version']), { code: 0, out: `baton ${version}\n`, err: '' });
    assert.deepEqual(parseJsonLines((await cliInProcess(['--version', '--json'])).out), [{ name, version }]);
    assert.ok((await cliInProcess(['--help'])).out.includes(`(npm package ${name} ${version};`), 'the help names the npm package');
    const unknown = await cliInProcess(['help', 'strat']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "strat"/);
  });
});

/** Arguments that make a positional command valid. */
function positionalsOf(name: string): string[] {
  return ({ resource: ['status', 'leadControllerResource'], keys: ['list'], tables: [], partition: ['t'], routing: ['get'], directory: ['start'], maintenance: ['status'], drain: ['n1'] } as Record<string, string[]>)[name] ?? [];
}

describe('CLI conventions: one JSON style for every reader', () => {
  let fixture: SqlFixture;
  let node: BatonNode;
  before(async () => {
    fixture = await createSqliteFixture();
    node = await startNode(testConfig({ store: fixture.url, cluster: 'json', nodeId: 'n1', buckets: { enabled: true, count: 8 }, partitions: { leadControllerResource: { partitions: 4 } } }), { logger: silentLogger });
    await waitFor('the node leads its partitions', () => node.partitions('leadControllerResource').leading().length === 4, { timeoutMs: 15_000 });
  });
  after(async () => {
    await node?.close();
    await fixture?.teardown();
  });

  it('status, leader, buckets, tables, resource, keys, partition and schema print compact JSON, one document per line', async () => {
    const store = ['--store', fixture.url, '--cluster', 'json', '--json'];
    const runs = [['status', ...store], ['leader', ...store], ['buckets', '--buckets-count', '8', ...store], ['tables', ...store], ['resource', 'status', 'leadControllerResource', ...store], ['keys', 'list', ...store], ['partition', 'myTable', '--json'], ['schema', '--dialect', 'sqlite', '--json'], ['maintenance', 'status', ...store]];
    for (const args of runs) {
      const { code, out, err } = await cliInProcess(args);
      assert.equal(code, 0, `${args.join(' ')}: ${err}`);
      assert.equal(parseJsonLines(out).length, 1, args.join(' '));
    }
  });
});
