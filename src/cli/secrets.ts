/**
 * Secrets on the command line come from files or environment variables, never from a flag's
 * value: arguments show in `ps` and in shell history. Messages name the source, never the text.
 */
import { readFileSync } from 'node:fs';
import { ZkDigest } from '../zk-client/zk-acl.js';
import { UsageError } from './command.js';

/** The first line of `file` (a trailing newline dropped); UsageError when unreadable or empty. */
export function readSecretFile(file: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '' || /[\r\n]/.test(secret)) throw new UsageError(`--${flag}: ${file} must hold the secret on one non-empty line`);
  return secret;
}

/** A secret from `--<flag> FILE`, else from the environment variable `env`, else undefined. */
export function secretFrom(values: Readonly<Record<string, unknown>>, flag: string, env: string, environment: NodeJS.ProcessEnv): string | undefined {
  const file = values[flag];
  if (typeof file === 'string') return readSecretFile(file, flag);
  const text = environment[env];
  return text === undefined || text === '' ? undefined : text;
}

/** ZooKeeper digest credentials from `--<flag> FILE` or the variable `env` (`user:password`). */
export function zkDigestFrom(values: Readonly<Record<string, unknown>>, flag: string, env: string, environment: NodeJS.ProcessEnv): ZkDigest | undefined {
  const text = secretFrom(values, flag, env, environment);
  if (text === undefined) return undefined;
  const where = typeof values[flag] === 'string' ? `--${flag} ${String(values[flag])}` : `environment variable ${env}`;
  return ZkDigest.parse(text, where, flag);
}
