/** Every fault of the suite, in the order runs and tables list them. */
import type { ChaosStore } from '../stores/chaos-store.js';
import { churnFault } from './churn.js';
import { clockFaults } from './clock.js';
import { ensembleFaults } from './ensemble.js';
import type { Fault, FaultContext } from './fault.js';
import { freezeFault } from './freeze.js';
import { killFault } from './kill.js';
import { linkFaults } from './link.js';
import { rowLockFault } from './row-lock.js';
import { serverRestartFault } from './server-restart.js';
import { slowStoreFault } from './slow-store.js';
import { storeResetFault } from './store-reset.js';

export const FAULTS: readonly Fault[] = [
  killFault,
  freezeFault,
  churnFault,
  ...linkFaults,
  slowStoreFault,
  storeResetFault,
  serverRestartFault,
  rowLockFault,
  ...clockFaults,
  ...ensembleFaults,
];

/** Each episode a random fault among those that apply (clock faults beyond the bound left out). */
export const mixFault: Fault = {
  name: 'mix',
  description: 'each episode one random fault among those that apply to the backend (not clock-beyond)',
  appliesTo: () => true,
  run(context: FaultContext) {
    const faults = FAULTS.filter((f) => f.appliesTo(context.store) && !(f.breaksBound?.(context.store) ?? false) && f.name !== 'clock-beyond');
    return faults[Math.floor(context.random() * faults.length)]!.run(context);
  },
};

export const ALL_FAULTS: readonly Fault[] = [...FAULTS, mixFault];

/**
 * The faults named that apply to `store`. A store on a private server runs only the faults that
 * need one; the others run on the shared server, as before.
 */
export function faultsFor(store: ChaosStore, names: readonly string[]): Fault[] {
  const onPrivate = store.server !== undefined;
  return ALL_FAULTS.filter((f) => names.includes(f.name) && (f.needsPrivateServer ?? false) === onPrivate && f.appliesTo(store));
}

/** Which stores the faults named need: the machine's shared servers, servers of the suite's own. */
export function serversNeeded(names: readonly string[]): { shared: boolean; private: boolean } {
  const named = ALL_FAULTS.filter((f) => names.includes(f.name));
  return { shared: named.some((f) => f.needsPrivateServer !== true), private: named.some((f) => f.needsPrivateServer === true) };
}
