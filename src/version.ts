/** The installed package's name and version, read from its package.json (two levels above dist/src). */
import { readFileSync } from 'node:fs';

export interface PackageIdentity {
  readonly name: string;
  readonly version: string;
}

export function packageIdentity(): PackageIdentity {
  // From dist/src/version.js, the package root is two directories up.
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Partial<PackageIdentity>;
  return { name: String(json.name), version: String(json.version) };
}
