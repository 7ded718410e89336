/**
 * The column types one SQL engine uses for the shared layout: each dialect's ddl.ts supplies
 * them, migrations.ts writes the layout once over them.
 */
export interface ColumnTypes {
  /** Cluster names, node ids, session ids: short ASCII compared byte by byte. */
  readonly name: string;
  /** KV keys and election names: up to 512 ASCII characters compared byte by byte. */
  readonly key: string;
  /** Versions, terms and epoch-millisecond times. */
  readonly integer: string;
  /** JSON documents (stored as text, validated on read). */
  readonly document: string;
  /** Appended after a CREATE TABLE's closing parenthesis. */
  readonly tableOptions: string;
  /**
   * Written after CREATE INDEX: ' IF NOT EXISTS' where the engine knows it, else '' (MySQL; an
   * index already there is then told apart by {@link SqlDialect.isAlreadyApplied}).
   */
  readonly indexIfNotExists: string;
}
