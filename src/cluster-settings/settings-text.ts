/** How settings are written for people: in logs, errors and the CLI. */
import type { SettingsSection } from './settings-layout.js';

/** `count 64` / `partitions 24, replicas 2`. */
export function describeValue(value: object): string {
  return Object.entries(value).map(([field, v]) => `${field} ${String(v)}`).join(', ');
}

/**
 * The `baton settings set` command line that writes `value` (or the section's fields, as
 * placeholders) for the section, against the store and cluster the caller already uses.
 */
export function settingsCommand<T extends object>(section: SettingsSection<T>, value?: T, cluster = 'NAME'): string {
  const assignments = section.fields.map((field) => `${section.configPath}.${field}=${value === undefined ? 'N' : String(value[field])}`);
  return `\`baton settings set ${assignments.join(' ')} --store URL --cluster ${cluster}\``;
}
