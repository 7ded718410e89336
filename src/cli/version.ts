/** The installed package's name and version (shared with the HTTP surface, src/version.ts). */
export { packageIdentity, type PackageIdentity } from '../version.js';
