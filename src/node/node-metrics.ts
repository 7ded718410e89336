import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionState } from '../contract/contract.js';
import type { Clock } from '../clock.js';

const SESSION_STATES: readonly (SessionState | 'none')[] = ['none', 'live', 'suspended', 'lost', 'closed'];

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes may share a process
 * in tests). Features register theirs in `registry` too.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #leader: Gauge;
  readonly #term: Gauge;
  readonly #changes: Counter;
  readonly #renewal: Histogram;
  readonly #session: Gauge;
  readonly #clock: Clock | null;
  /** When the last successful renewal ended, on `clock` (monotonic ms); null before the first. */
  #lastRenewalAt: number | null = null;

  /** `clock` times the last renewal (for `lastRenewalAgeMs`); without one it is not tracked. */
  constructor(labels: { cluster: string; nodeId: string }, clock: Clock | null = null) {
    this.#clock = clock;
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    this.#leader = new Gauge({ name: 'baton_leader', help: '1 while this node leads the cluster, else 0', registers });
    this.#term = new Gauge({ name: 'baton_leader_term', help: 'Term (fencing token) of the current cluster leader seen by this node, 0 when none', registers });
    this.#changes = new Counter({ name: 'baton_leadership_changes_total', help: 'Times this node started or stopped leading', registers });
    this.#renewal = new Histogram({
      name: 'baton_renewal_duration_seconds',
      help: 'Duration of session and lease renewals, by outcome',
      labelNames: ['ok'],
      // Renewals are one round trip to the store: from sub-millisecond (SQLite) to seconds (a struggling database).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#session = new Gauge({ name: 'baton_session_state', help: '1 for the state the node\'s session is in', labelNames: ['state'], registers });
    this.sessionState('none');
    this.#leader.set(0);
    this.#term.set(0);
  }

  leading(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
    this.#changes.inc();
  }

  leaderTerm(term: number): void {
    this.#term.set(term);
  }

  /** For SessionOptions.onRenewal. */
  readonly renewal = (latencyMs: number, ok: boolean): void => {
    this.#renewal.observe({ ok: String(ok) }, latencyMs / 1000);
    if (ok && this.#clock) this.#lastRenewalAt = this.#clock.now();
  };

  /** How long ago the last successful renewal ended (ms), judged now; null before the first. */
  lastRenewalAgeMs(): number | null {
    return this.#clock && this.#lastRenewalAt !== null ? Math.max(0, Math.round(this.#clock.now() - this.#lastRenewalAt)) : null;
  }

  sessionState(state: SessionState | 'none'): void {
    for (const s of SESSION_STATES) this.#session.set({ state: s }, s === state ? 1 : 0);
  }
}
