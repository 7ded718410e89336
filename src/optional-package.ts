/**
 * The server drivers are optional peer dependencies: a user installs the one for the store they
 * use (`pg`, `mysql2`, `node-zookeeper-client`, `@grpc/grpc-js` with `protobufjs`), and baton
 * loads it only when that store is opened. A missing one is MissingPackageError naming the
 * package to install, never a bare "Cannot find module" at start-up.
 */
import { createRequire } from 'node:module';
import { MissingPackageError } from './errors.js';

const require = createRequire(import.meta.url);

/** Whether `error` says that `pkg` itself (not something inside it) cannot be found. */
function isMissing(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${pkg}'`) || message.includes(`'${pkg}/`) || message.includes(`"${pkg}"`);
}

/**
 * Loads the CommonJS package `specifier` (`pg`, `mysql2/promise`, ...), or throws
 * MissingPackageError naming `pkg` and saying what needs it (`usedFor`).
 */
export function requireOptional<T>(specifier: string, pkg: string, usedFor: string): T {
  try {
    return require(specifier) as T;
  } catch (error) {
    if (isMissing(error, pkg)) throw new MissingPackageError(pkg, usedFor, { cause: error });
    throw error;
  }
}

/** Runs `load` (a dynamic import); a module of it that needs a missing one of `packages` is MissingPackageError. */
export async function importOptional<T>(load: () => Promise<T>, packages: readonly string[], usedFor: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = packages.find((pkg) => isMissing(error, pkg));
    if (missing !== undefined) throw new MissingPackageError(missing, usedFor, { cause: error });
    throw error;
  }
}
