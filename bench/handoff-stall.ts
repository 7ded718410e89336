/**
 * A stalled handoff of the handoff A/B (handoff-ab.ts), made diagnosable: a handoff slower than
 * STALL_FACTOR x the TTL, or one that never came (the harness gave up waiting), is reported on
 * stderr with its group's name, and a file is written with what that group's contenders sent
 * since the resign (every report but the leader's acts) and the tail of each one's stderr.
 * A stall was once seen (217 s without a leader, 150 trials a group at load 7-10) and could
 * not be placed: the contenders' output was dropped and the error named the library only.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Contenders } from './alternatives-contenders.js';
import { handoffOnce } from './alternatives-trials.js';

/**
 * A handoff longer than this many TTLs is a stall: baton promises nobody waits past the TTL
 * after a graceful resign (and a waiter re-looks every retry period, TTL / 6), so three TTLs
 * leave room for a loaded machine's scheduling (load 10 on 2 cores) and flag only faults.
 */
const STALL_FACTOR = 3;

export interface StalledGroup {
  readonly name: string;
  readonly c: Contenders;
}

/** One handoff of `group` (handoffOnce), its time in ms; a stall is reported as it ends. */
export async function watchedHandoff(group: StalledGroup, round: number, ttlMs: number): Promise<number> {
  const mark = group.c.mark;
  const startedAt = performance.now();
  let ms: number;
  try {
    ms = await handoffOnce(group.c);
  } catch (error) {
    const file = reportStall(group, round, mark, performance.now() - startedAt, error);
    throw new Error(`group "${group.name}", handoff ${round + 1}: ${error instanceof Error ? error.message : String(error)} (diagnosis: ${file})`, { cause: error });
  }
  if (ms > STALL_FACTOR * ttlMs) {
    const file = reportStall(group, round, mark, ms, undefined);
    console.error(`handoff-ab: group "${group.name}", handoff ${round + 1} took ${(ms / 1000).toFixed(1)} s (over ${STALL_FACTOR} x TTL); diagnosis: ${file}`);
  }
  return ms;
}

/** Writes the stall's diagnosis to a file in the working directory; returns its name. */
function reportStall(group: StalledGroup, round: number, mark: number, ms: number, error: unknown): string {
  const file = `handoff-ab-stall-${process.pid}-${round + 1}.log`;
  const reports = group.c.reports
    .slice(mark)
    .filter((r) => r.event !== 'act')
    .map((r) => `  ${r.at.toFixed(0)} ms ${r.id} ${r.event}${r.outcome === undefined ? '' : ` ${r.outcome}`}${r.message === undefined ? '' : `: ${r.message}`}`);
  const stderr = [...group.c.stderrTails()].map(([id, text]) => `--- ${id} stderr (tail) ---\n${text}`);
  const lines = [
    `group: ${group.name}`,
    `handoff: ${round + 1}, ${(ms / 1000).toFixed(1)} s${error === undefined ? '' : `, failed: ${error instanceof Error ? error.message : String(error)}`}`,
    `1-minute load: ${(os.loadavg()[0] ?? 0).toFixed(1)}; leader before: ${group.c.leader}; contenders alive: ${[...group.c.children.keys()].join(', ')}`,
    'reports since the resign (acts left out):',
    ...reports,
    ...(stderr.length === 0 ? ['(no contender wrote to stderr)'] : stderr),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
