import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptDocumentError, isBatonError } from '../../src/errors.js';
import { waitFor } from '../support/wait.js';
import type { ContractContext } from './contract-context.js';

/** Members: they live exactly as long as their sessions. */
export function describeMembersContract(ctx: ContractContext): void {
  describe('members', () => {
    afterEach(() => ctx.closeAll());
    // Waits that must end before any record could expire: the last renewal before the event
    // was at most one retry period earlier, so expiry is at least this far away.
    const beforeExpiryMs = () => ctx.timing.ttlMs - ctx.timing.retryPeriodMs;

    it('openSession registers the member with its info; updateInfo is visible to others', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const { session } = await ctx.session(cluster, 'n1', { zone: 'z1' });
      assert.equal(session.nodeId, 'n1');
      assert.equal(session.state, 'live');
      assert.deepEqual(await observer.members(), [{ nodeId: 'n1', sessionId: session.id, info: { host: 'n1', zone: 'z1' } }]);
      await session.updateInfo({ host: 'n1', zone: 'z2', weight: 3 });
      await waitFor('the new info', async () => (await observer.members())[0]?.info['zone'] === 'z2');
      assert.deepEqual((await observer.members())[0]?.info, { host: 'n1', zone: 'z2', weight: 3 });
    });

    it('members are sorted by node id', async () => {
      const cluster = ctx.cluster();
      for (const id of ['n3', 'n1', 'n2']) await ctx.session(cluster, id);
      const observer = await ctx.open(cluster);
      assert.deepEqual((await observer.members()).map((m) => m.nodeId), ['n1', 'n2', 'n3']);
    });

    it('close removes the member at once, without waiting for the TTL', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const { session } = await ctx.session(cluster, 'n1');
      await ctx.session(cluster, 'n2');
      await session.close();
      assert.equal(session.state, 'closed');
      await waitFor('n1 to leave', async () => !(await observer.members()).some((m) => m.nodeId === 'n1'), { timeoutMs: beforeExpiryMs() });
      assert.deepEqual((await observer.members()).map((m) => m.nodeId), ['n2']);
    });

    it('a second live session with the same node id rejects NodeIdInUseError', async () => {
      const cluster = ctx.cluster();
      await ctx.session(cluster, 'twin');
      const other = await ctx.open(cluster);
      await assert.rejects(
        other.openSession({ nodeId: 'twin', info: {}, timing: ctx.timing }),
        (error: unknown) => isBatonError(error, 'NODE_ID_IN_USE'),
      );
      assert.deepEqual((await other.members()).map((m) => m.nodeId), ['twin']);
    });

    it('a member with corrupt info is skipped and reported; the others are still listed', async (t) => {
      const writeRaw = ctx.harness.writeRawMemberInfo;
      if (writeRaw === undefined) {
        t.skip(`${ctx.harness.name} cannot store corrupt member info`);
        return;
      }
      const cluster = ctx.cluster();
      for (const id of ['n1', 'n2', 'n3']) await ctx.session(cluster, id);
      const observer = await ctx.open(cluster);
      await writeRaw.call(ctx.harness, cluster, 'n2', '{"info": ');
      const reported: CorruptDocumentError[] = [];
      const members = await observer.members({ onCorrupt: (error) => reported.push(error) });
      assert.deepEqual(members.map((m) => m.nodeId), ['n1', 'n3']);
      assert.equal(reported.length, 1);
      assert.ok(reported[0] instanceof CorruptDocumentError && reported[0].key.includes('n2'), `reported ${String(reported[0])}`);
      // Without onCorrupt: the same list, and a process warning names the entry.
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        assert.deepEqual((await observer.members()).map((m) => m.nodeId), ['n1', 'n3']);
        await waitFor('the corrupt-member warning', () => warnings.some((w) => w.name === 'BatonCorruptDocument' && w.message.includes('n2')));
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('watchMembers fires on join and on leave', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const watch = new AbortController();
      let fired = 0;
      observer.watchMembers(() => fired++, { signal: watch.signal });
      try {
        const { session } = await ctx.session(cluster, 'joiner');
        await waitFor('a join hint', () => fired > 0);
        const afterJoin = fired;
        await session.close();
        await waitFor('a leave hint', () => fired > afterJoin, { timeoutMs: beforeExpiryMs() });
        assert.deepEqual(await observer.members(), []);
      } finally {
        watch.abort();
      }
    });
  });
}
