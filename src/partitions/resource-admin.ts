/**
 * Operator actions on a partitioned resource, shared by the CLI and the HTTP API: the enable
 * flag and the keys registry. They are plain (unfenced) KV writes: any operator may make them,
 * and every node follows them through its watch.
 */
import type { Kv } from '../backend/contract.js';
import { enabledKey, keysPrefix, registeredKey } from './resource-layout.js';

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

/** Registers `key` (a table name); InvalidArgumentError when it is not a valid key segment. */
export async function addResourceKey(kv: Kv, resource: string, key: string, signal?: AbortSignal): Promise<void> {
  await kv.put(registeredKey(resource, key), {}, { signal });
}

/** Unregisters `key`; removing an absent key succeeds. */
export async function removeResourceKey(kv: Kv, resource: string, key: string, signal?: AbortSignal): Promise<void> {
  await kv.delete(registeredKey(resource, key), { signal });
}

/** The registered keys, sorted (the value of a key document is never used). */
export async function listResourceKeys(kv: Kv, resource: string, signal?: AbortSignal): Promise<string[]> {
  const root = keysPrefix(resource);
  const entries = await kv.list(root, { signal });
  return entries.map((e) => e.key.slice(root.length));
}
