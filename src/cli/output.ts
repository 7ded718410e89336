/** Human output: aligned tables. Machine output: one JSON document (or line) per result. */

/** Formats rows as a table with a header, columns padded to the widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Machine output, the one style of every command: compact JSON, one document per line, camelCase keys. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** `http=7400 grpc=9000` from a ports object. */
export function portsText(ports: unknown): string {
  if (typeof ports !== 'object' || ports === null) return '';
  return Object.entries(ports).map(([name, port]) => `${name}=${String(port)}`).join(' ');
}

/** A wall-clock epoch ms as an ISO time (for display only). */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
