/**
 * HandoffSlots told to take thousands of items at once (issue 12): items waiting for a campaign
 * permit are only queued ids. A campaign's signal is made when it runs, so taking 10,000 items
 * with 64 permits makes about 64 of them at a time, not 10,000 that live until the last
 * campaign ran (V8 promoted them into old space: the RSS an idle node kept after placing).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend } from '../../../src/contract/index.js';
import { HandoffSlots } from '../../../src/owned-items/handoff-slots.js';
import { MAX_CAMPAIGNS_IN_FLIGHT } from '../../../src/owned-items/item-campaigns.js';
import type { Held } from '../../../src/holding/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { slowCampaigns, type SlowCampaigns } from '../../support/slow-campaigns.js';
import { numberedItems } from '../../support/numbered-items.js';

const ITEMS = 10_000;
const all = (n: number) => new Set(Array.from({ length: n }, (_, i) => i));

/** Runs `body` with every `new AbortController()` counted (the signals made meanwhile). */
async function countingControllers(body: () => Promise<void>): Promise<number> {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made += 1;
    }
  };
  try {
    await body();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe('HandoffSlots: pending campaigns are queued ids, held items cheap', () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  let backend: Backend | undefined;
  let slots: HandoffSlots<number> | undefined;
  let slow: SlowCampaigns | undefined;
  afterEach(async () => {
    const closing = slots?.close();
    for (let round = 0; round < 100 && slow !== undefined && slow.held > 0; round++) {
      slow.release(); // a held-back answer would hold up the close
      await clock.advance(0);
    }
    await closing;
    await backend?.close();
  });

  async function open(): Promise<{ slow: SlowCampaigns; calls: string[]; started: Map<number, Held> }> {
    backend = store.backend('t');
    slow = slowCampaigns(await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING }));
    const calls: string[] = [];
    const inner = slow.session;
    const session = { ...inner, get lost() { return inner.lost; }, get state() { return inner.state; } };
    session.campaign = (election, info, options) => {
      calls.push(election);
      return inner.campaign(election, info, options);
    };
    const started = new Map<number, Held>();
    slots = new HandoffSlots<number>({
      ...numberedItems(session, clock),
      acquired: (item, held) => void started.set(item, held),
      released: () => undefined,
    });
    return { slow, calls, started };
  }

  it(`${ITEMS} wanted items with ${MAX_CAMPAIGNS_IN_FLIGHT} permits make signals for the running campaigns only, then every item is held once`, async () => {
    const { slow, calls, started } = await open();
    const made = await countingControllers(async () => {
      slots!.want(all(ITEMS));
      for (let round = 0; round < 10; round++) await clock.advance(0);
    });
    assert.equal(slow.held, MAX_CAMPAIGNS_IN_FLIGHT, 'as many campaigns won (answers held back) as permits');
    assert.equal(calls.length, MAX_CAMPAIGNS_IN_FLIGHT, 'no campaign call without a permit');
    // A few per running campaign: its signal, its permit timer's, the backend's for the term it won.
    assert.ok(made <= 8 * MAX_CAMPAIGNS_IN_FLIGHT, `${made} AbortControllers made for ${ITEMS} wanted items`);
    for (let round = 0; round < 2 * ITEMS && started.size < ITEMS; round++) {
      slow.release();
      await clock.advance(0);
    }
    assert.equal(started.size, ITEMS);
    assert.equal(calls.length, ITEMS, 'one campaign call per item');
    assert.equal(slots!.owned().length, ITEMS);
  });

  it('a call that has not settled gives its permit on after one retry period, the oldest first', async () => {
    const { slow, calls } = await open();
    slots!.want(all(3 * MAX_CAMPAIGNS_IN_FLIGHT));
    for (let round = 0; round < 10; round++) await clock.advance(0);
    assert.equal(calls.length, MAX_CAMPAIGNS_IN_FLIGHT, 'every permit taken, every answer held back');
    await clock.advance(DEFAULT_TIMING.retryPeriodMs - 1);
    assert.equal(calls.length, MAX_CAMPAIGNS_IN_FLIGHT, 'not before the retry period');
    await clock.advance(1);
    for (let round = 0; round < 10; round++) await clock.advance(0);
    assert.equal(calls.length, 2 * MAX_CAMPAIGNS_IN_FLIGHT, 'the first permits ran out: as many new calls');
    slow.release(); // every answer: the first calls' permits were given on already, the second ones' now
    for (let round = 0; round < 10; round++) await clock.advance(0);
    assert.equal(calls.length, 3 * MAX_CAMPAIGNS_IN_FLIGHT, 'a permit is given on once, by its timer or by its answer');
  });

  it('items no longer wanted leave the queue without a campaign call; the rest are held', async () => {
    const { slow, calls, started } = await open();
    slots!.want(all(ITEMS));
    await clock.advance(0);
    const keep = new Set([0, 1, ITEMS - 2, ITEMS - 1]);
    slots!.want(keep);
    for (let round = 0; round < 100 && started.size < keep.size; round++) {
      slow.release();
      await clock.advance(0);
    }
    for (let round = 0; round < 100 && slots!.owned().length > keep.size; round++) await clock.advance(0);
    assert.deepEqual(new Set(slots!.owned()), keep);
    assert.equal(calls.length, MAX_CAMPAIGNS_IN_FLIGHT + 2, 'the running ones and the two kept from the queue');
  });

  it('a held item\'s signal is made when first read: read after the release, it has aborted with the release\'s reason', async () => {
    const { slow, started } = await open();
    slots!.want(all(2));
    for (let round = 0; round < 10 && started.size < 2; round++) {
      slow.release();
      await clock.advance(0);
    }
    const early = started.get(0)!.signal; // read while held
    assert.equal(early.aborted, false);
    slots!.want(new Set());
    for (let round = 0; round < 10 && slots!.owned().length > 0; round++) await clock.advance(0);
    assert.equal(early.aborted, true);
    const late = started.get(1)!.signal; // first read after the release
    assert.equal(late.aborted, true);
    assert.match(String((late.reason as Error).message), /item 1 released: moved/);
  });
});
