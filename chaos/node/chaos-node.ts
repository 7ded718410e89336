/**
 * One node of a chaos run, as a process of its own, using only the public library (`baton`'s
 * package entry): a BatonNode with its HTTP API (createNode), the cluster elector, buckets and
 * a partitioned resource. Whatever it holds it works on through the protected register
 * (acting.ts). SIGTERM is a graceful leave: the node closes, every `end` reaches the register,
 * then it exits 0.
 *
 * Usage: node chaos-node.js <register socket> <config values JSON>
 */
import { createNode, loadConfig } from '../../src/index.js';
import { RegisterClient } from '../register/register-client.js';
import { Acting } from './acting.js';
import { RESOURCE } from './resource.js';

const [socketPath, valuesText] = process.argv.slice(2) as [string, string];
const { config } = loadConfig({ env: {}, values: JSON.parse(valuesText) as unknown });
const register = await RegisterClient.connect(socketPath);
const acting = new Acting(register, config.nodeId);

// Listeners go on before start(): an item may be won before start() resolves.
const node = createNode(config);
// The held objects are kept whole: their `signal` getter judges the deadline when read. An item
// is handed over only once the register recorded its end (baton awaits these listeners).
node.buckets.on('acquired', (bucket, held) => acting.hold(`bucket/${bucket}`, held));
node.buckets.on('released', (bucket) => acting.ended(`bucket/${bucket}`));
const resource = node.partitions(RESOURCE);
resource.on('acquired', (partition, held) => acting.hold(`partition/${partition}`, held));
resource.on('released', (partition) => acting.ended(`partition/${partition}`));
node.on('acquired', (held) => acting.hold('leader', held));
node.on('released', () => acting.ended('leader'));

// The controller holds our stdin: when it is gone, so is this run.
process.stdin.on('end', () => process.exit(1)).resume();

let leaving = false;
process.on('SIGTERM', () => {
  if (leaving) return;
  leaving = true;
  void (async () => {
    // close() awaits every `released` listener, so each `end` is sent before a lease is given up.
    await node.close();
    acting.stop();
    await register.flush();
    process.exit(0);
  })();
});
void node.done.then((error) => {
  if (error === null || leaving) return;
  process.stderr.write(`node stopped on an error: ${error.message}\n`);
  process.exit(1);
});
await node.start();
