import type { Leadership } from '../../src/contract/index.js';

/**
 * Watches terms of one election held in this process and records every moment at which two of
 * them answered `held()` at once (a double leader). All holders share this process's monotonic
 * clock, so two "held" answers at the same sample are a safety violation, not a clock artefact.
 */
export class HoldMonitor {
  readonly #terms = new Set<Leadership>();
  readonly violations: string[] = [];
  readonly #timer: NodeJS.Timeout;

  /** Samples every `intervalMs` until `stop()`. */
  constructor(intervalMs = 2) {
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  add(term: Leadership): void {
    this.#terms.add(term);
    this.#sample();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
  }

  #sample(): void {
    const held = [...this.#terms].filter((t) => t.held());
    if (held.length > 1) this.violations.push(`terms ${held.map((t) => `${t.term} (${t.fence.sessionId})`).join(' and ')} held at once`);
  }
}
