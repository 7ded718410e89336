/**
 * What must be undone however a run ends (normally, an exception, Ctrl-C, SIGTERM): node
 * processes, the register, network namespaces, stores. Each step is registered when made and
 * run once, newest first. Children also exit on their own when the controller dies (they watch
 * their stdin, a pipe from it), and namespaces of a dead controller are removed at the next
 * start (namespaces.ts `removeStale`).
 */
type Step = () => Promise<void> | void;

const steps: { readonly what: string; readonly step: Step }[] = [];
let running: Promise<void> | null = null;

/** Registers a clean-up step; returns a function that runs it now (and unregisters it). */
export function onCleanup(what: string, step: Step): () => Promise<void> {
  const entry = { what, step };
  steps.push(entry);
  return async () => {
    const index = steps.indexOf(entry);
    if (index === -1) return;
    steps.splice(index, 1);
    await step();
  };
}

/** Runs every registered step, newest first; a failing step is reported and the rest still run. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const { what, step } = steps.pop()!;
      try {
        await step();
      } catch (error) {
        process.stderr.write(`chaos: clean-up of ${what} failed: ${(error as Error).message}\n`);
      }
    }
    running = null;
  })();
  return running;
}

/** Interrupts (Ctrl-C, SIGTERM) and crashes clean up, then exit non-zero. */
export function cleanUpOnExit(abort: AbortController): void {
  const stop = (why: string, code: number) => {
    process.stderr.write(`chaos: ${why}, cleaning up\n`);
    abort.abort(new Error(why));
    void cleanUp().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stop('interrupted', 130));
  process.once('SIGTERM', () => stop('terminated', 143));
  process.once('uncaughtException', (error) => stop(`crashed: ${error.stack ?? error.message}`, 1));
  process.once('unhandledRejection', (error) => stop(`crashed: ${(error as Error)?.stack ?? String(error)}`, 1));
}
