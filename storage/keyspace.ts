// How kage lays out its data inside LevelDB. Two disjoint key spaces, told apart by the first character:
//   "o" + key      one stored object     value: "<revision> <createRevision> <json>"
//   "m" + name     store metadata        value: text (e.g. the current revision as decimal digits)
// Every object key starts with "o" and every metadata key with "m", so they can never collide, and all
// objects are read back with one range scan over ["o", "p").

export const OBJECT_RANGE = { gte: 'o', lt: 'p' } as const;

/** The metadata key holding the newest committed revision; written in the same batch as every change. */
export const REVISION_KEY = 'mrevision';
/** The metadata key holding the on-disk format version. */
export const FORMAT_KEY = 'mformat';
export const FORMAT_VERSION = '1';

export function objectKey(key: string): string {
  return 'o' + key;
}

export function keyOfObjectKey(dbKey: string): string {
  return dbKey.slice(1);
}

export interface StoredValue {
  revision: number;
  createRevision: number;
  json: string;
}

export function encodeValue(revision: number, createRevision: number, json: string): string {
  return `${revision} ${createRevision} ${json}`;
}

/** Parses a value written by encodeValue; throws on anything else (a corrupt database). */
export function decodeValue(dbKey: string, value: string): StoredValue {
  const a = value.indexOf(' ');
  const b = a < 0 ? -1 : value.indexOf(' ', a + 1);
  const revision = Number(value.slice(0, a));
  const createRevision = Number(value.slice(a + 1, b));
  if (b < 0 || !Number.isSafeInteger(revision) || !Number.isSafeInteger(createRevision) || revision <= 0) {
    throw new Error(`corrupt stored value under ${JSON.stringify(dbKey)}`);
  }
  return { revision, createRevision, json: value.slice(b + 1) };
}
