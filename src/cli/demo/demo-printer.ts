/**
 * The demo's output: one line per event, human text or JSON lines (`--json`). When the reader
 * goes away (`baton demo | head`: EPIPE), printing stops and `onGone` runs once, so the demo
 * stops its nodes instead of crashing.
 */
import type { CliIo } from '../command.js';
import { json } from '../output.js';

export class DemoPrinter {
  readonly #io: CliIo;
  readonly #json: boolean;
  #gone = false;

  constructor(io: CliIo, asJson: boolean) {
    this.#io = io;
    this.#json = asJson;
  }

  /** Watches `stream` (the process's stdout) for a closed reader. */
  watch(stream: NodeJS.WriteStream, onGone: () => void): () => void {
    const onError = (): void => {
      if (this.#gone) return;
      this.#gone = true;
      onGone();
    };
    stream.on('error', onError);
    return () => stream.off('error', onError);
  }

  say(event: Record<string, unknown>, text: string): void {
    if (this.#gone) return;
    const time = new Date().toISOString();
    this.#io.out(this.#json ? json({ time, ...event }) : `${time.slice(11, 23)}  ${text}`);
  }
}

/** Seconds with one decimal, for messages ("6.2 s"). */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "1-3,7" from ids in numeric order. */
export function ranges(ids: readonly string[]): string {
  const sorted = ids.map(Number).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j += 1;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',') || '-';
}
