import type { Backend } from '../../contract/contract.js';
import {
  MAINTENANCE_FOR_MAX_MS,
  MAINTENANCE_REASON_MAX,
  operatorName,
  readOperations,
  turnMaintenanceOff,
  turnMaintenanceOn,
  type MaintenanceView,
} from '../../operations/index.js';
import { OPERATOR_OPTION, UsageError, type CliIo, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { parseDuration } from '../duration.js';
import { json } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

const ACTIONS = ['on', 'off', 'status'] as const;
type Action = (typeof ACTIONS)[number];

/** The flags of `on` checked before the store is opened: a reason, a duration within bounds. */
function onRequest(values: Readonly<Record<string, unknown>>): { reason: string; forMs?: number } {
  const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
  if (reason === '') throw new UsageError('"baton maintenance on" needs --reason TEXT: it is shown to everyone who sees the freeze');
  if (reason.length > MAINTENANCE_REASON_MAX) throw new UsageError(`--reason has ${reason.length} characters; keep it to ${MAINTENANCE_REASON_MAX}`);
  if (typeof values.for !== 'string') return { reason };
  const forMs = parseDuration('for', values.for);
  if (forMs > MAINTENANCE_FOR_MAX_MS) throw new UsageError(`--for is at most 30d, got ${values.for}; leave it out to freeze until "baton maintenance off"`);
  return { reason, forMs };
}

/** `maintenance: on since ... by ...` and the reason, or `off` (with why a stored document reads as off). */
function statusText(view: MaintenanceView): string {
  const stored = view.stored as { reason?: string; by?: string; since?: string; until?: string | null; auto?: boolean } | null;
  if (!view.active || stored === null) return `maintenance: off${view.problem === null ? '' : ` (${view.problem})`}`;
  const until = stored.until === null ? 'until turned off' : `until ${String(stored.until)}`;
  return [`maintenance: on since ${String(stored.since)} by ${String(stored.by)}${stored.auto === true ? ' (automatic)' : ''}, ${until}`, `reason: ${String(stored.reason)}`, 'placement is frozen: no bucket or partition moves'].join('\n');
}

async function act(action: Action, values: Readonly<Record<string, unknown>>, backend: Backend, io: CliIo): Promise<number> {
  const { kv } = backend;
  const by = operatorName(typeof values.by === 'string' ? values.by : io.env.BATON_OPERATOR);
  if (action === 'on') await turnMaintenanceOn(kv, { ...onRequest(values), by });
  if (action === 'off') await turnMaintenanceOff(kv, { by, live: (await backend.members()).map((m) => m.nodeId) });
  const { maintenance } = await readOperations(kv);
  io.out(values.json === true ? json(maintenance) : statusText(maintenance));
  return 0;
}

/** `baton maintenance on|off|status`: freeze every placement move of the cluster, lift the freeze, or show it. */
export const maintenanceCommand: Command = {
  name: 'maintenance',
  summary: 'Freeze every bucket and partition move (nodes may come and go; nothing is reassigned), lift the freeze, or show it; each change is recorded in the action log',
  usage: 'baton maintenance on --reason TEXT [--for DURATION] [--by NAME] | off [--by NAME] | status  [--json] [--config FILE] [config flags]',
  examples: [
    'baton maintenance on --reason "kernel upgrade, zone a" --for 2h --store postgres://postgres@db/baton',
    'baton maintenance status --json --store sqlite:./.baton/baton.db',
    'baton maintenance off --by alice --store sqlite:./.baton/baton.db',
  ],
  options: {
    reason: { type: 'string', help: 'Why (with on; required): shown by status, GET /operations and the dashboard', value: 'text' },
    for: { type: 'string', help: 'With on: the freeze ends by itself after this long (500ms, 10s, 2m, 2h, 1d; at most 30d), judged on the readers\' wall clocks; default: until off', value: 'duration' },
    by: OPERATOR_OPTION,
  },
  configFlags: true,
  usesConfig: READER_CONFIG,
  positionals: true,
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if (!(ACTIONS as readonly (string | undefined)[]).includes(action) || extra.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const chosen = action as Action;
    if (chosen !== 'on' && (values.reason !== undefined || values.for !== undefined)) throw new UsageError('--reason and --for belong to "baton maintenance on"');
    if (chosen === 'status' && values.by !== undefined) throw new UsageError('--by names who changes something; "baton maintenance status" changes nothing');
    if (chosen === 'on') onRequest(values); // usage mistakes before the store is opened
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, (backend) => act(chosen, values, backend, io));
  },
};
