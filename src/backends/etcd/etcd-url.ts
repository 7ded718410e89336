/**
 * `etcd://host1:2379,host2:2379,host3:2379/prefix?PARAMS`: which etcd members, under which key
 * prefix, with which TLS files and credentials. Parameters (all optional):
 *
 *     tls=true            TLS with the system's CA roots (implied by any of the files below)
 *     ca-file=PATH        PEM CA that signed the members' certificates
 *     cert-file=PATH      PEM client certificate   } both or neither, for members that
 *     key-file=PATH       PEM client key           } require client certificates
 *     user=NAME           etcd user (etcd's auth), with exactly one of:
 *     password-file=PATH  a file holding the password
 *     password-env=NAME   an environment variable holding it
 *
 * A password is never written in the URL itself (it would show in `ps` and in logs). The URL is
 * checked without I/O (parseEtcdUrl); files and variables are read when the store opens
 * (loadEtcdSecrets).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { EtcdTls } from './etcd-client.js';
import { DEFAULT_ETCD_PREFIX } from './etcd-layout.js';

export interface EtcdAddress {
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly tls: { readonly ca?: string; readonly cert?: string; readonly key?: string } | undefined;
  readonly user: string | undefined;
  readonly password: { readonly file: string } | { readonly env: string } | undefined;
}

const DEFAULT_PORT = 2379;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PARAMS = ['tls', 'ca-file', 'cert-file', 'key-file', 'user', 'password-file', 'password-env'];
export const ETCD_URL_EXAMPLE = 'etcd://host1:2379,host2:2379,host3:2379/prefix[?ca-file=PATH&user=NAME&password-file=PATH]';

/** Parses an etcd store URL; throws ConfigError(`key`, ...) saying what is wrong and what is allowed. */
export function parseEtcdUrl(url: string, key = 'store'): EtcdAddress {
  const scheme = 'etcd://';
  if (typeof url !== 'string' || !url.toLowerCase().startsWith(scheme)) throw new ConfigError(key, `"${String(url)}" is not an etcd address; use ${ETCD_URL_EXAMPLE}`);
  const question = url.indexOf('?');
  const rest = url.slice(scheme.length, question === -1 ? undefined : question);
  const slash = rest.indexOf('/');
  const hosts = slash === -1 ? rest : rest.slice(0, slash);
  if (hosts.includes('@')) {
    throw new ConfigError(key, `"etcd://***@..." carries credentials, which would show in ps and logs: use ?user=NAME&password-file=PATH (or password-env=NAME)`);
  }
  const endpoints = hosts.split(',').map((part) => endpoint(part, key, url));
  const prefix = normalizePrefix(slash === -1 ? '' : rest.slice(slash), key, url);
  return { endpoints, prefix, ...parseQuery(question === -1 ? '' : url.slice(question + 1), key, url) };
}

function endpoint(part: string, key: string, url: string): string {
  const match = /^([^:]*)(?::(\d{1,5}))?$/.exec(part);
  const host = match?.[1] ?? '';
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match || !HOST.test(host) || port < 1 || port > 65535) {
    throw new ConfigError(key, `"${url}": member "${part}" is malformed; use host:port (a name or IPv4 address, port 1-65535), e.g. ${ETCD_URL_EXAMPLE}`);
  }
  return `${host}:${port}`;
}

function normalizePrefix(path: string, key: string, url: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return DEFAULT_ETCD_PREFIX;
  const segments = trimmed.split('/').slice(1);
  if (segments.some((s) => !PREFIX_SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new ConfigError(key, `"${url}": prefix "${path}" is malformed; use /segment[/segment...] of letters, digits, ".", "_" or "-"`);
  }
  return trimmed;
}

function parseQuery(query: string, key: string, url: string): Pick<EtcdAddress, 'tls' | 'user' | 'password'> {
  const params = new URLSearchParams(query);
  for (const name of params.keys()) {
    if (!PARAMS.includes(name)) throw new ConfigError(key, `"${url}": unknown parameter "${name}"; an etcd URL takes ${PARAMS.join(', ')}`);
    if (params.getAll(name).length > 1) throw new ConfigError(key, `"${url}": parameter "${name}" is given twice`);
    if (name !== 'tls' && params.get(name) === '') throw new ConfigError(key, `"${url}": parameter "${name}" needs a value`);
  }
  const tlsFlag = params.get('tls');
  if (tlsFlag !== null && tlsFlag !== 'true' && tlsFlag !== 'false') throw new ConfigError(key, `"${url}": tls must be true or false`);
  const [ca, cert, keyFile] = ['ca-file', 'cert-file', 'key-file'].map((n) => params.get(n) ?? undefined);
  if ((cert === undefined) !== (keyFile === undefined)) throw new ConfigError(key, `"${url}": give cert-file and key-file together (a client certificate and its key)`);
  const wantsTls = tlsFlag === 'true' || ca !== undefined || cert !== undefined;
  if (tlsFlag === 'false' && wantsTls) throw new ConfigError(key, `"${url}": tls=false contradicts the TLS files given`);
  const user = params.get('user') ?? undefined;
  const file = params.get('password-file');
  const env = params.get('password-env');
  if (user === undefined && (file !== null || env !== null)) throw new ConfigError(key, `"${url}": a password needs user=NAME`);
  if (user !== undefined && (file === null) === (env === null)) throw new ConfigError(key, `"${url}": user=${user} needs exactly one of password-file=PATH or password-env=NAME`);
  if (env !== null && !ENV_NAME.test(env)) throw new ConfigError(key, `"${url}": password-env must name an environment variable (letters, digits, "_")`);
  return {
    tls: wantsTls ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(keyFile ? { key: keyFile } : {}) } : undefined,
    user,
    password: file !== null ? { file } : env !== null ? { env } : undefined,
  };
}

/** Reads the TLS files and the password the address names. Throws ConfigError that never shows a secret. */
export function loadEtcdSecrets(address: EtcdAddress, env: NodeJS.ProcessEnv = process.env, key = 'store'): { tls?: EtcdTls; auth?: { user: string; password: string } } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(key, `cannot read the etcd ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  const t = address.tls;
  const tls = t ? { ca: t.ca ? read(t.ca, 'CA file') : undefined, cert: t.cert ? read(t.cert, 'client certificate') : undefined, key: t.key ? read(t.key, 'client key') : undefined } : undefined;
  let auth: { user: string; password: string } | undefined;
  if (address.user !== undefined && address.password) {
    const source = address.password;
    const password = 'env' in source ? env[source.env] : read(source.file, 'password file').toString('utf8').replace(/\r?\n$/, '');
    if (password === undefined || password === '') {
      throw new ConfigError(key, 'env' in source ? `environment variable ${source.env} (password-env) is not set; it must hold the etcd password of user ${address.user}` : `the etcd password file ${source.file} is empty`);
    }
    auth = { user: address.user, password };
  }
  return { ...(tls ? { tls } : {}), ...(auth ? { auth } : {}) };
}

/** The address as it may be printed: members and prefix, with which files and user (never a secret). */
export function displayEtcdAddress(address: EtcdAddress): string {
  const extras = [address.tls ? 'tls' : '', address.user ? `user ${address.user}` : ''].filter((s) => s !== '');
  return `etcd://${address.endpoints.join(',')}${address.prefix}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}
