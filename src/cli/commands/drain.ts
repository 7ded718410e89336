import { setTimeout as delay } from 'node:timers/promises';
import type { Backend } from '../../contract/contract.js';
import { NotFoundError } from '../../errors.js';
import { memberUrl } from '../../http/member-url.js';
import type { NodeHolding } from '../../node/node-drain.js';
import { clearDrainRequest, drainRequestJson, operatorName, recordAction, writeDrainRequest } from '../../operations/index.js';
import { OPERATOR_OPTION, UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { parseDuration } from '../duration.js';
import { json } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

/**
 * How often `--wait` asks the node's `GET /ready-to-stop` (ms, wall time): a person is waiting,
 * and one small local request per half second is nothing for the node.
 */
const WAIT_POLL_MS = 500;
/** How long one poll waits for the node's answer (ms): a busy node answers in milliseconds. */
const POLL_TIMEOUT_MS = 2_000;

/** `baton drain NODE`: stores (or, with --cancel, deletes) the node's drain request; --wait until it holds nothing. */
export const drainCommand: Command = {
  name: 'drain',
  summary: 'Drain a node: it hands its leadership and items to other live nodes and takes nothing new (--cancel undoes it)',
  usage: 'baton drain NODE [--cancel] [--wait [--timeout D]] [--by NAME] [--reason TEXT] [--json] [--config FILE] [config flags]',
  examples: [
    'baton drain node-2 --wait --store postgres://postgres@127.0.0.1/baton   # then stop node-2: nothing goes without a holder',
    'baton drain node-2 --cancel --store postgres://postgres@127.0.0.1/baton',
    'baton drain node-2 --wait --timeout 2m --by alice --reason "kernel upgrade" --json',
  ],
  exitCodes: [
    '0  the request is stored (or deleted with --cancel); with --wait, the node holds nothing (or has left)',
    '1  the store is unreachable or refused; unknown cluster; the node is not live; with --wait, the timeout came first (it prints what the node still holds)',
    '2  usage: no NODE, an unknown flag, a bad --timeout, invalid configuration',
  ],
  options: {
    cancel: { type: 'boolean', help: 'Withdraw the node\'s drain request: it takes work again' },
    wait: { type: 'boolean', help: 'Then wait until the node holds nothing (asks its GET /ready-to-stop, found through its member info)' },
    timeout: { type: 'string', value: 'D', help: 'With --wait, give up after D (`90s`, `2m`, `500ms`; a bare number is seconds); default 5m' },
    by: OPERATOR_OPTION,
    reason: { type: 'string', value: 'TEXT', help: 'Why, stored with the request and logged' },
  },
  configFlags: true,
  usesConfig: READER_CONFIG,
  positionals: true,
  async run(values, positionals, io) {
    const [nodeId, ...extra] = positionals;
    if (nodeId === undefined || extra.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const timeoutMs = values.timeout === undefined ? 5 * 60_000 : parseDuration('timeout', String(values.timeout));
    const { config } = configFromArgs(values, io);
    const by = operatorName(typeof values.by === 'string' ? values.by : undefined);
    const asJson = values.json === true;
    return withStoreReader(config, async (backend) => {
      if (values.cancel === true) {
        const request = await clearDrainRequest(backend.kv, nodeId);
        await recordAction(backend.kv, { verb: 'drain-cancel', by, detail: { node: nodeId, request: request && drainRequestJson(request) } });
        io.out(asJson ? json({ node: nodeId, draining: false, cancelled: request && drainRequestJson(request) }) : request === null ? `${nodeId} had no drain request` : `drain of ${nodeId} cancelled: it takes work again`);
        return 0;
      }
      await requireLive(backend, nodeId);
      const reason = typeof values.reason === 'string' ? values.reason : '';
      const request = await writeDrainRequest(backend.kv, nodeId, { by, reason });
      await recordAction(backend.kv, { verb: 'drain', by, detail: { node: nodeId, reason } });
      if (values.wait !== true) {
        io.out(asJson ? json({ node: nodeId, draining: true, request: drainRequestJson(request) }) : `drain of ${nodeId} requested; baton drain ${nodeId} --wait waits until it holds nothing`);
        return 0;
      }
      const result = await untilHoldingNothing(backend, nodeId, timeoutMs);
      if (asJson) io.out(json({ node: nodeId, draining: true, request: drainRequestJson(request), drained: result.drained, holding: result.holding }));
      else io.out(result.drained ? `${nodeId} holds nothing: it can stop now` : `${nodeId} still holds ${holdingText(result.holding)} after ${timeoutMs} ms`);
      return result.drained ? 0 : 1;
    });
  },
};

/** NotFoundError naming the live nodes when `nodeId` is not one (its start would clear the request anyway). */
async function requireLive(backend: Backend, nodeId: string): Promise<void> {
  const members = await backend.members();
  if (members.some((m) => m.nodeId === nodeId)) return;
  const live = members.map((m) => m.nodeId).sort().join(', ') || '(none)';
  throw new NotFoundError(nodeId, `no live node "${nodeId}" in cluster "${backend.cluster}"; live nodes: ${live} (a node clears its own drain request when it starts, so only a live node can be drained)`);
}

/**
 * Polls the node's `GET /ready-to-stop` until it answers 200 or the node has left the members
 * (a node without a session holds no election). Null holding when the node could not be asked.
 */
async function untilHoldingNothing(backend: Backend, nodeId: string, timeoutMs: number): Promise<{ drained: boolean; holding: NodeHolding | null }> {
  const deadline = performance.now() + timeoutMs;
  let holding: NodeHolding | null = null;
  for (;;) {
    const member = (await backend.members()).find((m) => m.nodeId === nodeId);
    if (member === undefined) return { drained: true, holding: null };
    const url = memberUrl(member.info);
    if (url === null) throw new NotFoundError(nodeId, `node "${nodeId}" advertises no HTTP port, so --wait cannot ask it; drop --wait and watch its GET /ready-to-stop yourself`);
    const answer = await readyToStop(url);
    if (answer !== null) holding = answer;
    if (holding?.ready === true) return { drained: true, holding };
    if (performance.now() >= deadline) return { drained: false, holding };
    await delay(WAIT_POLL_MS);
  }
}

/** The node's answer, or null when it did not answer (busy, restarting): asked again at the next poll. */
async function readyToStop(url: string): Promise<NodeHolding | null> {
  try {
    const reply = await fetch(`${url}/ready-to-stop`, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
    return reply.status === 200 || reply.status === 503 ? ((await reply.json()) as NodeHolding) : null;
  } catch {
    return null;
  }
}

function holdingText(holding: NodeHolding | null): string {
  if (holding === null) return 'something (it did not answer GET /ready-to-stop)';
  const parts = Object.entries(holding.items).map(([group, items]) => `${group} ${items.join(',')}`);
  return [...(holding.leader ? ['the cluster leadership'] : []), ...parts].join('; ') || 'nothing';
}
