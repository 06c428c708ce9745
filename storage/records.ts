// Building StoredRecords: stamping resourceVersion, keeping the JSON beside the object, optional freezing.
import type { KubeObject } from '../server/api/types.js';
import type { StoredRecord } from './store.js';

/** Freezes `value` and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Stamps `object.metadata.resourceVersion` with `revision` (in place: the store owns the object) and
 * serializes it. If serializing fails the stamp is undone and the error rethrown.
 */
export function stampRecord(key: string, object: KubeObject, revision: number, createRevision: number): StoredRecord {
  if (typeof object !== 'object' || object === null) throw new TypeError(`object for ${key} is not an object`);
  if (typeof object.metadata !== 'object' || object.metadata === null) object.metadata = {};
  const meta = object.metadata;
  const had = Object.prototype.hasOwnProperty.call(meta, 'resourceVersion');
  const before = meta.resourceVersion;
  meta.resourceVersion = String(revision);
  let json: string;
  try {
    json = JSON.stringify(object);
  } catch (err) {
    if (had) meta.resourceVersion = before;
    else delete meta.resourceVersion;
    throw err;
  }
  return { key, revision, createRevision, object, json };
}

/** A record read back from disk. */
export function parsedRecord(key: string, revision: number, createRevision: number, json: string, freeze: boolean): StoredRecord {
  const object = JSON.parse(json) as KubeObject;
  return { key, revision, createRevision, object: freeze ? deepFreeze(object) : object, json };
}

/**
 * What a DELETED event carries: the last state of the object stamped with the delete revision. Nested
 * values are shared with `last` (records are immutable), only the top level and metadata are copied.
 */
export function deletedRecord(last: StoredRecord, revision: number): StoredRecord {
  const object: KubeObject = { ...last.object, metadata: { ...last.object.metadata, resourceVersion: String(revision) } };
  const json = JSON.stringify(object);
  return { key: last.key, revision, createRevision: last.createRevision, object, json };
}
