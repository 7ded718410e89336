import { ConfigError } from '../errors.js';

/** The store URL schemes a node understands. */
export const STORE_SCHEMES = ['sqlite:', 'postgres://', 'postgresql://', 'mysql://', 'zookeeper://', 'none'] as const;

/** Checks the scheme of a store URL (no I/O); the backend checks the rest when it opens. */
export function checkStoreUrl(url: string): void {
  if (url === 'none') return;
  if (!STORE_SCHEMES.some((scheme) => scheme !== 'none' && url.startsWith(scheme))) {
    throw new ConfigError('store.url', `unsupported store ${JSON.stringify(url)}: use sqlite:PATH, postgres://..., mysql://..., zookeeper://... or none`);
  }
}
