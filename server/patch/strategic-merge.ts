// Strategic merge patch (application/strategic-merge-patch+json), applied the way the Kubernetes
// API server applies it: a JSON merge patch whose lists merge by key where the schema says so,
// plus the $patch, $retainKeys, $deleteFromPrimitiveList/<f> and $setElementOrder/<f> directives.
//
// Ordering follows Kubernetes: in a merged list the items named by the patch keep the patch's
// order and the items only the server had keep their places relative to them; items the server
// did not have come before the server-only items that follow them (a new container added by
// `kubectl patch` is listed first). $setElementOrder/<f> overrides the patch's order.
//
// Where Kubernetes' behaviour is an accident of its implementation this one is tidier, noted as
// "(Kubernetes: …)" below: directives and nulls never reach the result, `$patch: merge` is
// accepted as the default it names, and values whose kind cannot fit are rejected here instead of
// when the result is decoded.
import type { PatchMeta, PatchMetaLookup } from './patch-meta.js';

/** Patches nested deeper than this are refused. */
export const MAX_PATCH_DEPTH = 100;

/** An invalid strategic merge patch. */
export class PatchError extends Error {
  override readonly name = 'PatchError';
  /** Where in the patch: "spec.template.spec.containers[1]" (list indexes are the patch's); "" for the top. */
  readonly path: string;
  /** The problem, worded as Kubernetes words it where it has a wording, without the path. */
  readonly detail: string;
  /**
   * The HTTP status the Kubernetes API server answers for this error: 400 for a malformed
   * directive, 422 for lists of lists and values that do not fit the object, 500 for the errors
   * it does not classify (a missing merge key, an unknown $patch value, a misordered
   * $setElementOrder list).
   */
  readonly status: 400 | 422 | 500;
  constructor(detail: string, path: string, status: 400 | 422 | 500) {
    super(path === '' ? detail : `${path}: ${detail}`);
    this.path = path;
    this.detail = detail;
    this.status = status;
  }
}

type JsonObject = Record<string, unknown>;

const ABSENT: unique symbol = Symbol('absent');
type Absent = typeof ABSENT;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PREFIX = '$deleteFromPrimitiveList';
const ORDER_PREFIX = '$setElementOrder';

const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_ORDER_LIST = 'invalid patch format of setElementOrder list';

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An own property only: "constructor" or "toString" must not come from Object.prototype. */
function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  return 'object';
}

function withArticle(k: Kind): string {
  return k === 'null' ? 'null' : k === 'object' || k === 'array' ? `an ${k}` : `a ${k}`;
}

/** The Go type name Kubernetes' messages use for a decoded JSON value. */
function goType(v: unknown): string {
  switch (kindOf(v)) {
    case 'object': return 'map[string]interface {}';
    case 'array': return '[]interface {}';
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    case 'boolean': return 'bool';
    case 'string': return 'string';
    default: return '<nil>';
  }
}

const FORMAT_LIMIT = 2048;

/** A value the way Go's %v prints a decoded JSON value (map keys sorted), cut short if long. */
function goFormat(v: unknown): string {
  let budget = FORMAT_LIMIT;
  const join = (parts: (() => string)[]): string => {
    const out: string[] = [];
    for (const part of parts) {
      if (budget <= 0) { out.push('…'); break; }
      out.push(part());
    }
    return out.join(' ');
  };
  const walk = (x: unknown): string => {
    let s: string;
    if (x === null || x === undefined) s = '<nil>';
    else if (Array.isArray(x)) s = `[${join(x.map((v) => () => walk(v)))}]`;
    else if (typeof x === 'object') {
      const o = x as JsonObject;
      s = `map[${join(Object.keys(o).sort().map((k) => () => `${k}:${walk(o[k])}`))}]`;
    } else s = String(x);
    budget -= s.length;
    return s;
  };
  const out = walk(v);
  return out.length > FORMAT_LIMIT ? `${out.slice(0, FORMAT_LIMIT)}…` : out;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function fieldPath(path: string, key: string): string {
  if (IDENT.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${key}]`;
}

function itemPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A deep copy that shares nothing with its source. */
function clone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone);
  const out: JsonObject = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__') continue;
    out[k] = clone((v as JsonObject)[k]);
  }
  return out;
}

/** 'merge' | 'replace' | '' from "merge", "retainKeys", "merge,retainKeys", "retainKeys,merge"… */
function listOrMapStrategy(meta: PatchMeta, path: string): string {
  const raw = meta.patchStrategy;
  if (raw === undefined || raw === '') return '';
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const others = parts.filter((s) => s !== 'retainKeys');
  if (parts.length > 2 || others.length > 1) {
    throw new PatchError(`unexpected patch strategy: [${parts.join(' ')}]`, path, 500);
  }
  return others[0] ?? '';
}

function noMergeKey(item: unknown, mergeKey: string, path: string): PatchError {
  return new PatchError(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`, path, 500);
}

function badPatchType(directive: unknown, map: JsonObject, path: string): PatchError {
  return new PatchError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(map)}`, path, 500);
}

function kindMismatch(current: unknown, patch: unknown, path: string): PatchError {
  return new PatchError(`expected ${withArticle(kindOf(current))}, but the patch has ${withArticle(kindOf(patch))}`, path, 422);
}

function tooDeep(path: string): PatchError {
  return new PatchError(`the patch is nested deeper than ${MAX_PATCH_DEPTH} levels`, path, 400);
}

/** The field a "$setElementOrder/<field>" or "$deleteFromPrimitiveList/<field>" key names. */
function directiveTarget(key: string, prefix: string, error: string, path: string): string {
  if (key.length <= prefix.length + 1 || key[prefix.length] !== '/') {
    throw new PatchError(error, fieldPath(path, key), 400);
  }
  return key.slice(prefix.length + 1);
}

/** The merge key's value of a list item, which must be a scalar to compare. */
function mergeKeyValue(item: JsonObject, mergeKey: string, path: string): unknown {
  if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey, path);
  const v = item[mergeKey];
  if (!isScalar(v)) {
    throw new PatchError(`the merge key ${mergeKey} of map: ${goFormat(item)} is ${withArticle(kindOf(v))}, not a scalar`, path, 500);
  }
  return v;
}

/** Positions of the first occurrence of each key. */
function firstIndexes(keys: unknown[]): Map<unknown, number> {
  const m = new Map<unknown, number>();
  keys.forEach((k, i) => { if (!m.has(k)) m.set(k, i); });
  return m;
}

/** A stable sort by rank (missing ranks last). */
function sortByRank<T>(items: T[], rank: (t: T) => number | undefined): T[] {
  return items
    .map((item, i) => ({ item, i, r: rank(item) ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => (a.r - b.r) || (a.i - b.i))
    .map((x) => x.item);
}

/**
 * Interleaves server-only items (in server order) with patch items (in their wanted order): a
 * server-only item goes first only while it came before the next patch item on the server, so
 * patch items the server did not have go before the server-only items still waiting.
 */
function interleave(serverOnly: unknown[], patched: unknown[], keyOf: (item: unknown) => unknown,
  serverIndex: Map<unknown, number>): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length && j < patched.length) {
    const li = serverIndex.get(keyOf(serverOnly[i]));
    const ri = serverIndex.get(keyOf(patched[j]));
    if (li !== undefined && ri !== undefined && li < ri) out.push(serverOnly[i++]);
    else out.push(patched[j++]);
  }
  while (i < serverOnly.length) out.push(serverOnly[i++]);
  while (j < patched.length) out.push(patched[j++]);
  return out;
}

/** Orders merged items: those keyed in `wanted` by it, the rest kept where the server had them. */
function enforceOrder(merged: unknown[], keyOf: (item: unknown) => unknown, wanted: Map<unknown, number>,
  serverIndex: Map<unknown, number>): unknown[] {
  const patched: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (wanted.has(keyOf(item)) ? patched : serverOnly).push(item);
  return interleave(
    sortByRank(serverOnly, (x) => serverIndex.get(keyOf(x))),
    sortByRank(patched, (x) => wanted.get(keyOf(x))),
    keyOf, serverIndex);
}

/** The kind shared by all items of the current and patch lists (Kubernetes' sliceElementType). */
function elementKind(current: unknown[], patch: unknown[], path: string): Kind | undefined {
  let kind: Kind | undefined;
  for (const list of [current, patch]) {
    for (const item of list) {
      const k = kindOf(item);
      if (k === 'array') throw new PatchError('lists of lists are not supported', path, 422);
      if (kind === undefined) kind = k;
      else if (kind !== k) {
        throw new PatchError(`list element types are not identical: [${goFormat(current)} ${goFormat(patch)}]`, path, 500);
      }
    }
  }
  return kind;
}

/**
 * Applies a strategic merge patch to `original` and returns the patched object. Pure: neither
 * argument is changed and the result shares no objects with them. `meta` describes the
 * original's fields (noStrategyPatchMeta when nothing is known). Throws PatchError.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMetaLookup): unknown {
  if (!isObject(patch)) {
    throw new PatchError(`a strategic merge patch must be a JSON object, not ${withArticle(kindOf(patch))}`, '', 400);
  }
  if (original !== undefined && original !== null && !isObject(original)) {
    throw new PatchError(`the object to patch must be a JSON object, not ${withArticle(kindOf(original))}`, '', 500);
  }
  const base = isObject(original) ? original : undefined;
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    // A delete of the whole object leaves an empty map, as in Kubernetes.
    if (d === 'delete') return {};
    if (d === 'replace') return mergeMap(undefined, patch, meta, '', 1);
    if (d !== 'merge') throw badPatchType(d, patch, '');
  }
  return mergeMap(base, patch, meta, '', 1);
}

/**
 * Merges patch map `patch` into `current` (undefined: the field is new). A `$patch` key is
 * ignored here; callers act on it first.
 */
function mergeMap(current: JsonObject | undefined, patch: JsonObject, lookup: PatchMetaLookup,
  path: string, depth: number): JsonObject {
  if (depth > MAX_PATCH_DEPTH) throw tooDeep(path);
  const out: JsonObject = {};
  const fresh = new Set<string>();
  if (current) {
    for (const k of Object.keys(current)) {
      if (k === '__proto__' || current[k] === undefined) continue;
      out[k] = current[k];
    }
  }

  // $retainKeys: every field the patch sets must be listed; fields not listed are cleared.
  if (Object.hasOwn(patch, RETAIN_KEYS)) {
    const retain = patch[RETAIN_KEYS];
    const where = fieldPath(path, RETAIN_KEYS);
    if (!Array.isArray(retain)) throw new PatchError(`${ERR_RETAIN_KEYS}: it must be a list of field names`, where, 400);
    const keep = new Set<unknown>(retain);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k === RETAIN_KEYS || k === DIRECTIVE || k === '__proto__' ||
          k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
      if (!keep.has(k)) throw new PatchError(`${ERR_RETAIN_KEYS}: the patch sets "${k}", which it does not list`, where, 400);
    }
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }

  // $setElementOrder/<field>: merge that list now, then put it in the given order.
  const done = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const field = directiveTarget(key, ORDER_PREFIX, ERR_ORDER_LIST, path);
    if (field === '__proto__') continue;
    const order = patch[key];
    if (!Array.isArray(order)) throw new PatchError(ERR_ORDER_LIST, fieldPath(path, key), 400);
    const { meta, child } = lookup.field(field);
    const where = fieldPath(path, field);
    // Kubernetes only writes the directive for merging lists; elsewhere it is ignored here.
    if (listOrMapStrategy(meta, where) !== 'merge') continue;
    const ordered = orderedList(own(out, field), patch, field, order, meta.patchMergeKey ?? '', child, where,
      fieldPath(path, key), depth + 1);
    done.add(field);
    if (ordered === ABSENT) continue;
    out[field] = ordered;
    fresh.add(field);
  }

  // The fields, then the deletions from primitive lists.
  const deletions: [string, unknown, string][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || k === '__proto__' || k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(ORDER_PREFIX) || done.has(k)) continue;
    if (k.startsWith(DELETE_PREFIX)) {
      deletions.push([directiveTarget(k, DELETE_PREFIX, ERR_PRIMITIVE_LIST, path), v, fieldPath(path, k)]);
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const { meta, child } = lookup.field(k);
    const now = own(out, k);
    const merged = mergeValue(now === null ? undefined : now, v, meta, child, fieldPath(path, k), depth + 1);
    if (merged === ABSENT) delete out[k];
    else {
      out[k] = merged;
      fresh.add(k);
    }
  }
  for (const [field, values, where] of deletions) {
    if (!Array.isArray(values)) throw new PatchError(`${ERR_PRIMITIVE_LIST}: it must be a list`, where, 400);
    const drop = new Set<unknown>();
    for (const v of values) {
      if (!isScalar(v)) throw new PatchError(`${ERR_PRIMITIVE_LIST}: it holds ${withArticle(kindOf(v))}`, where, 400);
      drop.add(v);
    }
    if (field === '__proto__') continue;
    const list = own(out, field);
    // Nothing to delete from: no list is created (nor is a non-list touched, as in Kubernetes).
    if (!Array.isArray(list)) continue;
    out[field] = list.filter((x) => !(isScalar(x) && drop.has(x)));
  }

  for (const k of Object.keys(out)) if (!fresh.has(k)) out[k] = clone(out[k]);
  return out;
}

/** The result for one field: `current` undefined when the field is absent (or null). */
function mergeValue(current: unknown, patch: unknown, meta: PatchMeta, lookup: PatchMetaLookup,
  path: string, depth: number): unknown | Absent {
  if (depth > MAX_PATCH_DEPTH) throw tooDeep(path);
  if (isObject(patch)) {
    if (Object.hasOwn(patch, DIRECTIVE)) {
      const d = patch[DIRECTIVE];
      // A map is emptied, as in Kubernetes; a field of another kind, or none, is removed.
      if (d === 'delete') return isObject(current) ? {} : ABSENT;
      if (d === 'replace') {
        // (Kubernetes drops a replaced map the object did not have; here it is set.)
        if (current !== undefined && !isObject(current) && !meta.freeForm) throw kindMismatch(current, patch, path);
        return mergeMap(undefined, patch, lookup, path, depth);
      }
      // (Kubernetes refuses `$patch: merge`; it is the default, so it is accepted here.)
      if (d !== 'merge') throw badPatchType(d, patch, path);
    }
    if (current !== undefined && !isObject(current)) {
      if (!meta.freeForm) throw kindMismatch(current, patch, path);
      return mergeMap(undefined, patch, lookup, path, depth);
    }
    if (listOrMapStrategy(meta, path) === 'replace') return mergeMap(undefined, patch, lookup, path, depth);
    return mergeMap(current, patch, lookup, path, depth);
  }
  if (Array.isArray(patch)) {
    if (current !== undefined && !Array.isArray(current)) {
      if (!meta.freeForm) throw kindMismatch(current, patch, path);
      return mergeList(undefined, patch, '', '', lookup.elem(), path, depth);
    }
    return mergeList(current as unknown[] | undefined, patch, listOrMapStrategy(meta, path), meta.patchMergeKey ?? '',
      lookup.elem(), path, depth);
  }
  if (current !== undefined && (isObject(current) || Array.isArray(current)) && !meta.freeForm) {
    throw kindMismatch(current, patch, path);
  }
  return patch;
}

/** Merges patch list `patch` into `current` (undefined: the field is new). */
function mergeList(current: unknown[] | undefined, patch: unknown[], strategy: string, mergeKey: string,
  elem: PatchMetaLookup, path: string, depth: number): unknown[] {
  if (depth > MAX_PATCH_DEPTH) throw tooDeep(path);
  if (strategy !== 'merge') {
    // Replaced. Items are cleaned of directives and nulls as new values are.
    const out: unknown[] = [];
    patch.forEach((item, i) => {
      if (item === null) { out.push(null); return; }
      const v = mergeValue(undefined, item, {}, elem, itemPath(path, i), depth + 1);
      if (v !== ABSENT) out.push(v);
    });
    return out;
  }
  const base = current ?? [];
  const kind = elementKind(base, patch, path);
  if (kind === undefined) return [];
  if (kind !== 'object') {
    if (mergeKey !== '') {
      throw new PatchError(`expected a map[string]interface {}, but received a ${goType(base[0] ?? patch[0])}`, path, 500);
    }
    return mergeScalarList(base, patch);
  }
  if (mergeKey === '') throw new PatchError(`cannot merge lists without merge key for ${path || 'the object'}`, path, 500);
  return mergeMapList(base as JsonObject[], patch as JsonObject[], mergeKey, elem, path, depth);
}

/** A merging list of scalars is a set: the union, in order (the duplicates dropped). */
function mergeScalarList(current: unknown[], patch: unknown[]): unknown[] {
  const merged = [...new Set([...current, ...patch])];
  const self = (x: unknown) => x;
  return enforceOrder(merged, self, firstIndexes(patch), firstIndexes(current));
}

/** A merging list of maps: items matched by merge key, `$patch: delete` / `replace` items obeyed. */
function mergeMapList(current: JsonObject[], patch: JsonObject[], mergeKey: string, elem: PatchMetaLookup,
  path: string, depth: number): unknown[] {
  const plain: number[] = [];
  const doomed = new Set<unknown>();
  let replace = false;
  patch.forEach((item, i) => {
    if (!Object.hasOwn(item, DIRECTIVE)) { plain.push(i); return; }
    const d = item[DIRECTIVE];
    if (d === 'delete') doomed.add(mergeKeyValue(item, mergeKey, itemPath(path, i)));
    else if (d === 'replace') replace = true;
    else if (d === 'merge') {
      // (Kubernetes refuses it: "merging lists cannot yet be specified in the patch".) A bare
      // marker is the default; an item carrying it merges like any other.
      if (Object.keys(item).some((k) => k !== DIRECTIVE)) plain.push(i);
    } else throw badPatchType(d, item, itemPath(path, i));
  });

  if (replace) {
    // The list is the patch's other items, every one of them carrying the merge key.
    return plain.map((i) => {
      const item = patch[i]!;
      mergeKeyValue(item, mergeKey, itemPath(path, i));
      return mergeMap(undefined, item, elem, itemPath(path, i), depth + 1);
    });
  }

  // Deletions first (every item with that key), then the items merged or appended.
  const kept = doomed.size === 0 ? current
    : current.filter((x) => !(Object.hasOwn(x, mergeKey) && doomed.has(x[mergeKey])));
  const serverKeys = kept.map((x) => mergeKeyValue(x, mergeKey, path));
  const merged: unknown[] = [...kept];
  const fresh: boolean[] = kept.map(() => false);
  const at = firstIndexes(serverKeys);
  const patchKeys: unknown[] = [];
  for (const i of plain) {
    const item = patch[i]!;
    const where = itemPath(path, i);
    const key = mergeKeyValue(item, mergeKey, where);
    patchKeys.push(key);
    const found = at.get(key);
    if (found !== undefined) {
      merged[found] = mergeMap(merged[found] as JsonObject, item, elem, where, depth + 1);
      fresh[found] = true;
    } else {
      at.set(key, merged.length);
      merged.push(mergeMap(undefined, item, elem, where, depth + 1));
      fresh.push(true);
    }
  }
  for (let i = 0; i < merged.length; i++) if (!fresh[i]) merged[i] = clone(merged[i]);
  const keyOf = (x: unknown) => own(x as JsonObject, mergeKey);
  return enforceOrder(merged, keyOf, firstIndexes(patchKeys), firstIndexes(serverKeys));
}

/**
 * `$setElementOrder/<field>`: the field's list merged with the patch's list (if any), then
 * ordered: items named in `order` by it, server-only items where they were. ABSENT when there
 * is no list at all.
 */
function orderedList(currentValue: unknown, patch: JsonObject, field: string, order: unknown[], mergeKey: string,
  lookup: PatchMetaLookup, path: string, orderPath: string, depth: number): unknown[] | Absent {
  if (depth > MAX_PATCH_DEPTH) throw tooDeep(path);
  const current = currentValue === null || currentValue === undefined ? undefined : currentValue;
  const hasPatch = Object.hasOwn(patch, field);
  const patchList = own(patch, field);
  if (current !== undefined && !Array.isArray(current)) throw kindMismatch(current, hasPatch ? patchList : order, path);
  if (hasPatch && !Array.isArray(patchList)) {
    throw new PatchError(`expected ${withArticle('array')} alongside ${ORDER_PREFIX}/${field}, but the patch has ${withArticle(kindOf(patchList))}`, path, 500);
  }
  const items = hasPatch ? patchList as unknown[] : undefined;

  // The patch's items must appear in the order list, in the same relative order.
  const orderKey = (x: unknown, i: number): unknown => {
    if (mergeKey === '') return x;
    if (!isObject(x)) throw new PatchError(`expected a map[string]interface {}, but received a ${goType(x)}`, itemPath(orderPath, i), 500);
    return mergeKeyValue(x, mergeKey, itemPath(orderPath, i));
  };
  if (items && items.length > 0 && order.length > 0) {
    const listed = mergeKey === '' ? items
      : items.filter((x) => !(isObject(x) && x[DIRECTIVE] === 'delete'));
    let p = 0;
    let s = 0;
    while (p < listed.length && s < order.length) {
      const item = listed[p];
      if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) { p++; continue; }
      let same: boolean;
      if (mergeKey === '') same = isScalar(item) && item === order[s];
      else {
        if (!isObject(item)) throw new PatchError(`expected a map[string]interface {}, but received a ${goType(item)}`, path, 500);
        same = mergeKeyValue(item, mergeKey, path) === orderKey(order[s], s);
      }
      if (same) p++;
      s++;
    }
    if (p < listed.length) {
      throw new PatchError(`The order in patch list:\n${goFormat(items)}\n doesn't match ${ORDER_PREFIX} list:\n${goFormat(order)}\n`, path, 500);
    }
  }

  let merged: unknown[];
  if (current !== undefined && items === undefined) merged = current.map(clone);
  else if (items !== undefined) merged = mergeList(current, items, 'merge', mergeKey, lookup.elem(), path, depth);
  else return ABSENT;
  if (merged.length === 0) return merged;

  const keyOf = (x: unknown): unknown => {
    if (mergeKey === '') return x;
    if (!isObject(x)) throw new PatchError(`expected a map[string]interface {}, but received a ${goType(x)}`, path, 500);
    if (!Object.hasOwn(x, mergeKey)) throw noMergeKey(x, mergeKey, path);
    return own(x, mergeKey);
  };
  const wanted = firstIndexes(order.map(orderKey));
  let serverKeys = (current ?? []).map(keyOf);
  if (current !== undefined && items !== undefined && mergeKey !== '') serverKeys = reusedSlots(serverKeys, items, mergeKey);
  return enforceOrder(merged, keyOf, wanted, firstIndexes(serverKeys));
}

function indexBefore(list: unknown[], value: unknown, end: number): number {
  for (let i = 0; i < end; i++) if (list[i] === value) return i;
  return -1;
}

/**
 * The server order Kubernetes sorts a $setElementOrder list against once the patch list has
 * been merged into it. Kubernetes deletes list items in place, and the items the patch adds then
 * take the freed slots at the end of the same array, so they count as server items that come
 * after all the others: a server-only item is placed before such an added item, not after it.
 * Replaying that keeps the order identical to Kubernetes' (e.g. a container renamed by
 * `kubectl apply` next to one only the server has).
 */
function reusedSlots(serverKeys: unknown[], items: unknown[], mergeKey: string): unknown[] {
  const slots = [...serverKeys];
  let live = slots.length;
  const plain: unknown[] = [];
  let replaced = false;
  for (const item of items) {
    if (!isObject(item)) return serverKeys;
    const d = own(item, DIRECTIVE);
    if (d === 'delete') {
      const key = own(item, mergeKey);
      for (let k = indexBefore(slots, key, live); k !== -1; k = indexBefore(slots, key, live)) {
        slots.copyWithin(k, k + 1, live);
        live--;
      }
    } else if (d === 'replace') replaced = true;
    else if (d === undefined || Object.keys(item).some((k) => k !== DIRECTIVE)) plain.push(own(item, mergeKey));
  }
  if (replaced) return slots;
  const present = new Set(slots.slice(0, live));
  for (const key of plain) {
    if (present.has(key)) continue;
    present.add(key);
    if (live < slots.length) slots[live++] = key;
  }
  return slots;
}
