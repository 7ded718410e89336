/**
 * What may hold an elector's campaign back (a node being drained, issue 19): while the hold says
 * so, the elector does not campaign, abandons a campaign under way, and steps down from a term it
 * leads (reason `moved`, the lease resigned at once so another node wins without waiting for
 * the TTL); it campaigns again once the hold lifts. Holding back never makes a second leader:
 * it only gives up, never takes.
 */
import type { WatchOptions } from '../contract/contract.js';
import { anySignal } from '../async.js';

/**
 * A predicate with a change notice. `held()` is asked before every campaign and after every
 * notice; `onChange` registers a listener for "held() may have changed" until `options.signal`
 * aborts.
 */
export interface CampaignHold {
  held(): boolean;
  onChange(listener: () => void, options: WatchOptions): void;
  /**
   * Whether a request asks this node to lead next (a leader transfer to it): then the elector
   * does not wait the retry period after a term of its own ends before it campaigns again (that
   * wait only lets others win after a resign; the election decides either way). Optional.
   */
  asked?(): boolean;
  /**
   * Told each time the elector waits held back with nothing under way: its campaign has fully
   * ended (on SQL, its waiter row deleted, so no release can hand it the lease) and it leads no
   * term. A leader transfer's stand-by is written from here, never earlier. Optional.
   */
  idle?(): void;
}

/**
 * Resolves true once `hold` lets the campaign go (at once when it does now), false when `stop`
 * aborts first; tells the hold it is idle (`idle()`) before each wait. Call it only with no
 * campaign and no term under way. Never rejects.
 */
export async function untilFree(hold: CampaignHold | undefined, stop: AbortSignal): Promise<boolean> {
  while (hold?.held() === true) {
    if (stop.aborted) return false;
    hold.idle?.();
    const round = new AbortController();
    try {
      await new Promise<void>((resolve) => {
        const signal = anySignal(stop, round.signal);
        signal.addEventListener('abort', () => resolve(), { once: true });
        hold.onChange(resolve, { signal });
      });
    } finally {
      round.abort();
    }
  }
  return !stop.aborted;
}

/**
 * A signal that aborts as soon as `hold` holds the campaign back; its listener goes when that
 * happens or `until` aborts. With no hold it never aborts.
 */
export function heldBack(hold: CampaignHold | undefined, until: AbortSignal): AbortSignal {
  const held = new AbortController();
  if (hold === undefined) return held.signal;
  const check = () => {
    if (!held.signal.aborted && hold.held()) held.abort(new Error('campaign held back'));
  };
  hold.onChange(check, { signal: anySignal(until, held.signal) });
  check();
  return held.signal;
}

/**
 * A signal that aborts as soon as `hold` asks this node to lead next (at once when it does now);
 * its listener goes when that happens or `until` aborts. Without a hold, or one that never asks,
 * it never aborts.
 */
export function askedToLead(hold: CampaignHold | undefined, until: AbortSignal): AbortSignal {
  const asked = new AbortController();
  if (hold?.asked === undefined) return asked.signal;
  const check = () => {
    if (!asked.signal.aborted && hold.asked?.() === true) asked.abort(new Error('asked to lead'));
  };
  hold.onChange(check, { signal: anySignal(until, asked.signal) });
  check();
  return asked.signal;
}

/** One hold made of several (a drain and a leader transfer): it holds while any of them does. */
export function anyHold(...holds: readonly CampaignHold[]): CampaignHold {
  return {
    held: () => holds.some((hold) => hold.held()),
    asked: () => holds.some((hold) => hold.asked?.() === true),
    idle: () => {
      for (const hold of holds) hold.idle?.();
    },
    onChange: (listener, options) => {
      for (const hold of holds) hold.onChange(listener, options);
    },
  };
}
