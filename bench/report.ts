/**
 * Writes one benchmark's section into docs/benchmarks.md, replacing the previous run's section
 * of the same name and keeping the others, so `npm run bench -- X` updates only X.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';

const FILE = 'docs/benchmarks.md';
const HEADER = '# Benchmarks\n\nWritten by `npm run bench` (`npm run bench -- <name>` for one section). Figures are from the machine named in each section; targets come from the issues and are never asserted as tests.\n';

export function writeSection(name: string, body: string): void {
  mkdirSync('docs', { recursive: true });
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const machine = `_Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), Node.js ${process.version}._`;
  const section = `${begin}\n${body.trim()}\n\n${machine}\n${end}`;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next);
}

/** The value at quantile q (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A markdown table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
