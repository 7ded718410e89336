/**
 * Fencing tokens never repeat only if the store never forgets a commit (docs/safety.md
 * rule 6): a lease acquisition lost in a crash would hand the same term out again. Each
 * engine checks its own settings when a connection opens and reports every setting that lets
 * the server lose a committed transaction, once per open, as a process warning. It does not
 * refuse: a test or throw-away cluster may run that way on purpose.
 */
import type { DialectName } from './dialect.js';

/** The warning type, for `process.on('warning')` listeners. */
export const DURABILITY_WARNING = 'BatonDurabilityWarning';

/** One setting that lets the server lose a commit, and what to set instead. */
export interface DurabilityProblem {
  readonly setting: string;
  readonly value: string;
  readonly fix: string;
}

export function warnIfNotDurable(engine: DialectName, problems: readonly DurabilityProblem[]): void {
  if (problems.length === 0) return;
  const found = problems.map((p) => `${p.setting} = ${p.value} (${p.fix})`).join('; ');
  process.emitWarning(
    `the ${engine} server may lose committed transactions after a crash: ${found}. ` +
      'A lost lease acquisition would hand the same fencing token out twice; baton runs, but its fencing guarantee does not hold.',
    DURABILITY_WARNING,
  );
}
