import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingEditor, MAX_WRITE_ATTEMPTS } from '../../../src/directory/routing-editor.js';
import { MemoryDirectoryStore } from '../../../src/directory/directory-store.js';
import type { RoutingData } from '../../../src/federation/routing-data.js';
import { InvalidRoutingDataError, NotFoundError, VersionConflictError } from '../../../src/errors.js';

/** A memory store that lets a test run another write between a read and the write after it. */
class InterleavingStore extends MemoryDirectoryStore {
  beforeWrite: (() => Promise<void>) | undefined;
  writes = 0;
  override async write(namespace: string, data: RoutingData, expectVersion: number | null): Promise<void> {
    this.writes++;
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    await hook?.();
    return super.write(namespace, data, expectVersion);
  }
}

describe('routing editor: read-validate-compare-and-set', () => {
  it('a write that loses the race retries on the newer data, so both updates survive', async () => {
    const store = new InterleavingStore(['ns']);
    const editor = new RoutingEditor(store);
    await editor.addRealm('ns', 'r1');
    store.beforeWrite = async () => {
      // Another writer lands between our read and our write.
      await new RoutingEditor(store).addShardingKey('ns', 'r1', '/theirs');
    };
    const result = await editor.addShardingKey('ns', 'r1', '/ours');
    assert.deepEqual(result.shardingKeys('r1'), ['/ours', '/theirs']);
    assert.deepEqual((await store.read('ns')).data.shardingKeys('r1'), ['/ours', '/theirs']);
    assert.equal(store.writes, 4, 'addRealm, our failed write, their write, our retried write');
  });

  it('a retry re-validates: a key that became nested meanwhile is refused, naming the conflicting key', async () => {
    const store = new InterleavingStore(['ns']);
    const editor = new RoutingEditor(store);
    await editor.addRealm('ns', 'r1');
    store.beforeWrite = async () => {
      await new RoutingEditor(store).addShardingKey('ns', 'r2', '/a');
    };
    await assert.rejects(editor.addShardingKey('ns', 'r1', '/a/b'), (e: unknown) => e instanceof InvalidRoutingDataError && e.conflictingKey === '/a');
    assert.deepEqual((await store.read('ns')).data.toRecord(), { r1: [], r2: ['/a'] });
  });

  it('gives up with VersionConflictError after MAX_WRITE_ATTEMPTS conflicts', async () => {
    const store = new MemoryDirectoryStore(['ns']);
    const editor = new RoutingEditor({
      namespaces: () => store.namespaces(),
      read: (ns) => store.read(ns),
      write: async (ns, _data, expect) => {
        throw new VersionConflictError(ns, expect, (expect ?? 0) + 1);
      },
      close: () => store.close(),
    });
    let reads = 0;
    const counting = new RoutingEditor({
      namespaces: () => store.namespaces(),
      read: (ns) => {
        reads++;
        return store.read(ns);
      },
      write: async (ns, _data, expect) => {
        throw new VersionConflictError(ns, expect, 0);
      },
      close: () => store.close(),
    });
    await assert.rejects(editor.addRealm('ns', 'r1'), VersionConflictError);
    await assert.rejects(counting.addRealm('ns', 'r1'), VersionConflictError);
    assert.equal(reads, MAX_WRITE_ATTEMPTS);
  });

  it('every edit is idempotent (as in Helix): removing what is not there and adding what is there write nothing', async () => {
    const store = new InterleavingStore(['ns']);
    const editor = new RoutingEditor(store);
    await editor.removeRealm('ns', 'r1');
    assert.equal(store.writes, 0);
    await editor.addShardingKey('ns', 'r1', '/a');
    const writes = store.writes;
    await editor.addShardingKey('ns', 'r1', '/a');
    await editor.addRealm('ns', 'r1');
    await editor.removeShardingKey('ns', 'r1', '/b');
    await editor.removeShardingKey('ns', 'r9', '/a');
    assert.equal(store.writes, writes);
    assert.deepEqual((await store.read('ns')).data.toRecord(), { r1: ['/a'] });
  });

  it('a namespace that is not configured is refused, never created by a write', async () => {
    const store = new InterleavingStore(['ns']);
    const editor = new RoutingEditor(store);
    await assert.rejects(editor.addRealm('other', 'r1'), (e: unknown) => e instanceof NotFoundError && /namespace "other" is not served.*serves: ns/.test(e.message));
    assert.equal(store.writes, 0);
  });
});
