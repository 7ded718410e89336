import { ConfigError } from '../errors.js';
import { parseAclQuery, type ZkAclSource } from './zk-acl-source.js';

/** Where a ZooKeeper backend connects: `host:port,...` and an optional chroot (`/a/b`). */
export interface ZookeeperAddress {
  readonly connect: string;
  readonly chroot: string | undefined;
  /** Where digest ACL credentials come from (the URL's query); absent: no ACLs. */
  readonly acl?: ZkAclSource;
}

const DEFAULT_PORT = 2181;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const CHROOT_SEGMENT = /^[A-Za-z0-9._:@-]{1,128}$/;
const ALLOWED = 'zookeeper://host1:2181,host2:2181,host3:2181/optional/chroot (hosts are names or IPv4 addresses, ports 1-65535, chroot segments of letters, digits, ".", "_", "-", ":" or "@")';

/**
 * Parses `zookeeper://host1:2181,host2:2181/chroot[?digest-file=PATH|digest-env=NAME]` (see
 * zk-acl-source.ts). Malformed input throws ConfigError(`key`, ...) saying what is allowed.
 * Credentials written into the URL (`user:password@`) are refused without being echoed: a URL
 * shows in `ps` and in logs.
 */
export function parseZookeeperUrl(url: string, key = 'store'): ZookeeperAddress {
  const scheme = 'zookeeper://';
  if (typeof url !== 'string' || !url.startsWith(scheme)) {
    throw new ConfigError(key, `"${redactUserinfo(String(url))}" is not a ZooKeeper address; use ${ALLOWED}`);
  }
  const question = url.indexOf('?');
  const rest = url.slice(scheme.length, question === -1 ? undefined : question);
  const slash = rest.indexOf('/');
  const hosts = slash === -1 ? rest : rest.slice(0, slash);
  if (hosts.includes('@')) {
    throw new ConfigError(key, `"${redactUserinfo(url)}" carries credentials; they would show in ps and logs: put "user:password" in a file and add ?digest-file=PATH (or ?digest-env=NAME) to the URL`);
  }
  const chroot = slash === -1 ? undefined : rest.slice(slash);
  const acl = parseAclQuery(question === -1 ? '' : url.slice(question + 1), key, url);
  return { connect: normalizeConnect(hosts, key, url), chroot: normalizeChroot(chroot, key, url), ...(acl ? { acl } : {}) };
}

/** `url` with anything before an `@` in its authority replaced by `***`. */
export function redactUserinfo(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1***@');
}

/** Checks `host:port,host:port` (ports default to 2181) and returns it with every port explicit. */
export function normalizeConnect(hosts: string, key = 'store.connect', shown = hosts): string {
  const parts = hosts.split(',');
  const normalized = parts.map((part) => {
    const match = /^([^:]*)(?::(\d{1,5}))?$/.exec(part);
    const host = match?.[1] ?? '';
    const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
    if (!match || !HOST.test(host) || port < 1 || port > 65535) {
      throw new ConfigError(key, `"${shown}": server "${part}" is malformed; use ${ALLOWED}`);
    }
    return `${host}:${port}`;
  });
  return normalized.join(',');
}

/** Checks a chroot (`/a/b`; a trailing `/` or a bare `/` is allowed and dropped). */
export function normalizeChroot(chroot: string | undefined, key = 'store.chroot', shown = chroot ?? ''): string | undefined {
  if (chroot === undefined) return undefined;
  const trimmed = chroot.endsWith('/') ? chroot.slice(0, -1) : chroot;
  if (trimmed === '') return undefined;
  const segments = trimmed.split('/').slice(1);
  if (!trimmed.startsWith('/') || segments.some((s) => !CHROOT_SEGMENT.test(s) || s === '.' || s === '..') || segments[0] === 'zookeeper') {
    throw new ConfigError(key, `"${shown}": chroot "${chroot}" is malformed; use ${ALLOWED}`);
  }
  return trimmed;
}
