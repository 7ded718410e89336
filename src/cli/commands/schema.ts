import { schemaDdl } from '../../backends/sql/migrations.js';
import type { DialectName } from '../../backends/sql/dialect.js';
import { UsageError, type Command } from '../command.js';
import { json } from '../output.js';

const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres', 'mysql'];

/** `baton schema --dialect X`: the SQL schema, for DBAs who apply it by hand. */
export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print the SQL schema (DDL) of a dialect, to apply by hand (then run nodes with --store-migrate false)',
  usage: 'baton schema --dialect sqlite|postgres|mysql [--table-prefix PREFIX] [--json]',
  examples: ['baton schema --dialect postgres > baton.sql', 'baton schema --dialect mysql --table-prefix shop_'],
  exitCodes: [
    '0  done',
    '2  usage: missing or unknown --dialect, bad --table-prefix, unknown flag',
  ],
  options: {
    dialect: { type: 'string', help: 'SQL dialect: sqlite, postgres or mysql', value: 'dialect' },
    'table-prefix': { type: 'string', help: 'Table name prefix (default baton_)', value: 'prefix' },
  },
  async run(values, _positionals, io) {
    const dialect = values.dialect;
    if (typeof dialect !== 'string' || !(DIALECTS as readonly string[]).includes(dialect)) {
      throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got ${dialect === undefined ? 'nothing' : JSON.stringify(dialect)}`);
    }
    const prefix = typeof values['table-prefix'] === 'string' ? values['table-prefix'] : undefined;
    const ddl = schemaDdl(dialect as DialectName, prefix);
    io.out(values.json === true ? json({ dialect, tablePrefix: prefix ?? 'baton_', ddl }) : ddl);
    return 0;
  },
};
