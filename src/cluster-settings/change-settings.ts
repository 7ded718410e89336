/**
 * Changing a shared setting deliberately (`baton settings set`): only with every node of the
 * cluster stopped, since a running node keeps the value it started with, and a node started
 * after the change with the old value is refused. The write is a compare-and-set on the version
 * read, so two people changing it at once cannot both land.
 */
import type { Backend } from '../contract/contract.js';
import type { Json } from '../contract/json.js';
import { StateError } from '../errors.js';
import { parseSettings, settingsJson, type SettingsSection } from './settings-layout.js';

export interface SettingsChange<T> {
  readonly section: SettingsSection<T>;
  /** The stored value before (null: none stored, or corrupt) and after. */
  readonly before: T | null;
  readonly after: T;
}

/**
 * Writes `change` (fields not given keep their stored value) and returns what changed.
 * StateError while any node of the cluster is live or when a field has no value at all.
 */
export async function changeSettings<T>(backend: Backend, section: SettingsSection<T>, change: Partial<T>, options: { signal?: AbortSignal } = {}): Promise<SettingsChange<T>> {
  const live = await backend.members(options);
  if (live.length > 0) {
    throw new StateError(`cannot change the shared settings of cluster "${backend.cluster}" while nodes are live (${live.map((m) => m.nodeId).join(', ')}): stop every node, change the setting, then start the nodes with the new value`);
  }
  const entry = await backend.kv.get(section.key, options);
  const before = entry === null ? null : parseOrNull(section, entry.value);
  const merged = { ...(before ?? {}), ...change } as Partial<T>;
  const missing = section.fields.filter((field) => merged[field] === undefined);
  if (missing.length > 0) {
    throw new StateError(`the cluster stores no ${section.configPath} settings yet: give ${missing.map((f) => `${section.configPath}.${f}`).join(' and ')} too`);
  }
  const after = merged as T;
  await backend.kv.put(section.key, settingsJson(section, after), { ...options, expectVersion: entry === null ? null : entry.version });
  return { section, before, after };
}

/** The stored value, or null when corrupt: a corrupt document is replaced by a complete value. */
function parseOrNull<T>(section: SettingsSection<T>, value: Json): T | null {
  try {
    return parseSettings(section, value);
  } catch {
    return null;
  }
}
