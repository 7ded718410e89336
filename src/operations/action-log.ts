/**
 * The operator's action log: every verb (drain, leader transfer, maintenance on and off, an
 * automatic freeze) appends who asked, when and what, to one bounded document, so the
 * dashboard, `baton operations log` and the metrics show the same history on every node.
 *
 * The append is a compare-and-set on the version read, retried on a conflict, so two operators
 * acting at once both land. `at` is the writer's wall clock: it is for people reading the log,
 * never for timing anything.
 */
import type { CallOptions, Kv } from '../contract/contract.js';
import { isJsonObject, type Json, type JsonObject } from '../contract/json.js';
import { VersionConflictError } from '../errors.js';
import { ACTION_LOG_KEY } from './operations-layout.js';

/** How many actions the log keeps (the oldest go first); a few KB at most. */
export const ACTION_LOG_LIMIT = 200;
/** A conflict means another writer appended in between; this many tries is far beyond any real contention. */
const APPEND_ATTEMPTS = 10;

export interface OperatorAction {
  /** What was done: 'drain', 'drain-cancel', 'leader-transfer', 'maintenance-on', 'maintenance-off', 'maintenance-auto', ... */
  readonly verb: string;
  /** Who asked: an operator name (operatorName()) or, for automatic actions, the node that acted. */
  readonly by: string;
  /** The writer's wall clock, ISO 8601 (for people only). */
  readonly at: string;
  /** What the verb was asked to do (target node, reason, expiry, ...). */
  readonly detail: JsonObject;
}

/** Appends `action` (with `at` now unless given) and returns it as stored. */
export async function recordAction(kv: Kv, action: Omit<OperatorAction, 'at'> & { readonly at?: string }, options: CallOptions = {}): Promise<OperatorAction> {
  const stored: OperatorAction = { verb: action.verb, by: action.by, at: action.at ?? new Date().toISOString(), detail: action.detail };
  for (let attempt = 1; ; attempt++) {
    const entry = await kv.get(ACTION_LOG_KEY, options);
    const actions = [...(entry === null ? [] : parseActions(entry.value)), stored].slice(-ACTION_LOG_LIMIT);
    try {
      await kv.put(ACTION_LOG_KEY, { actions: actions.map(actionJson) }, { ...options, expectVersion: entry === null ? null : entry.version });
      return stored;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= APPEND_ATTEMPTS) throw error;
    }
  }
}

/** The logged actions, oldest first (an absent log reads as none; entries that do not parse are skipped). */
export async function readActions(kv: Kv, options: CallOptions = {}): Promise<OperatorAction[]> {
  const entry = await kv.get(ACTION_LOG_KEY, options);
  return entry === null ? [] : parseActions(entry.value);
}

function parseActions(value: Json): OperatorAction[] {
  const list = isJsonObject(value) && Array.isArray(value.actions) ? value.actions : [];
  return list.flatMap((item) => {
    if (!isJsonObject(item)) return [];
    const { verb, by, at, detail } = item;
    if (typeof verb !== 'string' || typeof by !== 'string' || typeof at !== 'string' || !isJsonObject(detail)) return [];
    return [{ verb, by, at, detail }];
  });
}

function actionJson(action: OperatorAction): JsonObject {
  return { verb: action.verb, by: action.by, at: action.at, detail: action.detail };
}
