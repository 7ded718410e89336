/**
 * Builds a validated, frozen {@link BatonConfig} from flags > environment > file > defaults.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { validateSegment } from '../contract/names.js';
import { validateTiming } from '../contract/timing.js';
import { BatonError, ConfigError } from '../errors.js';
import { resolveSection, unknownKeys, type ConfigSources, type Tree } from './resolve.js';
import { configSchema } from './sections/index.js';
import { CONFIG_FILE_ENV, readConfigFile, readEnv, readFlags } from './sources.js';
import type { BatonConfig } from './types.js';
import { checkStoreUrl } from './store-url.js';

export interface LoadConfigOptions {
  /** Path of a YAML file; default: `$BATON_CONFIG`, else none. */
  readonly file?: string;
  /** Environment to read `BATON_*` variables from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Parsed command-line flags, by flag name (`http-port`, ...). */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** Extra settings as a YAML-shaped object, used when no file is given (library use). */
  readonly values?: unknown;
}

export interface LoadedConfig {
  readonly config: BatonConfig;
  /** Things worth logging that are not errors (unknown `BATON_*` variables). */
  readonly warnings: readonly string[];
}

/**
 * Loads and validates the configuration. Throws one ConfigError naming the key, the value,
 * where it came from and what is allowed.
 *
 * @example
 * const { config } = loadConfig({ values: { cluster: 'shop', store: 'sqlite:./shop.db', http: { port: 0 } } });
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const path = options.file ?? env[CONFIG_FILE_ENV];
  const file = path !== undefined ? { tree: readConfigFile(path), origin: `config file ${path}` } : options.values !== undefined ? { tree: options.values, origin: 'the given values' } : undefined;
  if (file && file.tree !== null && file.tree !== undefined && (typeof file.tree !== 'object' || Array.isArray(file.tree))) {
    throw new ConfigError('config', `${file.origin} must hold a mapping of keys to values at the top level`);
  }
  const unknown = file ? unknownKeys(configSchema, file.tree) : [];
  if (unknown.length > 0) {
    throw new ConfigError(unknown[0] as string, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${file?.origin}; see the configuration reference in README.md`);
  }
  const { values: envValues, unknown: unknownEnv } = readEnv(env);
  const sources: ConfigSources = { flags: readFlags(options.flags ?? {}), env: envValues, ...(file ? { file } : {}) };
  const raw = resolveSection('', configSchema, sources, file?.tree);
  const warnings = unknownEnv.map((name) => `environment variable ${name} is not a baton setting and was not used`);
  return Object.freeze({ config: finish(raw), warnings: Object.freeze(warnings) });
}

/** Whole-config checks and derived defaults. */
function finish(raw: Tree): BatonConfig {
  const base = raw as unknown as BatonConfig & { nodeId: string | null; advertise: { host: string | null } };
  named('cluster', () => validateSegment('cluster name', base.cluster));
  checkStoreUrl(base.store.url);
  const { preferredLeader, ...timing } = base.election;
  if (preferredLeader !== null) named('election.preferredLeader', () => validateSegment('node id', preferredLeader));
  const election = Object.freeze({ ...validateTiming(timing, 'election'), preferredLeader });
  const wildcard = base.http.host === '0.0.0.0' || base.http.host === '::';
  const advertiseHost = base.advertise.host ?? (wildcard ? hostname() : base.http.host);
  const nodeId = base.nodeId ?? defaultNodeId(advertiseHost, base.http.port);
  named('nodeId', () => validateSegment('node id', nodeId));
  return Object.freeze({
    ...base,
    nodeId,
    election,
    advertise: Object.freeze({ ...base.advertise, host: advertiseHost }),
    auth: Object.freeze({ ...base.auth, token: authToken(base.auth) }),
  });
}

/** `auth.token`, or the first line of `auth.tokenFile`; messages name the file, never the secret. */
function authToken(auth: BatonConfig['auth']): string | null {
  if (auth.tokenFile === null) return auth.token;
  if (auth.token !== null) throw new ConfigError('auth.tokenFile', 'give auth.token or auth.tokenFile, not both');
  let text: string;
  try {
    text = readFileSync(auth.tokenFile, 'utf8');
  } catch (error) {
    throw new ConfigError('auth.tokenFile', `cannot read ${auth.tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token === '' || /[\r\n]/.test(token)) throw new ConfigError('auth.tokenFile', `${auth.tokenFile} must hold the token on one non-empty line`);
  return token;
}

/** `<host>-<port>`, or `<host>-<pid>` when the port is picked at random; made a valid segment. */
function defaultNodeId(host: string, port: number): string {
  const safeHost = host.replace(/[^A-Za-z0-9._:@-]/g, '-').slice(0, 100);
  return `${safeHost}-${port === 0 ? `pid${process.pid}` : port}`;
}

function named(key: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof BatonError && !(error instanceof ConfigError)) throw new ConfigError(key, error.message, { cause: error });
    throw error;
  }
}
