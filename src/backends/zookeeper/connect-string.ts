import { ConfigError } from '../../errors.js';

/** Where a ZooKeeper backend connects: `host:port,...` and an optional chroot (`/a/b`). */
export interface ZookeeperAddress {
  readonly connect: string;
  readonly chroot: string | undefined;
}

const DEFAULT_PORT = 2181;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const CHROOT_SEGMENT = /^[A-Za-z0-9._:@-]{1,128}$/;
const ALLOWED = 'zookeeper://host1:2181,host2:2181,host3:2181/optional/chroot (hosts are names or IPv4 addresses, ports 1-65535, chroot segments of letters, digits, ".", "_", "-", ":" or "@")';

/**
 * Parses `zookeeper://host1:2181,host2:2181/chroot`. Malformed input throws
 * ConfigError(`key`, ...) saying what is allowed.
 */
export function parseZookeeperUrl(url: string, key = 'store'): ZookeeperAddress {
  const scheme = 'zookeeper://';
  if (typeof url !== 'string' || !url.startsWith(scheme)) {
    throw new ConfigError(key, `"${String(url)}" is not a ZooKeeper address; use ${ALLOWED}`);
  }
  const rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  const hosts = slash === -1 ? rest : rest.slice(0, slash);
  const chroot = slash === -1 ? undefined : rest.slice(slash);
  return { connect: normalizeConnect(hosts, key, url), chroot: normalizeChroot(chroot, key, url) };
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
