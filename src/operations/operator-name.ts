/**
 * Who an operator action is logged as: the name given (`--by`, or the HTTP caller's), else
 * BATON_OPERATOR, else `user@host` of the process that asked.
 */
import { hostname, userInfo } from 'node:os';

export function operatorName(given?: string): string {
  const name = given?.trim() || process.env.BATON_OPERATOR?.trim();
  if (name) return name;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): the host still says where the action came from.
  }
  return `${user}@${hostname()}`;
}
