// One page of a list: keys under a prefix, from a start key, at most `limit`, optionally as of a past
// revision (the current index with the keys that changed since then put back to their old state).
import type { ListResult, StoredRecord } from './store.js';
import { prefixEnd, type SortedKeys } from './sorted-keys.js';

export interface PageQuery {
  prefix: string;
  startKey?: string;
  limit?: number;
}

/** The key range [from, to) a query covers; `to` undefined means no upper bound. */
export function queryRange(q: PageQuery): { from: string; to: string | undefined } {
  const from = q.startKey !== undefined && q.startKey > q.prefix ? q.startKey : q.prefix;
  return { from, to: prefixEnd(q.prefix) };
}

/**
 * @param keys    every current key, sorted
 * @param records the current record of every key in `keys`
 * @param past    for a past revision: the state then of each key in range that changed since (null = absent)
 */
export function listPage(
  keys: SortedKeys,
  records: ReadonlyMap<string, StoredRecord>,
  q: PageQuery,
  revision: number,
  past?: ReadonlyMap<string, StoredRecord | null>,
): ListResult {
  const { from, to } = queryRange(q);
  const limit = q.limit !== undefined && q.limit > 0 ? Math.floor(q.limit) : Infinity;

  if (!past || past.size === 0) {
    const page = keys.range(from, to, limit + 1);
    const out: StoredRecord[] = new Array(Math.min(page.length, limit));
    for (let i = 0; i < out.length; i++) out[i] = records.get(page[i]!)!;
    if (page.length <= limit) return { records: out, revision };
    const nextKey = page[limit]!;
    return { records: out, revision, nextKey, remaining: keys.rank(to) - keys.rank(nextKey) };
  }

  // At most past.size current keys can drop out, so this many current keys always fill the page.
  const overrides = [...past.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const current = keys.range(from, to, limit + overrides.length + 1);
  const out: StoredRecord[] = [];
  let nextKey: string | undefined;
  let i = 0;
  let j = 0;
  while (i < current.length || j < overrides.length) {
    const ck = current[i];
    const ok = overrides[j];
    let key: string;
    let record: StoredRecord | null | undefined;
    if (ok === undefined || (ck !== undefined && ck < ok)) {
      key = ck!;
      record = records.get(key);
      i++;
    } else {
      key = ok;
      record = past.get(key);
      j++;
      if (ck === ok) i++;
    }
    if (!record) continue;
    if (out.length === limit) {
      nextKey = key;
      break;
    }
    out.push(record);
  }
  if (nextKey === undefined) return { records: out, revision };

  // Remaining = current keys from nextKey on, corrected for keys whose past presence differs.
  let remaining = keys.rank(to) - keys.rank(nextKey);
  for (const [key, state] of past) {
    if (key < nextKey) continue;
    const nowPresent = records.has(key);
    if (nowPresent && state === null) remaining--;
    else if (!nowPresent && state !== null) remaining++;
  }
  return { records: out, revision, nextKey, remaining };
}
