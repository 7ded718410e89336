import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { CliIo } from './command.js';

/** Loads the configuration from `--config`, `BATON_*` variables and the config flags. */
export function configFromArgs(values: Readonly<Record<string, unknown>>, io: CliIo): LoadedConfig {
  const file = typeof values.config === 'string' ? values.config : undefined;
  return loadConfig({ ...(file !== undefined ? { file } : {}), env: io.env, flags: values });
}
