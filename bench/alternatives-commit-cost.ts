/**
 * What one durable commit costs on the local PostgreSQL, beside an asynchronous one, in the
 * same run as `npm run bench -- alternatives`: a graceful handoff of baton on PostgreSQL ends
 * with one durable commit (the new term), which advisory locks never make.
 */
import pg from 'pg';
import { createBenchStore } from './election-stores.js';
import { quantile } from './report.js';

const COMMITS = 200;

export interface CommitCost {
  /** p50 of one single-row UPDATE committed with synchronous_commit on (waits for the WAL flush), ms. */
  readonly durableMs: number;
  /** The same with synchronous_commit off (what baton's graceful release uses), ms. */
  readonly asynchronousMs: number;
}

export async function postgresCommitCost(): Promise<CommitCost> {
  const store = await createBenchStore('postgres');
  const client = new pg.Client({ connectionString: store.url });
  client.on('error', () => undefined); // reported by the query that fails
  try {
    await client.connect();
    await client.query('CREATE TABLE commit_cost (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    await client.query('INSERT INTO commit_cost VALUES (1, 0)');
    const time = async (mode: 'on' | 'off') => {
      await client.query(`SET synchronous_commit = ${mode}`);
      const times: number[] = [];
      for (let i = 0; i < COMMITS; i++) {
        const started = performance.now();
        await client.query('UPDATE commit_cost SET v = v + 1 WHERE id = 1');
        times.push(performance.now() - started);
      }
      return quantile(times, 0.5);
    };
    // Alternated, so both meet the same load.
    const durable: number[] = [];
    const asynchronous: number[] = [];
    for (let round = 0; round < 3; round++) {
      durable.push(await time('on'));
      asynchronous.push(await time('off'));
    }
    return { durableMs: quantile(durable, 0.5), asynchronousMs: quantile(asynchronous, 0.5) };
  } finally {
    await client.end().catch(() => undefined);
    await store.drop();
  }
}
