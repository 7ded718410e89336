import { parseStoreUrl } from '../backends/open-store.js';

/** Checks a store URL without I/O (scheme and form); throws ConfigError('store', ...). */
export function checkStoreUrl(url: string): void {
  parseStoreUrl(url);
}
