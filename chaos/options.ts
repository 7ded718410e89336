/** The command line of `npm run chaos`: parsed and checked, with --help. */
import { ALL_FAULTS } from './faults/index.js';
import { BACKENDS, type BackendName } from './stores/chaos-store.js';

export interface ChaosOptions {
  readonly backends: readonly BackendName[];
  readonly faults: readonly string[];
  readonly durationMs: number;
  readonly nodes: number;
  readonly seed: number;
  readonly runs: number;
  readonly outDir: string;
  readonly markdown: string | null;
}

export function helpText(): string {
  const faults = ALL_FAULTS.map((f) => `  ${f.name.padEnd(16)} ${f.description}`).join('\n');
  return `npm run chaos -- [options]

Runs real baton node processes (cluster elector, buckets, a partitioned resource) on a store,
injects faults, records what every process did, and checks the histories: no two processes act
for one role or item at once, no stale write is accepted by the protected register, every role
and item is held again within its bound, and every one has exactly one owner at the end.
Needs root (network namespaces: iproute2, iptables; libfaketime for clock faults) and the
stores of npm test (.ci/run installs them).

Options:
  --backend LIST   ${BACKENDS.join(', ')} or all (default all)
  --fault LIST     fault names, all (every fault but mix) or mix (default all)
  --duration D     how long faults go on in each run: 30s, 2m, or ms (default 30s)
  --nodes N        node processes per run, 3 to 5 (default 3)
  --seed N         seed of the random choices (default: from the clock; printed)
  --runs N         runs of each backend and fault (default 1)
  --out DIR        where histories go (default .chaos/<time>)
  --markdown FILE  also write the result table as Markdown to FILE
  --help           this text

Faults (each runs on the backends it applies to):
${faults}

Exit codes: 0 no violation, 1 a violation (printed with its history excerpt) or a failed run,
2 bad options. Check saved histories again with: node dist/chaos/checker/main.js DIR...
`;
}

export class UsageError extends Error {}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new UsageError(`--duration: "${text}" is not a duration (30s, 2m, 500ms)`);
  const value = Number(match[1]);
  return Math.round(match[2] === 'm' ? value * 60_000 : match[2] === 's' ? value * 1_000 : value);
}

function parseWhole(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${flag}: must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function list<T extends string>(flag: string, text: string, known: readonly T[], all: readonly T[]): T[] {
  if (text === 'all') return [...all];
  const items = text.split(',').map((s) => s.trim()) as T[];
  for (const item of items) if (!known.includes(item)) throw new UsageError(`${flag}: unknown "${item}"; known: ${known.join(', ')}, all`);
  return items;
}

export function parseOptions(argv: readonly string[]): ChaosOptions | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (!['--backend', '--fault', '--duration', '--nodes', '--seed', '--runs', '--out', '--markdown'].includes(flag)) throw new UsageError(`unknown option "${arg}" (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const faultNames = ALL_FAULTS.map((f) => f.name);
  return {
    backends: list('--backend', values.get('--backend') ?? 'all', BACKENDS, BACKENDS),
    faults: list('--fault', values.get('--fault') ?? 'all', faultNames, faultNames.filter((f) => f !== 'mix')),
    durationMs: parseDuration(values.get('--duration') ?? '30s'),
    nodes: parseWhole('--nodes', values.get('--nodes') ?? '3', 3, 5),
    seed: values.has('--seed') ? parseWhole('--seed', values.get('--seed')!, 0, 2 ** 31) : Date.now() % 1_000_000,
    runs: parseWhole('--runs', values.get('--runs') ?? '1', 1, 1_000),
    outDir: values.get('--out') ?? `.chaos/${new Date().toISOString().replace(/[:.]/g, '-')}`,
    markdown: values.get('--markdown') ?? null,
  };
}
