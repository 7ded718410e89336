/** A slow store: every node's traffic delayed with jitter (the store proxies), renewals still in time. */
import { beginFault, endFault, sleep, type Fault } from './fault.js';

/** 150 ms +- 100 ms each way: round trips up to 0.5 s, well inside renewDeadline. */
const DELAY = { delayMs: 150, jitterMs: 100 };
const HELD_MS = 10_000;

export const slowStoreFault: Fault = {
  name: 'slow-store',
  description: `delay every node's traffic by ${DELAY.delayMs} +- ${DELAY.jitterMs} ms each way for ${HELD_MS / 1000} s`,
  appliesTo: (store) => store.delay !== undefined,
  async run(context) {
    const { store } = context;
    beginFault(context, 'slow store', true);
    store.delay!('*', DELAY);
    try {
      await sleep(context, HELD_MS);
    } finally {
      store.delay!('*', null);
    }
    endFault(context, 'store fast again', true);
  },
};
