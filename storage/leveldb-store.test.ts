import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../server/api/types.js';
import { StoreError, type Store, type StoreEvent } from './store.js';
import { openLevelStore, type LevelStoreOptions } from './leveldb-store.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kage-store-test-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store in a fresh temp dir, runs fn, closes the store. */
async function withStore(opts: LevelStoreOptions, fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const store = await openLevelStore(dir, opts);
  try {
    await fn(store, dir);
  } finally {
    await store.close();
  }
}

function cm(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

async function rejectsWith(p: Promise<unknown> | (() => unknown), code: string): Promise<StoreError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StoreError, `expected StoreError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function collect(store: Store, prefix: string, after: number): { events: StoreEvent[]; stop: () => void } {
  const events: StoreEvent[] = [];
  const w = store.watch(prefix, after, (e) => events.push(e));
  return { events, stop: () => w.stop() };
}

describe('LevelDB store: basic operations', () => {
  test('create, get, update, delete with resourceVersion stamping', async () => {
    await withStore({}, async (store) => {
      assert.equal(store.currentRevision(), 0);
      const obj = cm('a', { x: '1' });
      const created = await store.create('/registry/configmaps/default/a', obj);
      assert.equal(created.revision, 1);
      assert.equal(created.createRevision, 1);
      assert.equal(created.key, '/registry/configmaps/default/a');
      assert.equal(created.object.metadata.resourceVersion, '1');
      assert.equal(created.json, JSON.stringify(created.object));
      assert.equal(JSON.parse(created.json).metadata.resourceVersion, '1');
      assert.equal(store.currentRevision(), 1);

      const got = await store.get('/registry/configmaps/default/a');
      assert.equal(got, created);
      assert.equal(await store.get('/registry/configmaps/default/missing'), undefined);

      await store.create('/registry/configmaps/default/b', cm('b'));
      const upd = await store.update('/registry/configmaps/default/a', { ...cm('a', { x: '2' }), metadata: { name: 'a', resourceVersion: '999' } });
      assert.equal(upd.revision, 3);
      assert.equal(upd.createRevision, 1);
      assert.equal(upd.object.metadata.resourceVersion, '3');
      assert.deepEqual(upd.object.data, { x: '2' });
      assert.equal(JSON.parse(upd.json).metadata.resourceVersion, '3');
      assert.equal((await store.get('/registry/configmaps/default/a'))?.revision, 3);

      const del = await store.delete('/registry/configmaps/default/a');
      assert.equal(del.revision, 4);
      assert.equal(del.object.metadata.resourceVersion, '4');
      assert.deepEqual(del.object.data, { x: '2' });
      assert.equal(JSON.parse(del.json).metadata.resourceVersion, '4');
      assert.equal(await store.get('/registry/configmaps/default/a'), undefined);
      assert.equal(store.currentRevision(), 4);
      // Recreating starts a new life: new createRevision.
      const again = await store.create('/registry/configmaps/default/a', cm('a'));
      assert.equal(again.revision, 5);
      assert.equal(again.createRevision, 5);
    });
  });

  test('error codes: AlreadyExists, NotFound, Conflict; failures do not bump the revision', async () => {
    await withStore({}, async (store) => {
      const r = await store.create('/k/a', cm('a'));
      await rejectsWith(store.create('/k/a', cm('a')), 'AlreadyExists');
      await rejectsWith(store.update('/k/missing', cm('missing')), 'NotFound');
      await rejectsWith(store.delete('/k/missing'), 'NotFound');
      await rejectsWith(store.update('/k/a', cm('a'), r.revision + 1), 'Conflict');
      await rejectsWith(store.delete('/k/a', r.revision + 1), 'Conflict');
      assert.equal(store.currentRevision(), 1);
      assert.equal((await store.get('/k/a'))?.revision, 1);

      const u = await store.update('/k/a', cm('a', { v: '2' }), r.revision);
      assert.equal(u.revision, 2);
      await rejectsWith(store.update('/k/a', cm('a'), r.revision), 'Conflict');
      await store.delete('/k/a', u.revision);
      assert.equal(await store.get('/k/a'), undefined);
    });
  });

  test('a rejected create leaves the caller object untouched', async () => {
    await withStore({}, async (store) => {
      await store.create('/k/a', cm('a'));
      const obj = cm('a');
      await rejectsWith(store.create('/k/a', obj), 'AlreadyExists');
      assert.equal(obj.metadata.resourceVersion, undefined);
    });
  });

  test('writes issued together are validated in order (same-batch conflicts)', async () => {
    await withStore({}, async (store) => {
      const results = await Promise.allSettled([
        store.create('/k/a', cm('a')),
        store.create('/k/a', cm('a')),
        store.update('/k/a', cm('a', { v: '2' }), 1),
        store.update('/k/a', cm('a', { v: '3' }), 1),
        store.delete('/k/a', 2),
        store.update('/k/a', cm('a')),
      ]);
      const summary = results.map((r) => (r.status === 'fulfilled' ? r.value.revision : (r.reason as StoreError).code));
      assert.deepEqual(summary, [1, 'AlreadyExists', 2, 'Conflict', 3, 'NotFound']);
      assert.equal(store.currentRevision(), 3);
    });
  });

  test('stored objects are frozen by default, also after reopen; freeze: false opts out', async () => {
    await withStore({ freeze: false }, async (store) => {
      const r = await store.create('/k/a', cm('a'));
      assert.equal(Object.isFrozen(r.object), false);
    });
    const dir = await tempDir();
    const first = await openLevelStore(dir);
    const mine = cm('mine', { x: '1' });
    await first.create('/k/mine', mine);
    assert.throws(() => {
      mine.metadata.labels = {};
    }, TypeError, 'the caller object now belongs to the store');
    await first.close();
    const reopened = await openLevelStore(dir);
    try {
      const loaded = (await reopened.get('/k/mine'))!;
      assert.ok(Object.isFrozen(loaded.object) && Object.isFrozen(loaded.object.data));
    } finally {
      await reopened.close();
    }
    await withStore({}, async (store) => {
      const r = await store.create('/k/a', cm('a', { x: '1' }));
      assert.throws(() => {
        (r.object.metadata as { name?: string }).name = 'b';
      }, TypeError);
      assert.throws(() => {
        (r.object.data as Record<string, string>).x = '2';
      }, TypeError);
      const d = await store.delete('/k/a');
      assert.ok(Object.isFrozen(d.object) && Object.isFrozen(d.object.metadata));
    });
  });
});

describe('LevelDB store: persistence', () => {
  test('data and revision survive close and reopen; the sequence continues', async () => {
    const dir = await tempDir();
    let store = await openLevelStore(dir);
    await store.create('/k/a', cm('a', { v: '1' }));
    await store.create('/k/b', cm('b'));
    await store.update('/k/a', cm('a', { v: '2' }));
    await store.create('/k/c', cm('c'));
    await store.delete('/k/c'); // the newest write is a delete: its revision must persist too
    assert.equal(store.currentRevision(), 5);
    await store.close();

    store = await openLevelStore(dir);
    try {
      assert.equal(store.currentRevision(), 5);
      assert.equal(store.oldestRevision(), 5);
      const a = await store.get('/k/a');
      assert.equal(a?.revision, 3);
      assert.equal(a?.createRevision, 1);
      assert.deepEqual(a?.object.data, { v: '2' });
      assert.equal(a?.object.metadata.resourceVersion, '3');
      assert.equal(a?.json, JSON.stringify(a?.object));
      assert.equal((await store.get('/k/b'))?.revision, 2);
      assert.equal(await store.get('/k/c'), undefined);
      const listed = await store.list({ prefix: '/k/' });
      assert.deepEqual(listed.records.map((r) => r.key), ['/k/a', '/k/b']);
      const d = await store.create('/k/d', cm('d'));
      assert.equal(d.revision, 6);
    } finally {
      await store.close();
    }

    store = await openLevelStore(dir);
    try {
      assert.equal(store.currentRevision(), 6);
    } finally {
      await store.close();
    }
  });

  test('a failed LevelDB batch publishes nothing and gives its revisions back', async () => {
    await withStore({}, async (store) => {
      await store.create('/k/a', cm('a'));
      const w = collect(store, '/k/', 1);
      await tick();
      const db = (store as unknown as { db: { batch: (...args: unknown[]) => Promise<void> } }).db;
      const realBatch = db.batch;
      let seen: string[] = [];
      db.batch = async (ops: unknown) => {
        seen = (ops as { key: string }[]).map((o) => o.key);
        throw new Error('disk on fire');
      };
      const results = await Promise.allSettled([store.create('/k/b', cm('b')), store.update('/k/a', cm('a')), store.create('/k/a', cm('a'))]);
      assert.deepEqual(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')), ['disk on fire', 'disk on fire', '/k/a already exists']);
      assert.deepEqual(seen, ['o/k/b', 'o/k/a', 'mrevision'], 'one batch with both writes and the revision');
      db.batch = realBatch;
      assert.equal(store.currentRevision(), 1);
      assert.equal(await store.get('/k/b'), undefined);
      assert.equal(w.events.length, 0);
      const b = await store.create('/k/b', cm('b'));
      assert.equal(b.revision, 2);
      assert.deepEqual(w.events.map((e) => e.revision), [2]);
      w.stop();
    });
  });

  test('close waits for pending writes, then further calls throw Closed', async () => {
    const dir = await tempDir();
    const store = await openLevelStore(dir);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) writes.push(store.create(`/k/${String(i).padStart(3, '0')}`, cm(`n${i}`)));
    let settled = 0;
    for (const w of writes) void w.then(() => settled++);
    await store.close();
    assert.equal(settled, 200, 'every write settled before close resolved');
    await Promise.all(writes);

    await rejectsWith(store.create('/k/x', cm('x')), 'Closed');
    await rejectsWith(store.update('/k/000', cm('x')), 'Closed');
    await rejectsWith(store.delete('/k/000'), 'Closed');
    await rejectsWith(store.get('/k/000'), 'Closed');
    await rejectsWith(store.list({ prefix: '/k/' }), 'Closed');
    await rejectsWith(store.compact(1), 'Closed');
    await rejectsWith(() => store.watch('/k/', 0, () => {}), 'Closed');
    await rejectsWith(() => store.currentRevision(), 'Closed');
    await store.close(); // idempotent

    const reopened = await openLevelStore(dir);
    try {
      assert.equal(reopened.currentRevision(), 200);
      assert.equal((await reopened.list({ prefix: '/k/' })).records.length, 200);
    } finally {
      await reopened.close();
    }
  });
});

describe('LevelDB store: list', () => {
  test('prefix isolation and sorted order', async () => {
    await withStore({}, async (store) => {
      for (const k of ['/ab/x', '/a/c', '/a/a', '/a', '/b/a', '/a/b/deep', '/a/b']) await store.create(k, cm(k));
      const a = await store.list({ prefix: '/a/' });
      assert.deepEqual(a.records.map((r) => r.key), ['/a/a', '/a/b', '/a/b/deep', '/a/c']);
      assert.equal(a.revision, 7);
      assert.equal(a.nextKey, undefined);
      assert.equal(a.remaining, undefined);
      assert.deepEqual((await store.list({ prefix: '/ab/' })).records.map((r) => r.key), ['/ab/x']);
      assert.deepEqual((await store.list({ prefix: '/c/' })).records, []);
      assert.equal((await store.list({ prefix: '' })).records.length, 7);
      assert.equal((await store.list({ prefix: '/a/', limit: 0 })).records.length, 4);
    });
  });

  test('limit, startKey, nextKey and remaining page through everything', async () => {
    await withStore({}, async (store) => {
      const keys: string[] = [];
      for (let i = 0; i < 25; i++) keys.push(`/p/${String(i).padStart(2, '0')}`);
      for (const k of [...keys].reverse()) await store.create(k, cm(k));
      await store.create('/q/00', cm('other'));

      const first = await store.list({ prefix: '/p/', limit: 10 });
      assert.deepEqual(first.records.map((r) => r.key), keys.slice(0, 10));
      assert.equal(first.nextKey, '/p/10');
      assert.equal(first.remaining, 15);

      const second = await store.list({ prefix: '/p/', limit: 10, startKey: first.nextKey });
      assert.deepEqual(second.records.map((r) => r.key), keys.slice(10, 20));
      assert.equal(second.nextKey, '/p/20');
      assert.equal(second.remaining, 5);

      const third = await store.list({ prefix: '/p/', limit: 10, startKey: second.nextKey });
      assert.deepEqual(third.records.map((r) => r.key), keys.slice(20));
      assert.equal(third.nextKey, undefined);
      assert.equal(third.remaining, undefined);

      const exact = await store.list({ prefix: '/p/', limit: 25 });
      assert.equal(exact.records.length, 25);
      assert.equal(exact.nextKey, undefined);

      // A startKey that is not itself stored starts at the next key.
      const mid = await store.list({ prefix: '/p/', startKey: '/p/105', limit: 2 });
      assert.deepEqual(mid.records.map((r) => r.key), ['/p/11', '/p/12']);
      assert.equal(mid.remaining, 12);
      // A startKey past the prefix range gives nothing.
      assert.deepEqual((await store.list({ prefix: '/p/', startKey: '/q/' })).records, []);
    });
  });

  test('list at a past revision sees old values, excludes later creations, includes later deletions', async () => {
    await withStore({}, async (store) => {
      await store.create('/p/a', cm('a', { v: 'old' }));
      await store.create('/p/b', cm('b'));
      await store.create('/p/d', cm('d'));
      await store.create('/x/a', cm('x'));
      const rev = store.currentRevision();

      await store.update('/p/a', cm('a', { v: 'new' }));
      await store.delete('/p/b');
      await store.create('/p/c', cm('c'));
      await store.delete('/p/d');
      await store.create('/p/d', cm('d', { v: 'reborn' }));
      await store.create('/p/0', cm('0'));

      const now = await store.list({ prefix: '/p/' });
      assert.deepEqual(now.records.map((r) => r.key), ['/p/0', '/p/a', '/p/c', '/p/d']);

      const then = await store.list({ prefix: '/p/', revision: rev });
      assert.equal(then.revision, rev);
      assert.deepEqual(then.records.map((r) => r.key), ['/p/a', '/p/b', '/p/d']);
      assert.deepEqual(then.records[0]!.object.data, { v: 'old' });
      assert.equal(then.records[0]!.revision, 1);
      assert.equal(then.records[1]!.revision, 2);
      assert.deepEqual(then.records[2]!.object.data, {});
      assert.equal(then.records[2]!.createRevision, 3);

      // Paging at that revision: continue tokens carry (nextKey, revision).
      const p1 = await store.list({ prefix: '/p/', revision: rev, limit: 1 });
      assert.deepEqual(p1.records.map((r) => r.key), ['/p/a']);
      assert.equal(p1.nextKey, '/p/b');
      assert.equal(p1.remaining, 2);
      const p2 = await store.list({ prefix: '/p/', revision: rev, limit: 1, startKey: p1.nextKey });
      assert.deepEqual(p2.records.map((r) => r.key), ['/p/b']);
      assert.equal(p2.nextKey, '/p/d');
      assert.equal(p2.remaining, 1);
      const p3 = await store.list({ prefix: '/p/', revision: rev, limit: 1, startKey: p2.nextKey });
      assert.deepEqual(p3.records.map((r) => r.key), ['/p/d']);
      assert.equal(p3.nextKey, undefined);

      // Equal to current is the current state.
      const cur = await store.list({ prefix: '/p/', revision: store.currentRevision() });
      assert.deepEqual(cur.records, now.records);
      // Every intermediate revision matches a replay of the history.
      for (let r = rev; r <= store.currentRevision(); r++) {
        const res = await store.list({ prefix: '/p/', revision: r, limit: 2 });
        assert.equal(res.revision, r);
        assert.ok(res.records.every((rec) => rec.revision <= r));
      }
    });
  });

  test('paging at every past revision matches a model of the history (randomized)', async () => {
    await withStore({ sync: false }, async (store) => {
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
      const model = new Map<string, number>(); // key -> revision of its current state
      const snapshots: Map<string, number>[] = [new Map()];
      for (let i = 0; i < 300; i++) {
        const key = `/m/${String.fromCharCode(97 + rand(20))}${rand(3)}`;
        if (!model.has(key)) model.set(key, (await store.create(key, cm(key))).revision);
        else if (rand(3) === 0) (await store.delete(key), model.delete(key));
        else model.set(key, (await store.update(key, cm(key, { i: String(i) }))).revision);
        await store.create(`/n/${i}`, cm('noise'));
        snapshots[store.currentRevision() - 1] = new Map(model);
        snapshots[store.currentRevision()] = new Map(model);
      }
      for (let rev = 0; rev <= store.currentRevision(); rev += 1 + rand(5)) {
        const want = [...snapshots[rev]!.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
        const limit = 1 + rand(12);
        const got: [string, number][] = [];
        let startKey: string | undefined;
        for (;;) {
          const page = await store.list({ prefix: '/m/', limit, revision: rev, ...(startKey ? { startKey } : {}) });
          assert.equal(page.revision, Math.min(rev, store.currentRevision()));
          for (const r of page.records) got.push([r.key, r.revision]);
          if (!page.nextKey) break;
          assert.equal(page.remaining, want.length - got.length, `remaining at revision ${rev}`);
          startKey = page.nextKey;
        }
        assert.deepEqual(got, want, `state at revision ${rev}`);
      }
    });
  });

  test('list at a revision older than the history window is Expired', async () => {
    await withStore({ historySize: 3 }, async (store) => {
      for (let i = 0; i < 6; i++) await store.create(`/p/${i}`, cm(`${i}`));
      assert.equal(store.oldestRevision(), 3);
      const err = await rejectsWith(store.list({ prefix: '/p/', revision: 2 }), 'Expired');
      assert.equal(err.oldestRevision, 3);
      const ok = await store.list({ prefix: '/p/', revision: 3 });
      assert.deepEqual(ok.records.map((r) => r.key), ['/p/0', '/p/1', '/p/2']);
    });
  });
});

describe('LevelDB store: watch', () => {
  test('replays history after a revision, then delivers live events in order, filtered by prefix', async () => {
    await withStore({}, async (store) => {
      await store.create('/w/a', cm('a'));
      const from = store.currentRevision();
      await store.create('/w/b', cm('b'));
      await store.create('/other/x', cm('x'));
      await store.update('/w/a', cm('a', { v: '2' }));

      const w = collect(store, '/w/', from);
      const all = collect(store, '', 0);
      assert.equal(w.events.length, 0, 'replay is not delivered before watch() returns');
      await tick();
      assert.deepEqual(w.events.map((e) => [e.type, e.key, e.revision]), [
        ['ADDED', '/w/b', 2],
        ['MODIFIED', '/w/a', 4],
      ]);
      assert.equal(w.events[1]!.prev?.revision, 1);
      assert.equal(w.events[1]!.record.object.metadata.resourceVersion, '4');
      assert.equal(all.events.length, 4);

      await store.create('/w/c', cm('c'));
      await store.create('/wx/c', cm('c'));
      await store.delete('/w/b');
      assert.deepEqual(w.events.map((e) => [e.type, e.key, e.revision]), [
        ['ADDED', '/w/b', 2],
        ['MODIFIED', '/w/a', 4],
        ['ADDED', '/w/c', 5],
        ['DELETED', '/w/b', 7],
      ]);
      assert.deepEqual(all.events.map((e) => e.revision), [1, 2, 3, 4, 5, 6, 7]);
      w.stop();
      all.stop();
    });
  });

  test('live events are delivered before the write resolves; events written concurrently stay ordered', async () => {
    await withStore({}, async (store) => {
      const w = collect(store, '/w/', 0);
      await tick();
      await store.create('/w/a', cm('a'));
      assert.equal(w.events.length, 1);
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(`/w/n${i}`, cm(`n${i}`))));
      assert.deepEqual(w.events.map((e) => e.revision), Array.from({ length: 51 }, (_, i) => i + 1));
      w.stop();
    });
  });

  test('events written between watch() and the replay are not lost or duplicated', async () => {
    await withStore({}, async (store) => {
      await store.create('/w/a', cm('a'));
      const w = collect(store, '/w/', 0);
      const p = store.create('/w/b', cm('b'));
      await p;
      await tick();
      assert.deepEqual(w.events.map((e) => e.revision), [1, 2]);
      w.stop();
    });
  });

  test('a watch started from inside a listener gets each event exactly once', async () => {
    await withStore({}, async (store) => {
      const inner: StoreEvent[] = [];
      const outer = store.watch('/w/', 0, (e) => {
        if (e.revision === 1) store.watch('/w/', 0, (ie) => inner.push(ie));
      });
      await tick();
      await store.create('/w/a', cm('a'));
      await store.create('/w/b', cm('b'));
      await tick();
      assert.deepEqual(inner.map((e) => e.revision), [1, 2]);
      outer.stop();
    });
  });

  test('a watch from a revision ahead of the store skips events up to it', async () => {
    await withStore({}, async (store) => {
      const w = collect(store, '/w/', 2);
      await tick();
      for (const k of ['a', 'b', 'c']) await store.create(`/w/${k}`, cm(k));
      assert.deepEqual(w.events.map((e) => e.revision), [3]);
      w.stop();
    });
  });

  test('DELETED carries the delete revision with the last state, and prev', async () => {
    await withStore({}, async (store) => {
      await store.create('/w/a', cm('a', { v: '1' }));
      await store.update('/w/a', cm('a', { v: '2' }));
      const w = collect(store, '/w/', store.currentRevision());
      await tick();
      const del = await store.delete('/w/a');
      assert.equal(w.events.length, 1);
      const ev = w.events[0]!;
      assert.equal(ev.type, 'DELETED');
      assert.equal(ev.revision, 3);
      assert.equal(ev.record, del);
      assert.equal(ev.record.revision, 3);
      assert.equal(ev.record.createRevision, 1);
      assert.equal(ev.record.object.metadata.resourceVersion, '3');
      assert.equal(JSON.parse(ev.record.json).metadata.resourceVersion, '3');
      assert.deepEqual(ev.record.object.data, { v: '2' });
      assert.equal(ev.prev?.revision, 2);
      assert.equal(ev.prev?.object.metadata.resourceVersion, '2');
      w.stop();
    });
  });

  test('a too-old revision is Expired, with the oldest revision; fresh open starts at current', async () => {
    const dir = await tempDir();
    let store = await openLevelStore(dir, { historySize: 2 });
    try {
      assert.equal(store.oldestRevision(), 0);
      store.watch('/w/', 0, () => {}).stop();
      for (let i = 0; i < 5; i++) await store.create(`/w/${i}`, cm(`${i}`));
      assert.equal(store.oldestRevision(), 3);
      const err = await rejectsWith(() => store.watch('/w/', 2, () => {}), 'Expired');
      assert.equal(err.oldestRevision, 3);
      assert.match(err.message, /too old resource version: 2 \(3\)/);
      assert.throws(() => store.watch('/w/', NaN, () => {}), RangeError);
      await assert.rejects(store.list({ prefix: '/w/', revision: -1 }), RangeError);
      const w = collect(store, '/w/', 3);
      await tick();
      assert.deepEqual(w.events.map((e) => e.revision), [4, 5]);
      w.stop();
    } finally {
      await store.close();
    }

    store = await openLevelStore(dir, { historySize: 2 });
    try {
      assert.equal(store.oldestRevision(), 5);
      await rejectsWith(() => store.watch('/w/', 4, () => {}), 'Expired');
      const w = collect(store, '/w/', 5);
      await tick();
      assert.equal(w.events.length, 0);
      await store.create('/w/new', cm('new'));
      assert.deepEqual(w.events.map((e) => e.revision), [6]);
      w.stop();
    } finally {
      await store.close();
    }
  });

  test('compact forgets history up to a revision', async () => {
    await withStore({}, async (store) => {
      for (let i = 0; i < 5; i++) await store.create(`/w/${i}`, cm(`${i}`));
      assert.equal(store.oldestRevision(), 0);
      await store.compact(3);
      assert.equal(store.oldestRevision(), 3);
      await rejectsWith(() => store.watch('/w/', 2, () => {}), 'Expired');
      await rejectsWith(store.list({ prefix: '/w/', revision: 2 }), 'Expired');
      const w = collect(store, '/w/', 3);
      await tick();
      assert.deepEqual(w.events.map((e) => e.revision), [4, 5]);
      w.stop();
      await store.compact(100); // clamped to current
      assert.equal(store.oldestRevision(), 5);
    });
  });

  test('stop() ends delivery, including a pending replay', async () => {
    await withStore({}, async (store) => {
      await store.create('/w/a', cm('a'));
      const replaying = collect(store, '/w/', 0);
      replaying.stop();
      const w = collect(store, '/w/', 1);
      await tick();
      await store.create('/w/b', cm('b'));
      w.stop();
      await store.create('/w/c', cm('c'));
      assert.equal(replaying.events.length, 0);
      assert.deepEqual(w.events.map((e) => e.key), ['/w/b']);
    });
  });

  test('a throwing listener breaks neither other watchers nor the writer', async () => {
    await withStore({}, async (store) => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const before = collect(store, '/w/', 0);
        let thrown = 0;
        const bad = store.watch('/w/', 0, () => {
          thrown++;
          throw new Error('listener failure');
        });
        const afterW = collect(store, '/w/', 0);
        await tick();
        const r1 = await store.create('/w/a', cm('a'));
        const r2 = await store.create('/w/b', cm('b'));
        assert.equal(r1.revision, 1);
        assert.equal(r2.revision, 2);
        assert.equal(thrown, 2);
        assert.deepEqual(before.events.map((e) => e.revision), [1, 2]);
        assert.deepEqual(afterW.events.map((e) => e.revision), [1, 2]);
        await tick();
        assert.equal(warnings.filter((m) => m.includes('listener failure')).length, 1, 'reported once');
        bad.stop();
        before.stop();
        afterW.stop();
      } finally {
        process.off('warning', onWarning);
      }
    });
  });

  test('many watchers on one prefix all get every event', async () => {
    await withStore({}, async (store) => {
      const ws = Array.from({ length: 100 }, (_, i) => collect(store, i % 2 ? '/w/' : '/w/a', 0));
      await tick();
      await store.create('/w/a', cm('a'));
      await store.create('/w/b', cm('b'));
      for (const [i, w] of ws.entries()) assert.equal(w.events.length, i % 2 ? 2 : 1);
      for (const w of ws) w.stop();
    });
  });
});

describe('LevelDB store: concurrency', () => {
  test('concurrent read-modify-write with expectedRevision and retry ends with the exact count', async () => {
    await withStore({}, async (store) => {
      const key = '/registry/counters/default/c';
      await store.create(key, { metadata: { name: 'c' }, count: 0 });
      let conflicts = 0;
      const writer = async () => {
        for (let i = 0; i < 50; i++) {
          for (;;) {
            const cur = (await store.get(key))!;
            const next = JSON.parse(cur.json) as KubeObject & { count: number };
            next.count++;
            try {
              await store.update(key, next, cur.revision);
              break;
            } catch (err) {
              if (!(err instanceof StoreError) || err.code !== 'Conflict') throw err;
              conflicts++;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, writer));
      const final = (await store.get(key))!;
      assert.equal((final.object as { count?: number }).count, 400);
      assert.equal(final.revision, 401);
      assert.equal(store.currentRevision(), 401);
      assert.ok(conflicts > 0, 'writers really raced');
    });
  });
});
