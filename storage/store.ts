// The storage contract of kage, in the spirit of kine's Backend: keys, one global revision, watch from a
// revision. Everything under server/ talks to storage only through this interface.
import type { KubeObject } from '../server/api/types.js';

/** One stored object as of its last write. Never mutate `object`: it is shared; clone via JSON.parse(json). */
export interface StoredRecord {
  readonly key: string;
  /** The revision of the last write to this key; equals object.metadata.resourceVersion. */
  readonly revision: number;
  /** The revision that created this key. */
  readonly createRevision: number;
  readonly object: Readonly<KubeObject>;
  /** JSON.stringify(object), kept so reads never serialize twice. */
  readonly json: string;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: StoreEventType;
  /** Revision of this change; for DELETED, `record` is the last state stamped with this revision. */
  readonly revision: number;
  readonly key: string;
  readonly record: StoredRecord;
  /** The state before this change (absent for ADDED). */
  readonly prev?: StoredRecord;
}

export interface ListOptions {
  /** Keys starting with this prefix; use a trailing "/" to stay inside one folder. */
  prefix: string;
  /** Start at this key (inclusive); used by continue tokens. */
  startKey?: string;
  /** At most this many records; 0 or absent means all. */
  limit?: number;
  /** Read the state as of this revision (for continue pages); absent means current. */
  revision?: number;
}

export interface ListResult {
  records: StoredRecord[];
  /** The revision this list reflects. */
  revision: number;
  /** Set when limit cut the list: the key the next page starts at. */
  nextKey?: string;
  /** With limit: how many matching keys follow this page. */
  remaining?: number;
}

export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Closed';

/** Thrown by stores; server/ maps each code onto a Status. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For Expired: the oldest revision still available. */
    readonly oldestRevision?: number,
  ) {
    super(message);
  }
}

export interface StoreWatcher {
  stop(): void;
}

export interface Store {
  /** The revision of the newest write (0 on an empty store). */
  currentRevision(): number;
  /** The oldest revision a watch or a past-revision list may start from. */
  oldestRevision(): number;
  get(key: string): Promise<StoredRecord | undefined>;
  list(opts: ListOptions): Promise<ListResult>;
  /** Stamps metadata.resourceVersion with the new revision; the store takes ownership of `object`. */
  create(key: string, object: KubeObject): Promise<StoredRecord>;
  /** Replaces the object; with expectedRevision, throws Conflict when the stored revision differs. */
  update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoredRecord>;
  /** Removes the key; with expectedRevision, throws Conflict when it differs. Returns the DELETED record. */
  delete(key: string, expectedRevision?: number): Promise<StoredRecord>;
  /**
   * Calls `listener` for every change under `prefix` after `afterRevision` (replayed from history first,
   * then live), in revision order. Throws StoreError('Expired') when afterRevision is older than history.
   */
  watch(prefix: string, afterRevision: number, listener: (event: StoreEvent) => void): StoreWatcher;
  /** Forgets history up to `revision` (watches and past-revision lists older than it get Expired). */
  compact(revision: number): Promise<void>;
  /** Waits for pending writes, then closes. */
  close(): Promise<void>;
}
