/**
 * Where digest credentials come from: a file or an environment variable, never the text of a
 * URL or flag (both show in `ps`, shell history and logs). A `zookeeper://` store URL names the
 * source in its query:
 *
 *     zookeeper://zk1:2181,zk2:2181/baton?digest-file=/run/secrets/baton-zk
 *     zookeeper://zk1:2181/baton?digest-env=ZK_DIGEST&world-read=true
 *
 * The URL is checked without I/O (parse); the secret is read when the store opens (load). Name
 * the variable outside `BATON_*`: the node warns about `BATON_` variables it does not know.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { ZkDigest, type ZkAcl } from './zk-acl.js';

/** Where to read `user:password`, and whether anyone may read the znodes. */
export type ZkAclSource = ({ readonly file: string } | { readonly env: string }) & { readonly worldRead: boolean };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PARAMS = ['digest-file', 'digest-env', 'world-read'];
const FORMS = '"digest-file=PATH" (a file holding user:password) or "digest-env=NAME" (an environment variable holding it), optionally with "world-read=true"';

/**
 * Reads the ACL part of a URL query (`digest-file`, `digest-env`, `world-read`); undefined when
 * the query is empty. `shown` is the URL as it may be printed. Throws ConfigError(`key`, ...).
 */
export function parseAclQuery(query: string, key: string, shown: string): ZkAclSource | undefined {
  if (query === '') return undefined;
  const params = new URLSearchParams(query);
  for (const name of params.keys()) {
    if (!PARAMS.includes(name)) throw new ConfigError(key, `"${shown}": unknown parameter "${name}"; a ZooKeeper URL takes ${FORMS}`);
    if (params.getAll(name).length > 1) throw new ConfigError(key, `"${shown}": parameter "${name}" is given twice`);
  }
  const file = params.get('digest-file');
  const env = params.get('digest-env');
  const worldRead = params.get('world-read');
  if ((file === null) === (env === null)) throw new ConfigError(key, `"${shown}": give exactly one of ${FORMS}`);
  if (worldRead !== null && worldRead !== 'true' && worldRead !== 'false') throw new ConfigError(key, `"${shown}": world-read must be true or false`);
  if (env !== null && !ENV_NAME.test(env)) throw new ConfigError(key, `"${shown}": digest-env must name an environment variable (letters, digits, "_")`);
  if (file === '') throw new ConfigError(key, `"${shown}": digest-file needs a path`);
  const open = worldRead === 'true';
  return Object.freeze(file !== null ? { file, worldRead: open } : { env: env as string, worldRead: open });
}

/** Reads the credentials named by `source`. Throws ConfigError(`key`, ...) that never shows them. */
export function loadZkAcl(source: ZkAclSource, env: NodeJS.ProcessEnv = process.env, key = 'store'): ZkAcl {
  if ('env' in source) {
    const text = env[source.env];
    if (text === undefined || text === '') throw new ConfigError(key, `environment variable ${source.env} (digest-env) is not set; it must hold ZooKeeper digest credentials "user:password"`);
    return Object.freeze({ digest: ZkDigest.parse(text, `environment variable ${source.env}`, key), worldRead: source.worldRead });
  }
  let text: string;
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(key, `cannot read the ZooKeeper digest file ${source.file} (${reason}); it must hold "user:password"`);
  }
  return Object.freeze({ digest: ZkDigest.parse(text, `the ZooKeeper digest file ${source.file}`, key), worldRead: source.worldRead });
}
