import { RefusedError, StoreUnavailableError } from '../../errors.js';

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

/**
 * Server answers that waiting does not cure, by engine: the database does not exist, the
 * credentials or the privileges are wrong. PostgreSQL SQLSTATEs: 3D000 invalid_catalog_name,
 * 28000 invalid_authorization_specification, 28P01 invalid_password, 42501
 * insufficient_privilege. MySQL/MariaDB errnos: 1044 ER_DBACCESS_DENIED_ERROR, 1045
 * ER_ACCESS_DENIED_ERROR, 1049 ER_BAD_DB_ERROR, 1142 ER_TABLEACCESS_DENIED_ERROR, 1698
 * ER_ACCESS_DENIED_NO_PASSWORD_ERROR (MariaDB's answer to an unknown user).
 */
const PERMANENT: Readonly<Record<string, (driver: Record<string, unknown>) => boolean>> = {
  postgres: (d) => ['3D000', '28000', '28P01', '42501'].includes(String(d['code'])),
  mysql: (d) => [1044, 1045, 1049, 1142, 1698].includes(Number(d['errno'])),
};

/**
 * A failure while opening the store, as the caller should see it: RefusedError with the
 * server's own reason when retrying cannot help (see PERMANENT), else `error` unchanged (a
 * StoreUnavailableError is retried by the caller).
 */
export function refusedOrUnavailable(engine: string, error: unknown): unknown {
  const driver = driverError(error);
  if (driver === undefined || PERMANENT[engine]?.(driver) !== true) return error;
  return new RefusedError(`${engine} refused: ${String(driver['message'] ?? error)}; check store.url (database name, user and password) and the user's privileges`, { cause: error });
}
