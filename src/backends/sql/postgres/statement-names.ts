/**
 * Names for PostgreSQL prepared statements, one per distinct statement text. A named statement
 * is parsed, analysed and (after PostgreSQL's first few custom plans) planned once per pooled
 * connection instead of once per call. That server CPU sits on the path of every handoff (the
 * waiter's take, the holder's release) and counts most when the machine is busy: interleaved
 * with advisory-lock at a load average of 8-13 on 2 cores, baton's handoff p50 went from
 * 6.3-7.6 ms to 4.7-5.6 ms (docs/benchmarks.md, handoff-ab).
 *
 * Why this is safe with baton's statements: each touches rows by primary key (or scans a
 * cluster's rows with SUBSTR, which no plan indexes), so a generic plan is the custom one; each
 * names its result columns, so a migration that adds a column (the only kind baton has) does
 * not change a prepared statement's result type; PostgreSQL re-plans a prepared statement when
 * a table it reads changes.
 */

/**
 * How many distinct texts get a name, process-wide. baton sends a few dozen; the cap only keeps
 * a caller that builds texts with values inside (none does today) from growing every pooled
 * connection's prepared statements without bound: texts past it run unnamed, as before.
 */
const MAX_NAMED_STATEMENTS = 256;

export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #max: number;

  constructor(max = MAX_NAMED_STATEMENTS) {
    this.#max = max;
  }

  /** The name of `text` (the same for the same text), or undefined once the cap is reached. */
  nameOf(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.#max) {
      name = `baton_${this.#names.size}`;
      this.#names.set(text, name);
    }
    return name;
  }
}
