import { StoreUnavailableError } from '../../errors.js';

/** The driver error behind `error`: itself, or the `cause` of the StoreUnavailableError wrapping it. */
export function driverError(error: unknown): Record<string, unknown> | undefined {
  const inner = error instanceof StoreUnavailableError ? error.cause : error;
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
}

/** Wraps a driver failure in StoreUnavailableError, saying which engine and what it was doing. */
export function storeUnavailable(engine: string, doing: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`${engine}: ${doing} failed: ${detail}`, { cause: error });
}
