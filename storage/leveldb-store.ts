// The Store on LevelDB: every object in memory for reads, every write committed to LevelDB in order.
//
// Writes go through one queue. A flush takes everything queued, checks each write against the committed
// state plus the writes accepted earlier in the same flush, assigns consecutive revisions and commits them
// all in one LevelDB batch together with the new current revision (group commit: one disk write for many
// callers, atomic, so a crash leaves either all or none of them). Only after LevelDB acknowledges the batch
// are the changes applied to the in-memory index, appended to history, sent to watchers and the callers'
// promises settled, in revision order. Reads therefore only ever see acknowledged data.
//
// Records are shared by the index, history, watchers and every caller: never mutate a record or its object
// (clone with JSON.parse(record.json)). By default the store deep-freezes every stored object, so such a
// mutation throws a TypeError instead of silently corrupting the store (about as costly as one
// JSON.stringify of the object). That includes the object handed to create/update: the store owns it.
import { Level } from 'level';
import type { KubeObject } from '../server/api/types.js';
import {
  StoreError,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type StoreEventType,
  type StoreWatcher,
  type StoredRecord,
} from './store.js';
import { History } from './history.js';
import { listPage, queryRange } from './list-page.js';
import { FORMAT_KEY, FORMAT_VERSION, OBJECT_RANGE, REVISION_KEY, decodeValue, encodeValue, keyOfObjectKey, objectKey } from './keyspace.js';
import { deepFreeze, deletedRecord, parsedRecord, stampRecord } from './records.js';
import { SortedKeys } from './sorted-keys.js';
import { WatcherHub } from './watchers.js';

export interface LevelStoreOptions {
  /** How many recent events are kept for watches and past-revision lists (default 10000). */
  historySize?: number;
  /**
   * fsync each batch before acknowledging it (default true), so an acknowledged write survives even a power
   * loss. With false, acknowledged writes still survive a crash of the process (LevelDB has handed them to
   * the OS) but not of the machine; roughly 2-3x faster for one-at-a-time writers (tests, benchmarks).
   */
  sync?: boolean;
  /** Deep-freeze every stored object (including the one passed to create/update) so mutation throws (default true). */
  freeze?: boolean;
  /** At most this many writes per LevelDB batch (default 1000). */
  maxBatch?: number;
}

type WriteOp =
  | { kind: 'create'; key: string; object: KubeObject; resolve: (r: StoredRecord) => void; reject: (e: unknown) => void }
  | { kind: 'update'; key: string; object: KubeObject; expected?: number; resolve: (r: StoredRecord) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; key: string; expected?: number; resolve: (r: StoredRecord) => void; reject: (e: unknown) => void };

interface Accepted {
  op: WriteOp;
  event: StoreEvent;
}

type DbOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

const DEFAULT_HISTORY = 10000;
const DEFAULT_MAX_BATCH = 1000;

export async function openLevelStore(dir: string, options: LevelStoreOptions = {}): Promise<Store> {
  const historySize = options.historySize ?? DEFAULT_HISTORY;
  if (!Number.isSafeInteger(historySize) || historySize < 0) throw new RangeError(`historySize must be a non-negative integer, got ${historySize}`);
  const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  try {
    const format = await db.get(FORMAT_KEY);
    if (format !== undefined && format !== FORMAT_VERSION) throw new Error(`${dir}: unsupported storage format ${format}`);
    if (format === undefined) await db.put(FORMAT_KEY, FORMAT_VERSION, { sync: true });

    const freeze = options.freeze ?? true;
    const records = new Map<string, StoredRecord>();
    let revision = Number((await db.get(REVISION_KEY)) ?? 0);
    if (!Number.isSafeInteger(revision) || revision < 0) throw new Error(`${dir}: corrupt revision`);
    const it = db.iterator(OBJECT_RANGE);
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        for (const [dbKey, value] of entries) {
          const key = keyOfObjectKey(dbKey);
          const v = decodeValue(dbKey, value);
          records.set(key, parsedRecord(key, v.revision, v.createRevision, v.json, freeze));
          if (v.revision > revision) revision = v.revision; // cannot happen with batches; never go backwards
        }
      }
    } finally {
      await it.close();
    }
    return new LevelStore(db, records, revision, historySize, options);
  } catch (err) {
    await db.close();
    throw err;
  }
}

class LevelStore implements Store {
  private readonly keys: SortedKeys;
  private readonly history: History;
  private readonly watchers = new WatcherHub();
  private readonly sync: boolean;
  private readonly freeze: boolean;
  private readonly maxBatch: number;
  private queue: WriteOp[] = [];
  private flushing: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly db: Level<string, string>,
    private readonly records: Map<string, StoredRecord>,
    private revision: number,
    historySize: number,
    options: LevelStoreOptions,
  ) {
    this.keys = SortedKeys.from(records.keys());
    this.history = new History(historySize, revision);
    this.sync = options.sync ?? true;
    this.freeze = options.freeze ?? true;
    this.maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  currentRevision(): number {
    this.checkOpen();
    return this.revision;
  }

  oldestRevision(): number {
    this.checkOpen();
    return this.history.startRevision;
  }

  async get(key: string): Promise<StoredRecord | undefined> {
    this.checkOpen();
    return this.records.get(key);
  }

  async list(opts: ListOptions): Promise<ListResult> {
    this.checkOpen();
    const at = opts.revision;
    if (at !== undefined) checkRevisionArg('list revision', at);
    if (at === undefined || at >= this.revision) {
      // A revision ahead of the store reads the current state; result.revision says which one was read.
      return listPage(this.keys, this.records, opts, this.revision);
    }
    this.checkNotExpired(at);
    const { from, to } = queryRange(opts);
    return listPage(this.keys, this.records, opts, at, this.history.stateAt(at, opts.prefix, from, to));
  }

  create(key: string, object: KubeObject): Promise<StoredRecord> {
    return this.enqueue((resolve, reject) => ({ kind: 'create', key, object, resolve, reject }));
  }

  update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoredRecord> {
    return this.enqueue((resolve, reject) => ({ kind: 'update', key, object, expected: expectedRevision, resolve, reject }));
  }

  delete(key: string, expectedRevision?: number): Promise<StoredRecord> {
    return this.enqueue((resolve, reject) => ({ kind: 'delete', key, expected: expectedRevision, resolve, reject }));
  }

  watch(prefix: string, afterRevision: number, listener: (event: StoreEvent) => void): StoreWatcher {
    this.checkOpen();
    checkRevisionArg('watch revision', afterRevision);
    this.checkNotExpired(afterRevision);
    const replay = afterRevision < this.revision ? this.history.eventsAfter(afterRevision, prefix) : [];
    return this.watchers.add(prefix, afterRevision, this.revision, replay, listener);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    this.history.compact(revision);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        // flushLoop settles every write itself; a failure here would be a bug, and must not keep the DB open.
        while (this.flushing) await this.flushing.catch(() => {});
        this.watchers.clear();
        await this.db.close();
      })();
    }
    return this.closing;
  }

  // --- internals ---

  private checkOpen(): void {
    if (this.closing) throw new StoreError('Closed', 'storage is closed');
  }

  private checkNotExpired(revision: number): void {
    const oldest = this.history.startRevision;
    if (revision < oldest) throw new StoreError('Expired', `too old resource version: ${revision} (${oldest})`, oldest);
  }

  private enqueue(make: (resolve: (r: StoredRecord) => void, reject: (e: unknown) => void) => WriteOp): Promise<StoredRecord> {
    if (this.closing) return Promise.reject(new StoreError('Closed', 'storage is closed'));
    return new Promise<StoredRecord>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** Commits queued writes batch after batch until the queue is empty. */
  private async flushLoop(): Promise<void> {
    try {
      // Let writers issued in the same tick join the first batch.
      await Promise.resolve();
      while (this.queue.length > 0) {
        const ops = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = ops === this.queue ? [] : this.queue.slice(this.maxBatch);
        try {
          await this.commit(ops);
        } catch (err) {
          // Only a bug gets here (commit handles LevelDB failures); never leave a caller hanging.
          for (const op of ops) op.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Validates `ops` in order, writes the accepted ones in one batch, then publishes and settles them. */
  private async commit(ops: WriteOp[]): Promise<void> {
    const accepted: Accepted[] = [];
    const outcomes: { op: WriteOp; record?: StoredRecord; error?: unknown }[] = []; // in submission order
    const pending = new Map<string, StoredRecord | null>(); // state after the writes accepted so far
    const dbOps: DbOp[] = [];
    let rev = this.revision;

    for (const op of ops) {
      const prev = pending.has(op.key) ? pending.get(op.key)! : this.records.get(op.key);
      try {
        const event = this.apply(op, prev ?? undefined, rev + 1);
        rev++;
        accepted.push({ op, event });
        outcomes.push({ op, record: event.record });
        if (event.type === 'DELETED') {
          pending.set(op.key, null);
          dbOps.push({ type: 'del', key: objectKey(op.key) });
        } else {
          const r = event.record;
          pending.set(op.key, r);
          dbOps.push({ type: 'put', key: objectKey(op.key), value: encodeValue(r.revision, r.createRevision, r.json) });
        }
      } catch (error) {
        outcomes.push({ op, error });
      }
    }

    if (accepted.length > 0) {
      dbOps.push({ type: 'put', key: REVISION_KEY, value: String(rev) });
      try {
        await this.db.batch(dbOps, { sync: this.sync });
      } catch (error) {
        // Nothing was applied: the revisions are given back and every accepted write fails.
        for (const o of outcomes) o.op.reject(o.record ? error : o.error);
        return;
      }
      for (const { event } of accepted) this.publish(event);
    }
    // Settle in submission order once the batch is durable (continuations run after all events went out).
    for (const o of outcomes) {
      if (o.record) o.op.resolve(o.record);
      else o.op.reject(o.error);
    }
  }

  /** Checks one write against `prev` (the key's state before it) and builds its event; throws StoreError. */
  private apply(op: WriteOp, prev: StoredRecord | undefined, rev: number): StoreEvent {
    const { key } = op;
    let type: StoreEventType;
    let record: StoredRecord;
    switch (op.kind) {
      case 'create':
        if (prev) throw new StoreError('AlreadyExists', `${key} already exists`);
        type = 'ADDED';
        record = stampRecord(key, op.object, rev, rev);
        break;
      case 'update':
        if (!prev) throw new StoreError('NotFound', `${key} not found`);
        checkExpected(key, op.expected, prev);
        type = 'MODIFIED';
        record = stampRecord(key, op.object, rev, prev.createRevision);
        break;
      case 'delete':
        if (!prev) throw new StoreError('NotFound', `${key} not found`);
        checkExpected(key, op.expected, prev);
        type = 'DELETED';
        record = deletedRecord(prev, rev);
        break;
    }
    return prev ? { type, revision: rev, key, record, prev } : { type, revision: rev, key, record };
  }

  /** Applies one committed event to memory and tells watchers. */
  private publish(event: StoreEvent): void {
    const { key } = event;
    if (this.freeze) deepFreeze(event.record.object);
    if (event.type === 'DELETED') {
      this.records.delete(key);
      this.keys.delete(key);
    } else {
      if (event.type === 'ADDED') this.keys.add(key);
      this.records.set(key, event.record);
    }
    this.revision = event.revision;
    this.history.push(event);
    this.watchers.dispatch(event);
  }
}

/** Revisions handed in by callers must be whole numbers; parsing resourceVersions is the server's job. */
function checkRevisionArg(what: string, revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0) throw new RangeError(`${what} must be a non-negative integer, got ${revision}`);
}

function checkExpected(key: string, expected: number | undefined, prev: StoredRecord): void {
  if (expected !== undefined && expected !== prev.revision) {
    throw new StoreError('Conflict', `${key}: expected revision ${expected}, stored revision is ${prev.revision}`);
  }
}
