import type { Leadership, Session } from '../../src/contract/contract.js';

/** A session whose campaign answers are held back until released, and the control over them. */
export interface SlowCampaigns {
  readonly session: Session;
  /** Campaigns that won and whose answer is held back now. */
  readonly held: number;
  /** The term most recently won by the wrapped session (answer held back or not). */
  readonly last: Leadership | undefined;
  /** Delivers every answer held back so far. */
  release(): void;
}

/**
 * Wraps `session` so that a won campaign's answer reaches the caller only on `release()`: the
 * pause between sending the take and reading its answer (issue 10, case 3), which the tests
 * fill with time on a FakeClock.
 */
export function slowCampaigns(session: Session): SlowCampaigns {
  const waiting: Array<() => void> = [];
  let last: Leadership | undefined;
  const slow: Session = {
    id: session.id,
    nodeId: session.nodeId,
    timing: session.timing,
    get lost() {
      return session.lost;
    },
    get state() {
      return session.state;
    },
    onStateChange: (listener, options) => session.onStateChange(listener, options),
    updateInfo: (info, options) => session.updateInfo(info, options),
    close: (options) => session.close(options),
    campaign: async (election, info, options): Promise<Leadership> => {
      const leadership = await session.campaign(election, info, options);
      last = leadership;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return leadership;
    },
  };
  return {
    session: slow,
    get held() {
      return waiting.length;
    },
    get last() {
      return last;
    },
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}
