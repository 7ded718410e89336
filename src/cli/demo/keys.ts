/**
 * Key presses of an interactive demo (stdin is a terminal): k kill the leader, f freeze it,
 * s stop it gracefully, a add a node, q or Ctrl-C quit. Returns a function that restores the
 * terminal.
 */
import type { FaultName } from './faults.js';

export const KEYS_HELP = 'keys: k kill leader | f freeze leader past its TTL | s stop leader gracefully | a add a node | q quit';

const FAULT_KEYS: Readonly<Record<string, FaultName>> = { k: 'kill', f: 'freeze', s: 'stop', a: 'add' };

export function listenToKeys(stdin: NodeJS.ReadStream, onFault: (fault: FaultName) => void, onQuit: () => void): (() => void) | null {
  if (!stdin.isTTY) return null;
  const onData = (data: Buffer): void => {
    for (const key of data.toString('utf8')) {
      if (key === 'q' || key === '\u0003') onQuit();
      const fault = FAULT_KEYS[key.toLowerCase()];
      if (fault) onFault(fault);
    }
  };
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
