/**
 * `npm run chaos`: the fault-injection suite (see options.ts --help). Runs every backend and
 * fault asked for, then hands the histories to the checker, a separate program, whose exit code
 * is this one's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanUp, cleanUpOnExit, onCleanup } from './cleanup.js';
import { faultsFor, serversNeeded } from './faults/index.js';
import { Namespaces, removeStale } from './net/namespaces.js';
import { helpText, parseOptions, UsageError, type ChaosOptions } from './options.js';
import { seededRandom } from '../src/testing/seeded-random.js';
import { runCell } from './run-cell.js';
import { removeStaleServers } from './servers/private-server.js';
import type { BackendName, ChaosStore } from './stores/chaos-store.js';
import { openChaosStore, PRIVATE_SERVER_BACKENDS } from './stores/open-chaos-store.js';

const CHECKER = fileURLToPath(new URL('./checker/main.js', import.meta.url));

async function runAll(options: ChaosOptions, signal: AbortSignal): Promise<{ dirs: string[]; failures: string[] }> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const random = seededRandom(options.seed);
  mkdirSync(options.outDir, { recursive: true });
  removeStale();
  removeStaleServers();
  const needsNet = options.backends.some((b) => b !== 'sqlite');
  const namespaces = needsNet ? new Namespaces() : null;
  if (namespaces) onCleanup('network namespaces', () => namespaces.remove());
  const dirs: string[] = [];
  const failures: string[] = [];
  log(`chaos: seed ${options.seed}, histories in ${options.outDir}`);
  // Each backend on the machine's shared server; then, for the faults that restart the server
  // (server-restart), on a private one.
  const servers = serversNeeded(options.faults);
  const stores: { backend: BackendName; privateServer: boolean }[] = servers.shared ? options.backends.map((backend) => ({ backend, privateServer: false })) : [];
  if (servers.private) stores.push(...options.backends.filter((b) => PRIVATE_SERVER_BACKENDS.includes(b)).map((backend) => ({ backend, privateServer: true })));
  for (const { backend, privateServer } of stores) {
    const what = privateServer ? `${backend} (private server)` : backend;
    let store: ChaosStore;
    try {
      store = await openChaosStore(backend, namespaces?.storeHost ?? '127.0.0.1', privateServer);
    } catch (error) {
      failures.push(`${what}: the store did not start: ${(error as Error).message}`);
      continue;
    }
    const closeStore = onCleanup(`${what} store`, () => store.close());
    for (const fault of faultsFor(store, options.faults)) {
      for (let run = 0; run < options.runs; run++) {
        log(`chaos: ${backend} ${fault.name} (${options.durationMs / 1000} s, ${options.nodes} nodes)`);
        try {
          dirs.push(await runCell({ outDir: options.outDir, store, namespaces, fault, nodes: options.nodes, durationMs: options.durationMs, seed: options.seed, random, signal, log }));
        } catch (error) {
          if (signal.aborted) throw error;
          failures.push(`${backend} ${fault.name}: the run failed: ${(error as Error).stack ?? String(error)}`);
        }
      }
    }
    await closeStore();
  }
  return { dirs, failures };
}

async function main(): Promise<number> {
  let options: ChaosOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`chaos: ${error.message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const abort = new AbortController();
  cleanUpOnExit(abort);
  const { dirs, failures } = await runAll(options, abort.signal).finally(() => cleanUp());
  for (const failure of failures) process.stderr.write(`chaos: ${failure}\n`);
  if (dirs.length === 0) return 1;
  const checked = spawnSync(process.execPath, [CHECKER, ...(options.markdown ? ['--markdown', options.markdown] : []), ...dirs], { stdio: 'inherit' });
  return failures.length > 0 ? 1 : (checked.status ?? 1);
}

process.exitCode = await main();
