/**
 * Who leads each table of the demo's partitioned resource, read from a running node's HTTP API
 * (`GET /leader/tables`, Pinot's shape), printed when it changes.
 */
import type { DemoPrinter } from './demo-printer.js';
import { anySignal } from '../../async.js';

/** How long one read of a node's API may take before the next node is tried (ms). */
const READ_TIMEOUT_MS = 1000;

interface LeaderTables {
  readonly leadControllerResourceEnabled: boolean;
  readonly leadControllerEntryMap: Record<string, { readonly leadControllerId: string | null; readonly tableNames: readonly string[] }>;
}

export class TableWatch {
  readonly #printer: DemoPrinter;
  readonly #resource: string;
  /** Table -> leader as last printed. */
  #leaders: Map<string, string | null> | null = null;

  constructor(printer: DemoPrinter, resource: string) {
    this.#printer = printer;
    this.#resource = resource;
  }

  /** Reads the tables from the first node in `urls` that answers; prints what changed. */
  async poll(urls: readonly string[], signal: AbortSignal): Promise<void> {
    for (const url of urls) {
      const view = await read(`${url}/leader/tables?resource=${encodeURIComponent(this.#resource)}`, signal);
      if (view === null) continue;
      this.#show(view);
      return;
    }
  }

  #show(view: LeaderTables): void {
    const now = new Map<string, string | null>();
    for (const [partition, entry] of Object.entries(view.leadControllerEntryMap)) {
      for (const table of entry.tableNames) now.set(`${table} (${partition.replace(/^.*_/, 'partition ')})`, entry.leadControllerId);
    }
    const before = this.#leaders;
    this.#leaders = now;
    if (before === null) {
      const text = [...now].map(([table, leader]) => `${table}: ${leader ?? '(none)'}`).join(' | ');
      this.#printer.say({ event: 'tables', leaders: Object.fromEntries(now) }, `tables of ${this.#resource}: ${text}`);
      return;
    }
    const moves = new Map<string, { from: string | null; to: string | null; tables: string[] }>();
    for (const [table, leader] of now) {
      const was = before.get(table) ?? null;
      if (was === leader) continue;
      const key = `${was}|${leader}`;
      moves.set(key, { from: was, to: leader, tables: [...(moves.get(key)?.tables ?? []), table] });
    }
    for (const { from, to, tables } of moves.values()) {
      this.#printer.say({ event: 'table-leader', tables, from, to }, `tables ${tables.join(', ')}: leader ${from ?? '(none)'} -> ${to ?? '(none, leaderless)'}`);
    }
  }
}

async function read(url: string, signal: AbortSignal): Promise<LeaderTables | null> {
  try {
    const reply = await fetch(url, { signal: anySignal(signal, AbortSignal.timeout(READ_TIMEOUT_MS)) });
    return reply.ok ? ((await reply.json()) as LeaderTables) : null;
  } catch {
    return null;
  }
}
