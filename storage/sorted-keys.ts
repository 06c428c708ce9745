// An ordered set of strings kept sorted as keys come and go, so range reads never sort.
//
// Keys live in a list of sorted chunks (each at most MAX_CHUNK long), which keeps insert and delete cheap
// (a splice inside one small chunk) while range reads walk contiguous arrays. Order is JavaScript's string
// order (UTF-16 code units), which equals byte order for ASCII keys such as /registry/... paths.

const MAX_CHUNK = 1024;
const MIN_CHUNK = MAX_CHUNK / 4;

/** The smallest string greater than every string that starts with `prefix`; undefined when none exists. */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end--;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

/** Index of the first element of the sorted array `arr` that is >= key. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Builds the set from keys in any order (used once at load). */
  static from(keys: Iterable<string>): SortedKeys {
    const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const set = new SortedKeys();
    for (let i = 0; i < sorted.length; i += MAX_CHUNK / 2) set.chunks.push(sorted.slice(i, i + MAX_CHUNK / 2));
    set.count = sorted.length;
    return set;
  }

  /** The chunk that holds `key` or where it would go: the first chunk whose last key is >= key. */
  private chunkFor(key: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    const ci = this.chunkFor(key);
    if (ci === this.chunks.length) return false;
    const chunk = this.chunks[ci]!;
    return chunk[lowerBound(chunk, key)] === key;
  }

  /** Adds `key`; returns false when it was already there. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(key);
    if (ci === this.chunks.length) ci--; // larger than everything: append to the last chunk
    const chunk = this.chunks[ci]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.count++;
    if (chunk.length > MAX_CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
    return true;
  }

  /** Removes `key`; returns false when it was not there. */
  delete(key: string): boolean {
    const ci = this.chunkFor(key);
    if (ci === this.chunks.length) return false;
    const chunk = this.chunks[ci]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
    } else if (chunk.length < MIN_CHUNK && ci + 1 < this.chunks.length) {
      const next = this.chunks[ci + 1]!;
      if (chunk.length + next.length <= MAX_CHUNK) {
        for (const k of next) chunk.push(k);
        this.chunks.splice(ci + 1, 1);
      }
    }
    return true;
  }

  /** How many keys are < key (all keys when key is undefined, meaning "past the end"). */
  rank(key: string | undefined): number {
    if (key === undefined) return this.count;
    const ci = this.chunkFor(key);
    let n = 0;
    for (let c = 0; c < ci; c++) n += this.chunks[c]!.length;
    if (ci < this.chunks.length) n += lowerBound(this.chunks[ci]!, key);
    return n;
  }

  /** Up to `limit` keys k with from <= k < to (no upper bound when `to` is undefined), in order. */
  range(from: string, to: string | undefined, limit = Infinity): string[] {
    const out: string[] = [];
    if (limit <= 0 || (to !== undefined && from >= to)) return out;
    const chunks = this.chunks;
    let ci = this.chunkFor(from);
    if (ci === chunks.length) return out;
    let i = lowerBound(chunks[ci]!, from);
    for (; ci < chunks.length && out.length < limit; ci++, i = 0) {
      const chunk = chunks[ci]!;
      // Whole chunk inside the range and the limit: copy without comparing each key.
      const last = chunk[chunk.length - 1]!;
      if ((to === undefined || last < to) && out.length + chunk.length - i <= limit) {
        for (; i < chunk.length; i++) out.push(chunk[i]!);
        continue;
      }
      for (; i < chunk.length; i++) {
        const k = chunk[i]!;
        if (to !== undefined && k >= to) return out;
        out.push(k);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}
