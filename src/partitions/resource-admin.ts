/**
 * Operator actions on a partitioned resource, shared by the CLI and the HTTP API: the enable
 * flag and the keys registry. They are plain (unfenced) KV writes: any operator may make them,
 * and every node follows them through its watch.
 */
import type { Kv } from '../contract/contract.js';
import { PARTITION_SETTINGS_PREFIX } from '../cluster-settings/settings-layout.js';
import { compareNames, enabledKey, keysPrefix, registeredKey, registeredKeyDocument, registeredKeys, RESOURCES_PREFIX, tableNameOf } from './resource-layout.js';

/** Stores the enable flag. Disabled: the cluster leader leads every key. */
export async function setResourceEnabled(kv: Kv, resource: string, enabled: boolean, signal?: AbortSignal): Promise<void> {
  await kv.put(enabledKey(resource), { enabled }, { signal });
}

/** The stored flag, or null when none is stored (the configured default applies). */
export async function readResourceEnabled(kv: Kv, resource: string, signal?: AbortSignal): Promise<boolean | null> {
  const entry = await kv.get(enabledKey(resource), { signal });
  const value = entry?.value;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['enabled'] === 'boolean' ? value['enabled'] : null;
}

/** Registers `key` (a table name Pinot accepts, any length); InvalidArgumentError otherwise. */
export async function addResourceKey(kv: Kv, resource: string, key: string, signal?: AbortSignal): Promise<void> {
  await kv.put(registeredKey(resource, key), registeredKeyDocument(key), { signal });
}

/** Unregisters `key`; resolves true when it was registered, false when there was nothing to remove. */
export async function removeResourceKey(kv: Kv, resource: string, key: string, signal?: AbortSignal): Promise<boolean> {
  let found = false;
  for (const stored of registeredKeys(resource, key)) {
    if ((await kv.get(stored, { signal })) === null) continue;
    await kv.delete(stored, { signal });
    found = true;
  }
  return found;
}

/** The registered keys (table names), sorted. */
export async function listResourceKeys(kv: Kv, resource: string, signal?: AbortSignal): Promise<string[]> {
  const entries = await kv.list(keysPrefix(resource), { signal });
  return [...new Set(entries.map((e) => tableNameOf(resource, e)))].sort(compareNames);
}

/**
 * The resources with any stored document, sorted: its shared settings (stored by the first node
 * that runs it, at start, before the leader places anything), a placement, a flag or a key.
 */
export async function storedResourceNames(kv: Kv, signal?: AbortSignal): Promise<string[]> {
  // The nodes report corrupt documents; a reader only needs the names.
  const [documents, settings] = await Promise.all([
    kv.list(RESOURCES_PREFIX, { signal, onCorrupt: () => undefined }),
    kv.list(PARTITION_SETTINGS_PREFIX, { signal, onCorrupt: () => undefined }),
  ]);
  const names = [
    ...documents.map((e) => e.key.slice(RESOURCES_PREFIX.length).split('/')[0] ?? ''),
    ...settings.map((e) => e.key.slice(PARTITION_SETTINGS_PREFIX.length).split('/')[0] ?? ''),
  ];
  return [...new Set(names)].filter((name) => name !== '').sort();
}
