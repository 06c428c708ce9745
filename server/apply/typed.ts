// Schema-driven operations on objects that server-side apply needs, after structured-merge-diff's typed
// package: comparing two objects into added/modified/removed field sets, merging an applied configuration
// into a live object, removing a set of paths from an object. Values are plain JSON; results are fresh
// values that share nothing with the inputs.
import type { TypeSchema } from '../schema/types.js';
import {
  childSchema, errorAt, FieldSet, FieldSetError, isEmptyObject, isPlainObject, listElement, pathString, shapeOf,
  type PathElement, type Shape,
} from './field-set.js';

/** What changed from one object to another, as field sets. No path is in more than one of them. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Deep equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!Object.hasOwn(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = cloneJson(x);
  }
  return out as T;
}

const MISMATCH = Symbol('mismatch');

/** An object, null (absent or null), or MISMATCH when the value is not an object. */
function asMap(v: unknown): Record<string, unknown> | null | typeof MISMATCH {
  if (v === undefined || v === null) return null;
  return isPlainObject(v) ? v : MISMATCH;
}

function asList(v: unknown): unknown[] | null | typeof MISMATCH {
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v : MISMATCH;
}

function emptyMap(m: Record<string, unknown> | null): boolean {
  return m === null || isEmptyObject(m);
}

function elementOrThrow(shape: Shape, item: unknown, i: number, path: PathElement[]): PathElement {
  try {
    return listElement(shape, item);
  } catch (err) {
    return errorAt(path, err instanceof FieldSetError ? new FieldSetError(`element ${i}: ${err.message}`) : err);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Compare

/**
 * Compares `lhs` (before) with `rhs` (after): added paths, modified leaves, removed paths. Maps, structs and
 * list elements that appear or disappear are paths of their own besides their contents. Throws FieldSetError
 * for list elements without keys.
 */
export function compareObjects(lhs: unknown, rhs: unknown, schema: TypeSchema | undefined): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, schema, [], out);
  return out;
}

function compareLeaf(l: unknown, r: unknown, path: PathElement[], out: Comparison): void {
  if (path.length === 0) return;
  // Absent and null are the same value to a typed object.
  if ((l === null && r === undefined) || (l === undefined && r === null)) return;
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
  else if (!deepEqual(l, r)) out.modified.insert(path);
}

function comparePresence(l: unknown, r: unknown, path: PathElement[], out: Comparison): void {
  if (path.length === 0) return;
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
}

function compareAt(l: unknown, r: unknown, s: TypeSchema | undefined, path: PathElement[], out: Comparison): void {
  const shape = shapeOf(s);
  if (shape.kind === 'struct' || shape.kind === 'map') {
    const lm = asMap(l);
    const rm = asMap(r);
    if (lm === MISMATCH || rm === MISMATCH || (emptyMap(lm) && emptyMap(rm))) return compareLeaf(l, r, path, out);
    if (lm) {
      for (const k in lm) {
        const lv = lm[k];
        if (lv === undefined) continue;
        const rv = rm ? rm[k] : undefined;
        // Equal values have nothing to report (a cheap walk that spares the detailed one).
        if (rv !== undefined && deepEqual(lv, rv)) continue;
        path.push(`f:${k}`);
        compareAt(lv, rv, childSchema(shape, k), path, out);
        path.pop();
      }
    }
    if (rm) {
      for (const k in rm) {
        const rv = rm[k];
        if (rv === undefined || (lm && lm[k] !== undefined)) continue;
        path.push(`f:${k}`);
        compareAt(undefined, rv, childSchema(shape, k), path, out);
        path.pop();
      }
    }
    return comparePresence(l, r, path, out);
  }
  if (shape.kind === 'list' || shape.kind === 'set') {
    const la = asList(l);
    const ra = asList(r);
    if (la === MISMATCH || ra === MISMATCH || ((la === null || la.length === 0) && (ra === null || ra.length === 0))) {
      return compareLeaf(l, r, path, out);
    }
    // The same elements in the same places: nothing to report.
    if (la !== null && ra !== null && la.length === ra.length) {
      let same = true;
      for (let i = 0; i < la.length && same; i++) same = deepEqual(la[i], ra[i]);
      if (same) return;
    }
    const lIdx = indexList(shape, la, path);
    const rIdx = indexList(shape, ra, path);
    for (const [pe, lList] of lIdx) compareElement(shape, pe, lList, rIdx.get(pe), path, out);
    for (const [pe, rList] of rIdx) if (!lIdx.has(pe)) compareElement(shape, pe, undefined, rList, path, out);
    return comparePresence(l, r, path, out);
  }
  compareLeaf(l, r, path, out);
}

/** One element of an associative list: the items both sides have for its key (more than one: duplicates). */
function compareElement(shape: Shape, pe: PathElement, lList: unknown[] | undefined, rList: unknown[] | undefined, path: PathElement[], out: Comparison): void {
  const ln = lList?.length ?? 0;
  const rn = rList?.length ?? 0;
  if (ln === 1 && rn === 1 && deepEqual(lList![0], rList![0])) return;
  path.push(pe);
  if (ln <= 1 && rn <= 1) {
    compareAt(lList?.[0], rList?.[0], shape.elem, path, out);
  } else if (ln >= 2 && rn >= 2) {
    // Duplicates before and after: compared as a whole.
    if (!deepEqual(lList, rList)) out.modified.insert(path);
  } else if (ln >= 2) {
    if (rn > 0) compareAt(undefined, rList![0], shape.elem, path, out);
    out.removed.insert(path);
  } else {
    if (ln > 0) compareAt(lList![0], undefined, shape.elem, path, out);
    out.added.insert(path);
  }
  path.pop();
}

function indexList(shape: Shape, list: unknown[] | null, path: PathElement[]): Map<PathElement, unknown[]> {
  const idx = new Map<PathElement, unknown[]>();
  if (!list) return idx;
  for (let i = 0; i < list.length; i++) {
    const pe = elementOrThrow(shape, list[i], i, path);
    const items = idx.get(pe);
    if (items) items.push(list[i]);
    else idx.set(pe, [list[i]]);
  }
  return idx;
}

// ---------------------------------------------------------------------------------------------------------
// Merge

/**
 * Merges an applied configuration into a live object: granular maps and structs field by field, associative
 * lists element by element (by key, live-only elements kept in place, the configuration's order otherwise),
 * everything else replaced by the configuration's value. A null in the configuration clears the field.
 * Throws FieldSetError for duplicate or keyless elements in the configuration.
 */
export function mergeObjects(live: unknown, config: unknown, schema: TypeSchema | undefined): unknown {
  return mergeAt(live, config, schema, []);
}

function mergeLeaf(l: unknown, r: unknown): unknown {
  return cloneJson(r !== undefined ? r : l);
}

function mergeAt(l: unknown, r: unknown, s: TypeSchema | undefined, path: PathElement[]): unknown {
  // What the configuration leaves alone stays as it is.
  if (r === undefined) return cloneJson(l);
  const shape = shapeOf(s);
  if (shape.kind === 'struct' || shape.kind === 'map') {
    const lm = asMap(l);
    const rm = asMap(r);
    if (lm === MISMATCH || rm === MISMATCH || (emptyMap(lm) && emptyMap(rm))) return mergeLeaf(l, r);
    const out: Record<string, unknown> = {};
    let any = false;
    if (lm) {
      for (const k in lm) {
        if (lm[k] === undefined) continue;
        path.push(`f:${k}`);
        const v = mergeAt(lm[k], rm ? rm[k] : undefined, childSchema(shape, k), path);
        path.pop();
        // A null (the configuration clearing a field) leaves the field out.
        if (v !== undefined && v !== null) {
          out[k] = v;
          any = true;
        }
      }
    }
    if (rm) {
      for (const k in rm) {
        if (rm[k] === undefined || (lm && lm[k] !== undefined)) continue;
        path.push(`f:${k}`);
        const v = mergeAt(undefined, rm[k], childSchema(shape, k), path);
        path.pop();
        if (v !== undefined && v !== null) {
          out[k] = v;
          any = true;
        }
      }
    }
    return any ? out : undefined;
  }
  if (shape.kind === 'list' || shape.kind === 'set') {
    const la = asList(l);
    const ra = asList(r);
    if (la === MISMATCH || ra === MISMATCH || ((la === null || la.length === 0) && (ra === null || ra.length === 0))) {
      return mergeLeaf(l, r);
    }
    return mergeLists(shape, la ?? [], ra ?? [], path);
  }
  return mergeLeaf(l, r);
}

const DUPLICATE = Symbol('duplicate');

function mergeLists(shape: Shape, lhs: unknown[], rhs: unknown[], path: PathElement[]): unknown[] | undefined {
  const rPEs: PathElement[] = [];
  const rMap = new Map<PathElement, unknown>();
  for (let i = 0; i < rhs.length; i++) {
    const pe = elementOrThrow(shape, rhs[i], i, path);
    if (rMap.has(pe)) errorAt(path, new FieldSetError(`duplicate entries for key ${pathString([pe])}`));
    rMap.set(pe, rhs[i]);
    rPEs.push(pe);
  }
  const lPEs: PathElement[] = [];
  const lMap = new Map<PathElement, unknown>();
  for (let i = 0; i < lhs.length; i++) {
    const pe = elementOrThrow(shape, lhs[i], i, path);
    lMap.set(pe, lMap.has(pe) ? DUPLICATE : lhs[i]);
    lPEs.push(pe);
  }
  const out: unknown[] = [];
  // Elements both sides have come in the configuration's order; live-only elements stay where they were.
  const shared = rPEs.filter((pe) => lMap.has(pe));
  let si = 0;
  let nextShared: PathElement | undefined = shared[si++];
  const mergedR = new Set<PathElement>();
  let lI = 0;
  let rI = 0;
  while (lI < lPEs.length || rI < rPEs.length) {
    if (lI < lPEs.length && rI < rPEs.length) {
      const pe = lPEs[lI]!;
      if (pe === rPEs[rI]) {
        mergedR.add(pe);
        mergeItem(shape, pe, liveItem(lMap, pe), rMap.get(pe), path, out);
        lI++;
        rI++;
        nextShared = shared[si++];
        continue;
      }
      if (rMap.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lPEs.length) {
      const pe = lPEs[lI]!;
      if (!rMap.has(pe)) {
        mergeItem(shape, pe, lhs[lI], undefined, path, out);
        lI++;
        continue;
      } else if (mergedR.has(pe)) {
        lI++;
      }
    }
    if (rI < rPEs.length) {
      const pe = rPEs[rI]!;
      mergedR.add(pe);
      mergeItem(shape, pe, liveItem(lMap, pe), rMap.get(pe), path, out);
      rI++;
      if (nextShared !== undefined && nextShared === pe) nextShared = shared[si++];
    }
  }
  return out.length > 0 ? out : undefined;
}

function liveItem(lMap: Map<PathElement, unknown>, pe: PathElement): unknown {
  const v = lMap.get(pe);
  return v === DUPLICATE ? undefined : v;
}

function mergeItem(shape: Shape, pe: PathElement, l: unknown, r: unknown, path: PathElement[], out: unknown[]): void {
  path.push(pe);
  const v = mergeAt(l, r, shape.elem, path);
  path.pop();
  if (v !== undefined) out.push(v);
}

// ---------------------------------------------------------------------------------------------------------
// Remove

/**
 * A copy of `value` without the paths in `set` (each with everything below it). Maps, structs and lists
 * left empty by the removal disappear (undefined when nothing is left).
 */
export function removeItems(value: unknown, set: FieldSet, schema: TypeSchema | undefined): unknown {
  if (set.isEmpty()) return cloneJson(value);
  return removeAt(value, set, schema);
}

function removeAt(v: unknown, set: FieldSet, s: TypeSchema | undefined): unknown {
  const shape = shapeOf(s);
  if (shape.kind === 'struct' || shape.kind === 'map') {
    if (!isPlainObject(v) || isEmptyObject(v)) return cloneJson(v);
    const out: Record<string, unknown> = {};
    let any = false;
    for (const k in v) {
      let cv = v[k];
      if (cv === undefined) continue;
      const c = set.child(`f:${k}`);
      if (c?.member) continue;
      if (c?.children && c.children.size > 0) {
        cv = removeAt(cv, c, childSchema(shape, k));
        if (cv === undefined) continue;
      } else {
        cv = cloneJson(cv);
      }
      out[k] = cv;
      any = true;
    }
    return any ? out : undefined;
  }
  if (shape.kind === 'list' || shape.kind === 'set') {
    if (!Array.isArray(v) || v.length === 0) return cloneJson(v);
    const out: unknown[] = [];
    for (const item of v) {
      let pe: PathElement;
      try {
        pe = listElement(shape, item);
      } catch {
        out.push(cloneJson(item));
        continue;
      }
      const c = set.child(pe);
      if (c?.member) continue;
      if (c?.children && c.children.size > 0) {
        const kept = removeAt(item, c, shape.elem);
        if (kept !== undefined) out.push(kept);
      } else {
        out.push(cloneJson(item));
      }
    }
    return out.length > 0 ? out : undefined;
  }
  return cloneJson(v);
}

// ---------------------------------------------------------------------------------------------------------
// The zero object

/**
 * Struct fields Go always writes even when empty (values, not pointers), beyond required ones: what an empty
 * object of the kind holds. The schema does not say which struct fields are pointers; these names are the
 * value structs of the served kinds (ObjectMeta, specs and statuses, pod templates, deployment strategy,
 * resource requirements).
 */
const VALUE_STRUCT_FIELDS: ReadonlySet<string> = new Set(['metadata', 'spec', 'status', 'template', 'strategy', 'resources']);
/** Fields by those names that are pointers all the same (definition.field). */
const POINTER_STRUCT_FIELDS: ReadonlySet<string> = new Set(['io.k8s.api.core.v1.PodSpec.resources']);

const zeros = new WeakMap<TypeSchema, Record<string, unknown>>();

/**
 * The empty object of a kind as the real server sees it before a create: value structs present (empty),
 * required lists and maps present as null. Comparing a new object with it says which maps and lists the
 * create added. Shared and frozen: never change it.
 */
export function zeroObject(schema: TypeSchema | undefined): Readonly<Record<string, unknown>> {
  if (!schema) return Object.freeze({});
  let z = zeros.get(schema);
  if (!z) {
    z = buildZero(schema, 0);
    zeros.set(schema, z);
  }
  return z;
}

function buildZero(s: TypeSchema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = shapeOf(s);
  if (shape.kind !== 'struct' || depth > 6) return Object.freeze(out);
  for (const [name, fs] of shape.fields!) {
    const fshape = shapeOf(fs);
    const required = shape.required!.has(name);
    const valueStruct = required || (VALUE_STRUCT_FIELDS.has(name) && !POINTER_STRUCT_FIELDS.has(`${s.ref ?? ''}.${name}`));
    if (fshape.kind === 'struct' && valueStruct) out[name] = buildZero(fs, depth + 1);
    else if (required && fshape.kind !== 'leaf') out[name] = null;
  }
  return Object.freeze(out);
}
