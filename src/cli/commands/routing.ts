/**
 * `baton routing get|put|add-key|remove-key|resolve`: reads and edits the federated routing data
 * held by a directory service, and shows where a path goes.
 */
import { readFileSync } from 'node:fs';
import type { Command, CliIo } from '../command.js';
import { UsageError } from '../command.js';
import { json, table } from '../output.js';
import { secretFrom } from '../secrets.js';
import { DirectoryClient } from '../../directory/directory-client.js';
import { RoutingData, type RealmShardingKeys } from '../../federation/routing-data.js';
import { isJsonObject } from '../../contract/json.js';

const ACTIONS = ['get', 'put', 'add-key', 'remove-key', 'resolve'] as const;

export const routingCommand: Command = {
  name: 'routing',
  summary: 'Read or edit federated ZooKeeper routing data in a directory service; resolve a path to its realm',
  usage: 'baton routing <get | put --file F | add-key REALM KEY | remove-key REALM KEY | resolve PATH> (--directory URL | --routing-file F) [--namespace NS] [--token-file F] [--json]',
  examples: [
    'baton routing get --directory http://127.0.0.1:8100 --namespace prod',
    'baton routing add-key 127.0.0.1:2181 /orders --directory http://127.0.0.1:8100 --token-file /run/secrets/directory-token',
    'baton routing put --file routing.json --directory http://127.0.0.1:8100',
    'baton routing resolve /orders/17 --routing-file routing.json',
  ],
  exitCodes: [
    '0  done',
    '1  the directory is unreachable or refused the request (invalid routing data, a missing or wrong token), or the path routes nowhere',
    '2  usage: unknown action, missing argument or flag, unreadable routing file',
  ],
  options: {
    directory: { type: 'string', value: 'url', help: 'Directory service base URL (http://host:port)' },
    namespace: { type: 'string', value: 'ns', help: 'Routing namespace (default "default")' },
    'token-file': { type: 'string', value: 'file', help: 'File holding the bearer token for writes (or env BATON_DIRECTORY_TOKEN)' },
    file: { type: 'string', value: 'file', help: 'put: JSON routing data, {"realm": ["/key", ...]} or the "get --json" output' },
    'routing-file': { type: 'string', value: 'file', help: 'resolve: read routing data from this JSON file instead of a directory' },
  },
  positionals: true,
  async run(values, positionals, io) {
    const [action, ...args] = positionals;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
      throw new UsageError(`say what to do: ${ACTIONS.join(', ')} (got ${action === undefined ? 'nothing' : `"${action}"`})`);
    }
    const asJson = values.json === true;
    if (action === 'resolve') return resolve(args, values, asJson, io);
    const client = directoryClient(values, io);
    switch (action) {
      case 'get':
        printRouting(await client.routingData(), asJson, io);
        return 0;
      case 'put': {
        const file = stringValue(values, 'file', 'put needs --file F');
        await client.putRoutingData(readRoutingFile(file));
        io.out(asJson ? json({ ok: true }) : `routing data of ${file} written`);
        return 0;
      }
      default: {
        const [realm, key] = args;
        if (realm === undefined || key === undefined) throw new UsageError(`${action} needs REALM and KEY`);
        await (action === 'add-key' ? client.addShardingKey(realm, key) : client.removeShardingKey(realm, key));
        io.out(asJson ? json({ ok: true, realm, shardingKey: key }) : `${action === 'add-key' ? 'added' : 'removed'} ${key} ${action === 'add-key' ? 'to' : 'from'} ${realm}`);
        return 0;
      }
    }
  },
};

async function resolve(args: readonly string[], values: Readonly<Record<string, unknown>>, asJson: boolean, io: CliIo): Promise<number> {
  const [path] = args;
  if (path === undefined) throw new UsageError('resolve needs a PATH, for example /orders/17');
  const file = values['routing-file'];
  const routing = typeof file === 'string' ? readRoutingFile(file) : await directoryClient(values, io).routingData();
  const route = routing.lookup(path);
  io.out(asJson ? json({ path, realm: route.realm, shardingKey: route.shardingKey }) : `${path}  realm ${route.realm}  key ${route.shardingKey}`);
  return 0;
}

function directoryClient(values: Readonly<Record<string, unknown>>, io: CliIo): DirectoryClient {
  const url = stringValue(values, 'directory', 'give --directory URL (or --routing-file F for resolve)');
  const namespace = values.namespace;
  const token = secretFrom(values, 'token-file', 'BATON_DIRECTORY_TOKEN', io.env);
  return new DirectoryClient({ url, ...(typeof namespace === 'string' ? { namespace } : {}), ...(token === undefined ? {} : { token }) });
}

function stringValue(values: Readonly<Record<string, unknown>>, name: string, problem: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(problem);
  return value;
}

/** A routing file: Helix's `{ realm: [keys] }` or the `{ routingData: [...] }` shape; validated. */
function readRoutingFile(file: string): RoutingData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read routing file ${file}: ${(error as Error).message}`);
  }
  if (isJsonObject(parsed) && Array.isArray(parsed['routingData'])) {
    return RoutingData.fromRealmList(parsed['routingData'] as unknown as RealmShardingKeys[]);
  }
  return RoutingData.from(parsed);
}

function printRouting(routing: RoutingData, asJson: boolean, io: CliIo): void {
  if (asJson) {
    io.out(json({ routingData: routing.toRealmList() }));
    return;
  }
  const rows = routing.routes().map((r) => [r.shardingKey, r.realm]);
  io.out(rows.length === 0 ? `no sharding keys (realms: ${routing.realms.join(', ') || 'none'})` : table(['SHARDING KEY', 'REALM'], rows));
}
