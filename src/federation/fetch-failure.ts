/**
 * Why an HTTP request to the directory service never got an answer, in words an operator can
 * act on. Node's fetch rejects with a bare `TypeError: fetch failed` and hides the reason in
 * `cause` (a system error code such as ECONNREFUSED), and a timeout is a `TimeoutError`.
 */

const REASONS: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: 'connection refused: nothing listens there (is "baton directory start" running, on that host and port?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed before an answer came',
});

/** "cannot reach the directory at URL: reason (CODE)", for a rejected fetch. */
export function describeFetchFailure(url: string, error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `the directory at ${url} did not answer within ${timeoutMs} ms`;
  const code = causeCode(error);
  const reason = code === undefined ? undefined : REASONS[code];
  const detail = reason === undefined ? (code ?? messageOf(error)) : `${reason} (${code as string})`;
  return `cannot reach the directory at ${url}: ${detail}`;
}

/** The first system error code along the cause chain (fetch nests it once or twice). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const nested = (current as { errors?: unknown[] }).errors?.[0]; // AggregateError of several addresses
    current = nested ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause?.message;
  return typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error);
}
