/**
 * Hand-written chaos histories for the checker's tests: times in ms from 0, turned into the ns
 * strings the register and the controller write.
 */
import type { ControllerEvent, History, RegisterEvent, RegisterOp, RegisterResult } from '../../chaos/history.js';
import { BOUNDS } from '../../chaos/timing.js';

const ns = (ms: number) => String(BigInt(Math.round(ms * 1_000)) * 1_000n);

export class HistoryBuilder {
  readonly register: RegisterEvent[] = [];
  readonly controller: ControllerEvent[] = [];
  readonly keys: string[];

  constructor(keys: readonly string[] = ['leader']) {
    this.keys = [...keys];
  }

  op(ms: number, op: RegisterOp, key: string, node: string, pid: number, token: number, result: RegisterResult = op === 'end' ? 'noted' : 'accepted'): this {
    this.register.push({ t: ns(ms), op, key, node, pid, token, result });
    return this;
  }

  /** A whole term: begin, a write every 250 ms, end (with the abort reason the node gave). */
  term(key: string, node: string, pid: number, token: number, fromMs: number, toMs: number, reason?: string): this {
    this.op(fromMs, 'begin', key, node, pid, token);
    for (let t = fromMs + 250; t < toMs; t += 250) this.op(t, 'write', key, node, pid, token);
    this.op(toMs, 'end', key, node, pid, token);
    if (reason !== undefined) this.register[this.register.length - 1] = { ...this.register[this.register.length - 1]!, reason };
    return this;
  }

  event(ms: number, ev: ControllerEvent['ev'], extra: Partial<Omit<ControllerEvent, 't' | 'ev'>> = {}): this {
    this.controller.push({ t: ns(ms), ev, ...extra });
    return this;
  }

  build(): History {
    const byTime = <T extends { t: string }>(a: T, b: T) => (BigInt(a.t) < BigInt(b.t) ? -1 : BigInt(a.t) > BigInt(b.t) ? 1 : 0);
    return {
      dir: 'test-history',
      info: { backend: 'memory', fault: 'test', seed: 1, nodes: 2, keys: this.keys, bounds: BOUNDS },
      register: [...this.register].sort(byTime),
      controller: [...this.controller].sort(byTime),
    };
  }
}
