/**
 * Who may change state over HTTP: one rule for the node's API and the directory service.
 * With a token, only its bearer writes (else 401). Without one, writes are refused (403), so a
 * service never accepts writes from anyone by accident; a service that must run open says so
 * with an explicit option (`allowUnauthenticatedWrites`), never by leaving the token out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './errors.js';

/** How a service treats writes: only the bearer of a token, anyone, or no one. */
export type WriteMode = 'token' | 'open' | 'refused';

/** Why a write was refused: the HTTP status, a stable code and a message saying what to do. */
export interface WriteRefusal {
  readonly status: 401 | 403;
  readonly code: 'UNAUTHORIZED' | 'FORBIDDEN';
  readonly message: string;
}

export interface WriteGuardOptions {
  /** The bearer token writes need; undefined, null or '' means none. */
  readonly token?: string | null | undefined;
  /** Accept writes from anyone when there is no token (default false). */
  readonly allowUnauthenticatedWrites?: boolean | undefined;
  /** How an operator sets the token, for messages: `--token-file F or BATON_DIRECTORY_TOKEN`. */
  readonly tokenHint: string;
  /** How an operator opens writes, for messages; absent when the service has no such option. */
  readonly openHint?: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class WriteGuard {
  readonly mode: WriteMode;
  readonly #expected: Buffer | null;
  readonly #options: WriteGuardOptions;

  /** Throws ConfigError('allowUnauthenticatedWrites') when both a token and the open option are given. */
  constructor(options: WriteGuardOptions) {
    const token = options.token ?? '';
    if (token !== '' && options.allowUnauthenticatedWrites === true) {
      throw new ConfigError('allowUnauthenticatedWrites', 'a token is set and writes are opened to anyone at once; drop one of the two');
    }
    this.#options = options;
    this.#expected = token === '' ? null : digest(token);
    this.mode = token !== '' ? 'token' : options.allowUnauthenticatedWrites === true ? 'open' : 'refused';
  }

  /** Checks a write's `Authorization` header; null when it may go ahead. */
  check(authorization: string | undefined): WriteRefusal | null {
    if (this.mode === 'open') return null;
    if (this.#expected === null) {
      const open = this.#options.openHint === undefined ? '' : `, or open writes to anyone with ${this.#options.openHint}`;
      return { status: 403, code: 'FORBIDDEN', message: `writes are disabled: this service was started without a token; give it one with ${this.#options.tokenHint}${open}` };
    }
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    // Compare digests so the comparison takes the same time whatever the length of the guess.
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), this.#expected)) {
      return { status: 401, code: 'UNAUTHORIZED', message: 'missing or wrong bearer token: send "Authorization: Bearer <token>"' };
    }
    return null;
  }
}
