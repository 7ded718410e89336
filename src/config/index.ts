export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export type { BatonConfig } from './types.js';
export { configFlagOptions, CONFIG_FILE_ENV } from './sources.js';
export { configSchema } from './sections/index.js';
export { DEFAULT_HTTP_PORT, DEFAULT_STORE_URL } from './sections/core.js';
