/** The result table: one row per backend and fault, summed over its runs. */
import type { RunVerdict } from './check.js';

export interface Row {
  readonly backend: string;
  readonly fault: string;
  runs: number;
  faults: number;
  overlaps: number;
  staleAccepted: number;
  staleRefused: number;
  worstGapMs: number;
  worstGapBoundMs: number;
  worstRatio: number;
  orphans: number;
  /** The clock was pushed beyond the assumed bound on purpose. */
  readonly breaksBound: boolean;
}

export function rows(verdicts: readonly RunVerdict[]): Row[] {
  const byCell = new Map<string, Row>();
  for (const v of verdicts) {
    const { backend, fault } = v.history.info;
    const id = `${backend}\u0000${fault}`;
    const row = byCell.get(id) ?? { backend, fault, runs: 0, faults: 0, overlaps: 0, staleAccepted: 0, staleRefused: 0, worstGapMs: 0, worstGapBoundMs: 0, worstRatio: -1, orphans: 0, breaksBound: v.history.info.expectViolations === true };
    row.runs++;
    row.faults += v.faults;
    row.overlaps += v.overlaps;
    row.staleAccepted += v.staleAccepted;
    row.staleRefused += v.staleRefused;
    row.orphans += v.orphans;
    const ratio = v.worstGapBoundMs > 0 ? v.worstGapMs / v.worstGapBoundMs : 0;
    if (ratio > row.worstRatio) {
      row.worstRatio = ratio;
      row.worstGapMs = v.worstGapMs;
      row.worstGapBoundMs = v.worstGapBoundMs;
    }
    byCell.set(id, row);
  }
  return [...byCell.values()];
}

const HEADER = ['backend', 'fault', 'runs', 'faults injected', 'overlaps', 'stale writes accepted', 'stale writes refused', 'worst time without holder / bound (ms)', 'orphans'];

function cells(row: Row): string[] {
  const note = row.breaksBound ? ' (bound broken on purpose)' : '';
  const worst = row.worstGapBoundMs === 0 ? 'never without one' : `${row.worstGapMs} / ${row.worstGapBoundMs}`;
  return [row.backend, row.fault + note, String(row.runs), String(row.faults), String(row.overlaps), String(row.staleAccepted), String(row.staleRefused), worst, String(row.orphans)];
}

export function textTable(all: readonly Row[]): string {
  const lines = [HEADER, ...all.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

export function markdownTable(all: readonly Row[]): string {
  const line = (cs: readonly string[]) => `| ${cs.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...all.map((r) => line(cells(r)))].join('\n');
}
