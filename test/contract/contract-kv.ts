import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptDocumentError, isBatonError } from '../../src/errors.js';
import { waitFor } from '../support/wait.js';
import type { ContractContext } from './contract-context.js';

const isCode = (code: string) => (error: unknown) => isBatonError(error) && error.code === code;

/** KV: versions, conditional writes, listing, validation, corrupt documents and watches. */
export function describeKvContract(ctx: ContractContext): void {
  describe('kv', () => {
    afterEach(() => ctx.closeAll());

    it('put and get: versions start at 1 or more and increase on every write', async () => {
      const backend = await ctx.open(ctx.cluster());
      assert.equal(await backend.kv.get('a/x'), null);
      const v1 = await backend.kv.put('a/x', { n: 1 });
      assert.ok(v1 >= 1, `first version ${v1}`);
      const v2 = await backend.kv.put('a/x', { n: 2, list: [1, 'two', null, true] });
      assert.ok(v2 > v1, `version ${v2} after ${v1}`);
      assert.deepEqual(await backend.kv.get('a/x'), { key: 'a/x', value: { n: 2, list: [1, 'two', null, true] }, version: v2 });
      await backend.kv.put('a/scalar', 'text');
      assert.equal((await backend.kv.get('a/scalar'))?.value, 'text');
    });

    it('expectVersion: a match writes, a mismatch rejects VersionConflictError and changes nothing', async () => {
      const backend = await ctx.open(ctx.cluster());
      const v1 = await backend.kv.put('k', 'one', { expectVersion: null });
      const v2 = await backend.kv.put('k', 'two', { expectVersion: v1 });
      assert.ok(v2 > v1);
      await assert.rejects(backend.kv.put('k', 'three', { expectVersion: v1 }), isCode('VERSION_CONFLICT'));
      await assert.rejects(backend.kv.put('k', 'three', { expectVersion: null }), isCode('VERSION_CONFLICT'));
      assert.deepEqual(await backend.kv.get('k'), { key: 'k', value: 'two', version: v2 });
      await assert.rejects(backend.kv.put('absent', 1, { expectVersion: 7 }), isCode('VERSION_CONFLICT'));
      assert.equal(await backend.kv.get('absent'), null);
    });

    it('delete: unconditional, conditional, and of an absent key', async () => {
      const backend = await ctx.open(ctx.cluster());
      const v = await backend.kv.put('d/1', 1);
      await assert.rejects(backend.kv.delete('d/1', { expectVersion: v + 1 }), isCode('VERSION_CONFLICT'));
      assert.equal((await backend.kv.get('d/1'))?.version, v);
      await backend.kv.delete('d/1', { expectVersion: v });
      assert.equal(await backend.kv.get('d/1'), null);
      await backend.kv.put('d/2', 2);
      await backend.kv.delete('d/2');
      assert.equal(await backend.kv.get('d/2'), null);
      await backend.kv.delete('d/never');
    });

    it('versions of a key never repeat: a re-created key continues above every earlier version, so a stale compare-and-set conflicts', async () => {
      const backend = await ctx.open(ctx.cluster());
      const seen: number[] = [];
      const v1 = await backend.kv.put('r/k', 'first', { expectVersion: null });
      seen.push(v1);
      for (let round = 0; round < 2; round++) {
        await backend.kv.delete('r/k', { expectVersion: seen[seen.length - 1] });
        assert.equal(await backend.kv.get('r/k'), null);
        assert.deepEqual(await backend.kv.list('r/'), [], 'a deleted key is listed');
        const again = await backend.kv.put('r/k', `again ${round}`, { expectVersion: null });
        assert.ok(again > Math.max(...seen), `version ${again} after ${seen.join(', ')}`);
        seen.push(again);
        seen.push(await backend.kv.put('r/k', `updated ${round}`, { expectVersion: again }));
      }
      // A writer still holding the first document's version must not overwrite the new one.
      await assert.rejects(backend.kv.put('r/k', 'stale', { expectVersion: v1 }), isCode('VERSION_CONFLICT'));
      await assert.rejects(backend.kv.delete('r/k', { expectVersion: v1 }), isCode('VERSION_CONFLICT'));
      assert.deepEqual(await backend.kv.get('r/k'), { key: 'r/k', value: 'updated 1', version: seen[seen.length - 1] });
      // An unconditional delete and put continue the sequence too.
      await backend.kv.delete('r/k');
      const last = await backend.kv.put('r/k', 'last');
      assert.ok(last > Math.max(...seen), `version ${last} after ${seen.join(', ')}`);
      assert.deepEqual((await backend.kv.list('r/')).map((e) => [e.key, e.version]), [['r/k', last]]);
    });

    it('list(prefix) is sorted by key and prefix-exact', async () => {
      const backend = await ctx.open(ctx.cluster());
      for (const key of ['a/y', 'ab/x', 'a/b/z', 'b/1', 'a/x']) await backend.kv.put(key, key);
      const keys = async (prefix: string) => (await backend.kv.list(prefix)).map((e) => e.key);
      assert.deepEqual(await keys('a/'), ['a/b/z', 'a/x', 'a/y']);
      assert.deepEqual(await keys('a/b/'), ['a/b/z']);
      assert.deepEqual(await keys(''), ['a/b/z', 'a/x', 'a/y', 'ab/x', 'b/1']);
      assert.deepEqual(await keys('zz/'), []);
      const [first] = await backend.kv.list('ab/');
      assert.deepEqual(first, { key: 'ab/x', value: 'ab/x', version: first?.version });
    });

    it('invalid keys and prefixes reject InvalidArgumentError', async () => {
      const backend = await ctx.open(ctx.cluster());
      const invalid = isCode('INVALID_ARGUMENT');
      await assert.rejects(backend.kv.get('has space'), invalid);
      await assert.rejects(backend.kv.put('/leading', 1), invalid);
      await assert.rejects(backend.kv.put('a//b', 1), invalid);
      await assert.rejects(backend.kv.put('a/../b', 1), invalid);
      await assert.rejects(backend.kv.delete(''), invalid);
      await assert.rejects(backend.kv.list('a'), invalid);
      await assert.rejects(backend.kv.list('a//'), invalid);
      assert.deepEqual(await backend.kv.list(''), []);
    });

    it('a corrupt document: get names its key, list skips it and reports it', async () => {
      const cluster = ctx.cluster();
      const backend = await ctx.open(cluster);
      await backend.kv.put('docs/good', { ok: true });
      await ctx.harness.writeRawKv(cluster, 'docs/bad', '{"unterminated": ');
      await assert.rejects(backend.kv.get('docs/bad'), (error: unknown) => error instanceof CorruptDocumentError && error.key === 'docs/bad');
      const reported: string[] = [];
      const entries = await backend.kv.list('docs/', { onCorrupt: (error) => reported.push(error.key) });
      assert.deepEqual(entries.map((e) => e.key), ['docs/good']);
      assert.deepEqual(reported, ['docs/bad']);
    });

    it('watch(prefix) fires after put and delete under the prefix only, never after its signal aborted', async () => {
      const cluster = ctx.cluster();
      const writer = await ctx.open(cluster);
      const watcher = await ctx.open(cluster);
      const watches = new AbortController();
      const barriers = new AbortController();
      let fired = 0;
      let barrierFired = 0;
      watcher.kv.watch('w/', () => fired++, { signal: watches.signal });
      watcher.kv.watch('v/', () => barrierFired++, { signal: barriers.signal });
      try {
        // A write under v/ whose watch has fired: any hint for an earlier write has been delivered.
        let n = 0;
        const barrier = async () => {
          const before = barrierFired;
          await writer.kv.put(`v/${n++}`, n);
          await waitFor('the barrier watch', () => barrierFired > before);
        };
        await barrier();
        const start = fired;
        await writer.kv.put('other/x', 1);
        await writer.kv.put('wx/x', 1);
        await barrier();
        assert.equal(fired, start, 'a write outside the prefix fired the watch');
        await writer.kv.put('w/a', 1);
        await waitFor('the watch after a put', () => fired > start);
        const afterPut = fired;
        await writer.kv.delete('w/a');
        await waitFor('the watch after a delete', () => fired > afterPut);
        watches.abort();
        const afterAbort = fired;
        await writer.kv.put('w/b', 2);
        await barrier();
        assert.equal(fired, afterAbort, 'the watch fired after its signal aborted');
      } finally {
        watches.abort();
        barriers.abort();
      }
    });
  });
}
