/**
 * The store restarted, as its clients see it: every connection dropped and new ones refused for a
 * while (the proxy in front of the machine's shared server; the server itself is never restarted,
 * other test runs use it).
 */
import { beginFault, endFault, sleep, type Fault } from './fault.js';

const DOWN_MS = 3_000;

export const storeResetFault: Fault = {
  name: 'store-restart',
  description: `every connection to the store dropped, new ones refused for ${DOWN_MS / 1000} s (a restart, as clients see it)`,
  appliesTo: (store) => store.resetConnections !== undefined,
  async run(context) {
    const { store } = context;
    beginFault(context, 'store down', true);
    store.resetConnections!();
    try {
      await sleep(context, DOWN_MS);
    } finally {
      store.restoreConnections!();
    }
    endFault(context, 'store up', true);
  },
};
