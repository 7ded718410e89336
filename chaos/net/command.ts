/** Runs a system command (ip, tc, iptables) and fails with its stderr and what to install. */
import { spawnSync } from 'node:child_process';

export function run(command: string, args: readonly string[], options: { allowFailure?: boolean } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (!options.allowFailure && (result.error || result.status !== 0)) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()} (the chaos suite needs root, iproute2 and iptables; .ci/run installs them)`);
  }
  return result.stdout ?? '';
}
