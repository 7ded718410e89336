import { UsageError } from './command.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `10s`, `1.5m`, `2h`, `1d` (a bare number is seconds) into milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000)) : NaN;
  if (!(ms > 0)) throw new UsageError(`--${flag} must be a duration such as 500ms, 10s, 2m, 2h or 1d, got ${JSON.stringify(text)}`);
  return ms;
}
