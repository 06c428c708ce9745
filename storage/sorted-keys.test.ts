import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys, prefixEnd } from './sorted-keys.js';
import { History } from './history.js';
import type { StoreEvent, StoredRecord } from './store.js';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SortedKeys', () => {
  test('matches a plain sorted array under random adds and deletes across chunk splits and merges', () => {
    const rand = rng(42);
    const set = new SortedKeys();
    const ref = new Set<string>();
    const check = () => {
      const sorted = [...ref].sort();
      assert.equal(set.size, sorted.length);
      assert.deepEqual(set.range('', undefined), sorted);
      for (let n = 0; n < 20; n++) {
        const probe = `/k/${Math.floor(rand() * 6000)}`;
        const lower = sorted.filter((k) => k < probe).length;
        assert.equal(set.rank(probe), lower);
        const to = prefixEnd('/k/' + probe.slice(3, 4));
        const expect = sorted.filter((k) => k >= probe && (to === undefined || k < to));
        assert.deepEqual(set.range(probe, to, 7), expect.slice(0, 7));
        assert.equal(set.has(probe), ref.has(probe));
      }
    };
    for (let round = 0; round < 6; round++) {
      const adding = round % 3 !== 2;
      for (let i = 0; i < 3000; i++) {
        const k = `/k/${Math.floor(rand() * 6000)}`;
        if (adding) assert.equal(set.add(k), !ref.has(k)), ref.add(k);
        else assert.equal(set.delete(k), ref.has(k)), ref.delete(k);
      }
      check();
    }
    for (const k of [...ref]) set.delete(k);
    assert.equal(set.size, 0);
    assert.deepEqual(set.range('', undefined), []);
    assert.equal(set.add('/x'), true);
    assert.deepEqual(set.range('', undefined), ['/x']);
  });

  test('from() builds the same set as repeated add()', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `/r/${(i * 7919) % 5000}`);
    const built = SortedKeys.from(keys);
    const sorted = [...new Set(keys)].sort();
    assert.deepEqual(built.range('', undefined), sorted);
    // Upper bounds and limits that fall exactly on chunk edges.
    for (const edge of [255, 256, 510, 511, 512, 513, 1022, 1023, 1024]) {
      assert.deepEqual(built.range('', sorted[edge]), sorted.slice(0, edge));
      assert.deepEqual(built.range(sorted[1]!, undefined, edge), sorted.slice(1, 1 + edge));
      assert.equal(built.rank(sorted[edge]), edge);
    }
    built.add('/r/zzz');
    built.delete('/r/0');
    assert.equal(built.size, 5000);
    assert.equal(built.has('/r/0'), false);
  });

  test('prefixEnd bounds exactly the keys with the prefix', () => {
    assert.equal(prefixEnd('/a/'), '/a0');
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('a\uffff'), 'b');
    const set = SortedKeys.from(['/a', '/a/', '/a/x', '/a/x/y', '/a0', '/ab/x', '/b']);
    assert.deepEqual(set.range('/a/', prefixEnd('/a/')), ['/a/', '/a/x', '/a/x/y']);
  });
});

describe('History', () => {
  const rec = (key: string, revision: number): StoredRecord => ({ key, revision, createRevision: revision, object: { metadata: {} }, json: '{}' });
  const ev = (type: StoreEvent['type'], key: string, revision: number, prev?: StoredRecord): StoreEvent =>
    prev ? { type, key, revision, record: rec(key, revision), prev } : { type, key, revision, record: rec(key, revision) };

  test('keeps the newest events and tracks the oldest exact revision', () => {
    const h = new History(3, 10);
    assert.equal(h.startRevision, 10);
    for (let r = 11; r <= 15; r++) h.push(ev('ADDED', `/k/${r}`, r));
    assert.equal(h.startRevision, 12);
    assert.deepEqual(h.eventsAfter(12).map((e) => e.revision), [13, 14, 15]);
    assert.deepEqual(h.eventsAfter(14).map((e) => e.revision), [15]);
    assert.throws(() => h.eventsAfter(11), RangeError);
    assert.throws(() => h.push(ev('ADDED', '/k/x', 17)), /does not follow/);
    h.compact(14);
    assert.equal(h.startRevision, 14);
    assert.deepEqual(h.eventsAfter(14).map((e) => e.revision), [15]);
  });

  test('a zero-size history only serves the newest revision', () => {
    const h = new History(0, 0);
    h.push(ev('ADDED', '/k/a', 1));
    assert.equal(h.startRevision, 1);
    assert.deepEqual(h.eventsAfter(1), []);
  });

  test('stateAt takes the state before the earliest later change', () => {
    const h = new History(10, 0);
    const a1 = rec('/k/a', 1);
    h.push(ev('ADDED', '/k/a', 1));
    h.push(ev('MODIFIED', '/k/a', 2, a1));
    h.push(ev('DELETED', '/k/a', 3, rec('/k/a', 2)));
    h.push(ev('ADDED', '/k/b', 4));
    h.push(ev('ADDED', '/j/z', 5));
    const at1 = h.stateAt(1, '/k/', '/k/', '/k0');
    assert.equal(at1.get('/k/a'), a1);
    assert.equal(at1.get('/k/b'), null);
    assert.equal(at1.has('/j/z'), false);
    assert.equal(h.stateAt(0, '/k/', '/k/', '/k0').get('/k/a'), null);
  });
});
