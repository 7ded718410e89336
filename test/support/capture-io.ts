/** A CliIo that keeps what a command prints, for tests that call `runCli` in process. */
import type { CliIo } from '../../src/cli/command.js';

export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, env, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
