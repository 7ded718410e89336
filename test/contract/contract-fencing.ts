import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBatonError } from '../../src/errors.js';
import { withTimeout } from '../support/wait.js';
import { track, type ContractContext } from './contract-context.js';

const ELECTION = 'fence-test';
const isFenced = (error: unknown) => isBatonError(error, 'FENCED');

/** Fenced writes: land while the term is held, never after it ended. */
export function describeFencingContract(ctx: ContractContext): void {
  describe('fenced writes', () => {
    afterEach(() => ctx.closeAll());

    it("the leader's fenced put and delete land", async () => {
      const cluster = ctx.cluster();
      const { backend, session } = await ctx.session(cluster, 'n1');
      const { fence } = await session.campaign(ELECTION, { host: 'n1' });
      const version = await backend.kv.put('f/x', { by: 'n1' }, { fence });
      assert.deepEqual(await backend.kv.get('f/x'), { key: 'f/x', value: { by: 'n1' }, version });
      await backend.kv.put('f/y', 1, { fence, expectVersion: null });
      await backend.kv.delete('f/y', { fence });
      assert.equal(await backend.kv.get('f/y'), null);
    });

    it('a fence naming an election nobody holds rejects FencedError', async () => {
      const { backend, session } = await ctx.session(ctx.cluster(), 'n1');
      const fence = { election: 'nobody-leads', term: 1, sessionId: session.id };
      await assert.rejects(backend.kv.put('f/x', 1, { fence }), isFenced);
      assert.equal(await backend.kv.get('f/x'), null);
    });

    it('after resign, fenced writes reject FencedError and change nothing', async () => {
      const cluster = ctx.cluster();
      const { backend, session } = await ctx.session(cluster, 'n1');
      const leadership = await session.campaign(ELECTION, { host: 'n1' });
      const version = await backend.kv.put('f/x', 'before', { fence: leadership.fence });
      await leadership.resign();
      await assert.rejects(backend.kv.put('f/x', 'after', { fence: leadership.fence }), isFenced);
      await assert.rejects(backend.kv.delete('f/x', { fence: leadership.fence }), isFenced);
      await assert.rejects(backend.kv.put('f/new', 'after', { fence: leadership.fence }), isFenced);
      assert.deepEqual(await backend.kv.get('f/x'), { key: 'f/x', value: 'before', version });
      assert.equal(await backend.kv.get('f/new'), null);
    });

    it("after another session took over, the old term's writes reject FencedError; the new term's land", async () => {
      const cluster = ctx.cluster();
      const a = await ctx.session(cluster, 'a');
      const b = await ctx.session(cluster, 'b');
      const first = await a.session.campaign(ELECTION, { host: 'a' });
      const waiting = track(b.session.campaign(ELECTION, { host: 'b' }));
      await a.backend.kv.put('f/owner', 'a', { fence: first.fence });
      await first.resign();
      const second = await withTimeout('the takeover', waiting.promise, ctx.timing.ttlMs - ctx.timing.retryPeriodMs);
      await assert.rejects(a.backend.kv.put('f/owner', 'a again', { fence: first.fence }), isFenced);
      assert.equal((await b.backend.kv.get('f/owner'))?.value, 'a');
      await b.backend.kv.put('f/owner', 'b', { fence: second.fence });
      assert.equal((await a.backend.kv.get('f/owner'))?.value, 'b');
      const forged = { ...second.fence, sessionId: a.session.id };
      await assert.rejects(a.backend.kv.put('f/owner', 'forged', { fence: forged }), isFenced);
      assert.equal((await a.backend.kv.get('f/owner'))?.value, 'b');
    });
  });
}
