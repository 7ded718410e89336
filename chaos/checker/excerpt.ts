/** The lines of a run's histories that show a violation: both files, merged by time. */
import type { History } from '../history.js';
import type { Violation } from './check.js';

/** Context shown around a violation's window, ns. */
const MARGIN_NS = 1_000_000_000n;
const MAX_LINES = 40;

export function excerpt(history: History, violation: Violation): string {
  const origin = BigInt(history.controller[0]?.t ?? history.register[0]?.t ?? '0');
  const from = violation.from - MARGIN_NS;
  const to = violation.to + MARGIN_NS;
  const at = (t: string) => `${(Number((BigInt(t) - origin) / 1_000n) / 1_000).toFixed(3).padStart(12)} ms`;
  const lines: { t: bigint; text: string }[] = [];
  // The fault that was going on when the window opens, if any: it is the cause more often than not.
  const cause = [...history.controller].reverse().find((e) => e.ev === 'fault' && BigInt(e.t) < from);
  for (const e of history.controller) {
    if ((BigInt(e.t) < from && e !== cause) || BigInt(e.t) > to) continue;
    lines.push({ t: BigInt(e.t), text: `${at(e.t)}  controller  ${e.ev}${e.node ? ` ${e.node}` : ''}${e.pid ? ` pid ${e.pid}` : ''}${e.detail ? ` (${e.detail})` : ''}` });
  }
  for (const e of history.register) {
    if (BigInt(e.t) < from || BigInt(e.t) > to) continue;
    if (violation.key !== null && e.key !== violation.key) continue;
    if (e.op === 'write' && e.result === 'accepted') continue; // the begins, ends and refusals tell the story
    lines.push({ t: BigInt(e.t), text: `${at(e.t)}  register    ${e.op} ${e.key} ${e.node} pid ${e.pid} token ${e.token}: ${e.result}${e.reason ? ` (${e.reason})` : ''}` });
  }
  lines.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES / 2), { t: 0n, text: `  ... ${lines.length - MAX_LINES} lines ...` }, ...lines.slice(-MAX_LINES / 2)] : lines;
  return shown.map((l) => `    ${l.text}`).join('\n');
}
