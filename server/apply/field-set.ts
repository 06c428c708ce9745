// Field sets: the sets of field paths that server-side apply tracks per manager (managedFields), in the
// FieldsV1 wire form and as a trie to compute with, plus the field set of an object given its schema.
//
// A path is a list of path elements, each serialized as in FieldsV1:
//   f:<name>          a struct field or a map key                      ("f:spec", "f:app.kubernetes.io/name")
//   k:<json object>   an element of an associative list, by its keys   ('k:{"containerPort":80,"protocol":"TCP"}')
//   v:<json value>    an element of a set                              ('v:"kubernetes"')
//   i:<index>         an element of a list by position (read and kept, never produced)
// FieldsV1 nests elements as JSON objects; "." inside a node means the path of that node is itself in the set
// (written only when the node also has children; a member without children is just `{}`).
//
//   const set = fieldSetOf(deployment, schemaForKind('apps', 'v1', 'Deployment'));
//   set.has(['f:spec', 'f:replicas'])   // true when the object sets spec.replicas
//   set.toFieldsV1()                    // {"f:metadata":{...},"f:spec":{"f:replicas":{},...}}
//
// Semantics follow sigs.k8s.io/structured-merge-diff (fieldpath and typed): which lists are associative,
// when a node is itself a member, element order, and the set operations.
import type { TypeSchema } from '../schema/types.js';

/** A serialized path element ("f:spec", 'k:{"name":"a"}', 'v:"x"', "i:0"). */
export type PathElement = string;

/** A field set that cannot be built or read: a list element without its keys, a malformed FieldsV1 key, ... */
export class FieldSetError extends Error {}

/**
 * A set of paths, as a trie: each node stands for the path leading to it, `member` says whether that path is
 * itself in the set, `children` hold the longer paths. The root never is a member. Operations return new sets
 * that may share nodes with their inputs: treat sets as immutable once built (`insert` is for building).
 * Invariant: no child node is empty.
 */
export class FieldSet {
  member = false;
  children: Map<PathElement, FieldSet> | undefined = undefined;

  /** True when no path is in the set. */
  isEmpty(): boolean {
    return !this.member && (this.children === undefined || this.children.size === 0);
  }

  /** Adds a path (an empty path adds nothing). */
  insert(path: readonly PathElement[]): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (const pe of path) {
      node.children ??= new Map();
      let next = node.children.get(pe);
      if (!next) {
        next = new FieldSet();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  /** Whether the path is in the set. */
  has(path: readonly PathElement[]): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (const pe of path) {
      node = node.children?.get(pe);
      if (!node) return false;
    }
    return node.member;
  }

  /** The node of a path element below this one (its member flag and longer paths), if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children?.get(pe);
  }

  /** The union; `this` itself when `other` adds nothing. */
  union(other: FieldSet): FieldSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const member = this.member || other.member;
    let children = this.children;
    if (other.children && other.children.size > 0) {
      for (const [pe, c] of other.children) {
        const mine = this.children?.get(pe);
        const u = mine ? mine.union(c) : c;
        if (u === mine) continue;
        if (children === this.children) children = new Map(this.children);
        children!.set(pe, u);
      }
    }
    if (member === this.member && children === this.children) return this;
    const out = new FieldSet();
    out.member = member;
    out.children = children;
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    if (this.children && other.children) {
      const [small, large] = this.children.size <= other.children.size ? [this.children, other.children] : [other.children, this.children];
      for (const [pe, c] of small) {
        const o = large.get(pe);
        if (!o) continue;
        const i = small === this.children ? c.intersection(o) : o.intersection(c);
        if (!i.isEmpty()) (out.children ??= new Map()).set(pe, i);
      }
    }
    return out;
  }

  /** The paths of this set that are not in `other` (longer paths compared one by one); `this` when none go. */
  difference(other: FieldSet): FieldSet {
    return this.subtract(other, false);
  }

  /** Like difference, but a path of `other` also takes away every longer path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    return this.subtract(other, true);
  }

  private subtract(other: FieldSet, recursive: boolean): FieldSet {
    if (other === this) return new FieldSet();
    if (other.isEmpty() || this.isEmpty()) return this;
    const member = this.member && !other.member;
    let children = this.children;
    if (this.children && other.children && other.children.size > 0) {
      for (const [pe, c] of this.children) {
        const o = other.children.get(pe);
        if (!o) continue;
        const d = recursive && o.member ? undefined : c.subtract(o, recursive);
        if (d === c) continue;
        if (children === this.children) children = new Map(this.children);
        if (d === undefined || d.isEmpty()) children!.delete(pe);
        else children!.set(pe, d);
      }
    }
    if (member === this.member && children === this.children) return this;
    const out = new FieldSet();
    out.member = member;
    if (children && children.size > 0) out.children = children;
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.member !== other.member) return false;
    const a = this.children?.size ?? 0;
    const b = other.children?.size ?? 0;
    if (a !== b) return false;
    if (a === 0) return true;
    for (const [pe, c] of this.children!) {
      const o = other.children!.get(pe);
      if (!o || !c.equals(o)) return false;
    }
    return true;
  }

  /** Every path in the set, in FieldsV1 order (a path before the longer paths below it). */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]) => {
      if (!node.children) return;
      for (const pe of sortedElements(node.children.keys())) {
        const c = node.children.get(pe)!;
        const p = [...prefix, pe];
        if (c.member) out.push(p);
        walk(c, p);
      }
    };
    walk(this, []);
    return out;
  }

  /** The FieldsV1 JSON form (elements sorted as the real server writes them). */
  toFieldsV1(): Record<string, unknown> {
    return emit(this, false);
  }

  /** Reads the FieldsV1 JSON form; throws FieldSetError on malformed input. */
  static fromFieldsV1(json: unknown): FieldSet {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FieldSetError('FieldsV1 must be a JSON object');
    const set = read(json as Record<string, unknown>, 0);
    set.member = false;
    return set;
  }

  /** A set holding the given paths. */
  static of(...paths: (readonly PathElement[])[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }
}

function emit(node: FieldSet, includeSelf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!node.children || node.children.size === 0) return out;
  if (includeSelf && node.member) out['.'] = {};
  for (const pe of sortedElements(node.children.keys())) out[pe] = emit(node.children.get(pe)!, true);
  return out;
}

const MAX_FIELDS_DEPTH = 256;

function read(obj: Record<string, unknown>, depth: number): FieldSet {
  if (depth > MAX_FIELDS_DEPTH) throw new FieldSetError('FieldsV1 is nested too deeply');
  const node = new FieldSet();
  let hasChildren = false;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (key === '.') {
      node.member = true;
      continue;
    }
    const pe = canonicalElement(key);
    if (pe === undefined) continue; // unknown element types are skipped, as the real server does
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FieldSetError(`FieldsV1: the value of ${JSON.stringify(key)} must be an object`);
    const c = read(v as Record<string, unknown>, depth + 1);
    (node.children ??= new Map()).set(pe, node.children.get(pe)?.union(c) ?? c);
    hasChildren = true;
  }
  // A node with no children is a member by itself ({} is a leaf).
  if (!hasChildren) node.member = true;
  return node;
}

// ---------------------------------------------------------------------------------------------------------
// Path elements

export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

export function indexElement(i: number): PathElement {
  return `i:${i}`;
}

/** A set element: a scalar value. */
export function valueElement(v: unknown): PathElement {
  return `v:${JSON.stringify(v)}`;
}

/** An associative list element by its key fields (sorted by name, as the real server writes them). */
export function keyElement(fields: ReadonlyArray<readonly [string, unknown]>): PathElement {
  const sorted = fields.length > 1 ? [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : fields;
  let s = 'k:{';
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0) s += ',';
    s += `${JSON.stringify(sorted[i]![0])}:${JSON.stringify(sorted[i]![1])}`;
  }
  return `${s}}`;
}

/** The canonical form of a FieldsV1 key; undefined for element types this version does not know. */
export function canonicalElement(key: string): PathElement | undefined {
  if (key.length < 2 || key[1] !== ':') throw new FieldSetError(`FieldsV1: malformed path element ${JSON.stringify(key)}`);
  if (key.charCodeAt(0) === 102 /* f */) return key;
  let pe = canonical.get(key);
  if (pe === undefined) {
    pe = canonicalize(key);
    if (pe === undefined) return undefined;
    if (canonical.size >= MAX_CANONICAL) canonical.clear();
    canonical.set(key, pe);
  }
  return pe;
}

/** Canonical forms of the `k:`/`v:`/`i:` keys seen lately (strings: safe to share; bounded). */
const canonical = new Map<string, PathElement>();
const MAX_CANONICAL = 20000;

function canonicalize(key: string): PathElement | undefined {
  const body = key.slice(2);
  switch (key[0]) {
    case 'k': {
      const parsed = parseJsonElement(key, body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new FieldSetError(`FieldsV1: the key of ${JSON.stringify(key)} must be a JSON object`);
      }
      return keyElement(Object.entries(parsed as Record<string, unknown>));
    }
    case 'v':
      return valueElement(parseJsonElement(key, body));
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new FieldSetError(`FieldsV1: malformed index in ${JSON.stringify(key)}`);
      return indexElement(Number(body));
    }
    default:
      return undefined;
  }
}

function parseJsonElement(key: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new FieldSetError(`FieldsV1: malformed JSON in path element ${JSON.stringify(key)}`);
  }
}

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Orders path elements as structured-merge-diff does: fields, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  const ra = RANK[a[0]!] ?? 4;
  const rb = RANK[b[0]!] ?? 4;
  if (ra !== rb) return ra - rb;
  switch (a[0]) {
    case 'f':
      return a < b ? -1 : 1;
    case 'k':
      return compareFieldLists(Object.entries(JSON.parse(a.slice(2)) as object), Object.entries(JSON.parse(b.slice(2)) as object));
    case 'v':
      return compareValues(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)));
    case 'i':
      return Number(a.slice(2)) - Number(b.slice(2));
    default:
      return a < b ? -1 : 1;
  }
}

function sortedElements(keys: Iterable<PathElement>): PathElement[] {
  const list = [...keys];
  if (list.length < 2) return list;
  let fieldsOnly = true;
  for (const k of list) {
    if (k.charCodeAt(0) !== 102 /* f */) {
      fieldsOnly = false;
      break;
    }
  }
  // Field names (the common case) sort as plain strings.
  if (fieldsOnly) return list.sort();
  // Keys and values are parsed once, not at every comparison.
  const decorated = list.map((pe) => ({ pe, rank: RANK[pe[0]!] ?? 4, parsed: pe[0] === 'k' || pe[0] === 'v' ? parseElementBody(pe) : undefined }));
  decorated.sort((a, b) => {
    if (a.rank !== b.rank) return a.rank - b.rank;
    switch (a.pe[0]) {
      case 'k':
        return compareFieldLists(a.parsed as [string, unknown][], b.parsed as [string, unknown][]);
      case 'v':
        return compareValues(a.parsed, b.parsed);
      case 'i':
        return Number(a.pe.slice(2)) - Number(b.pe.slice(2));
      default:
        return a.pe < b.pe ? -1 : a.pe > b.pe ? 1 : 0;
    }
  });
  return decorated.map((d) => d.pe);
}

function parseElementBody(pe: PathElement): unknown {
  const v: unknown = JSON.parse(pe.slice(2));
  return pe[0] === 'k' ? Object.entries(v as object) : v;
}

function compareFieldLists(a: [string, unknown][], b: [string, unknown][]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const [an, av] = a[i]!;
    const [bn, bv] = b[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    const c = compareValues(av, bv);
    if (c !== 0) return c;
  }
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5; // null
}

/** structured-merge-diff's value order: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const ea = Object.entries(a as object).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const eb = Object.entries(b as object).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      return compareFieldLists(ea, eb);
    }
    default:
      return 0;
  }
}

/** Go's %v of a value as structured-merge-diff prints it (strings quoted). */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v as object).map(([k, x]) => `${k}=${valueString(x)}`).join('');
}

/** A path as the real server prints it in conflicts: `.spec.template.spec.containers[name="a"].image`. */
export function pathString(path: readonly PathElement[]): string {
  let s = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        s += `.${body}`;
        break;
      case 'k': {
        const fields = Object.entries(JSON.parse(body) as object);
        s += `[${fields.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
        break;
      }
      case 'v':
        s += `[=${valueString(JSON.parse(body))}]`;
        break;
      case 'i':
        s += `[${body}]`;
        break;
      default:
        s += '{{invalid path element}}';
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// Schema shapes: how server-side apply sees a schema node.

/**
 * leaf    a scalar, a special form (time, quantity, ...), an atomic struct/map/list, or anything untyped:
 *         owned and replaced as a whole
 * struct  a granular struct: fields by name
 * map     a granular map: entries by key
 * list    an associative list (x-kubernetes-list-type map, or a strategic-merge list with a merge key):
 *         elements by their keys
 * set     a list of scalars that is a set (x-kubernetes-list-type set, or strategic merge without a key)
 */
export interface Shape {
  readonly kind: 'leaf' | 'struct' | 'map' | 'list' | 'set';
  /** struct: field schemas by name. */
  readonly fields?: ReadonlyMap<string, TypeSchema>;
  /** struct: required field names. */
  readonly required?: ReadonlySet<string>;
  /** map: value schema; list/set: element schema. */
  readonly elem?: TypeSchema;
  /** list: the key fields of an element. */
  readonly keys?: readonly string[];
  /** list: the key fields sorted by name, and each as a JSON string (how `k:` elements write them). */
  readonly sortedKeys?: readonly string[];
  readonly quotedKeys?: readonly string[];
}

const LEAF: Shape = Object.freeze({ kind: 'leaf' });
const shapes = new WeakMap<TypeSchema, Shape>();

/** The shape of a schema node (cached; schema nodes are frozen). */
export function shapeOf(s: TypeSchema | undefined): Shape {
  if (!s) return LEAF;
  let shape = shapes.get(s);
  if (!shape) {
    shape = computeShape(s);
    shapes.set(s, shape);
  }
  return shape;
}

function computeShape(s: TypeSchema): Shape {
  if (s.special) return LEAF;
  if (s.type === 'array') {
    if (!s.items) return LEAF;
    const merge = (s.patchStrategy ?? '').split(',').includes('merge');
    const listType = s.listType ?? (merge ? (s.patchMergeKey ? 'map' : 'set') : 'atomic');
    if (listType === 'map') {
      const keys = s.listMapKeys && s.listMapKeys.length > 0 ? s.listMapKeys : s.patchMergeKey ? [s.patchMergeKey] : undefined;
      if (!keys) return LEAF;
      const sortedKeys = [...keys].sort();
      return { kind: 'list', elem: s.items, keys, sortedKeys, quotedKeys: sortedKeys.map((k) => JSON.stringify(k)) };
    }
    if (listType === 'set') return { kind: 'set', elem: s.items };
    return LEAF;
  }
  if (s.type === 'object') {
    if (s.mapType === 'atomic') return LEAF;
    if (s.properties && Object.keys(s.properties).length > 0) {
      return { kind: 'struct', fields: new Map(Object.entries(s.properties)), required: new Set(s.required ?? []) };
    }
    if (s.additionalProperties) return { kind: 'map', elem: s.additionalProperties };
  }
  return LEAF;
}

/** The schema of a struct field or map value; undefined for a field the struct does not declare. */
export function childSchema(shape: Shape, name: string): TypeSchema | undefined {
  if (shape.kind === 'struct') return shape.fields!.get(name);
  return shape.elem;
}

/** Key fields of associative list elements that have a default when left out (as the API's OpenAPI says). */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The path element of an element of an associative list or set; throws FieldSetError when it has none. */
export function listElement(shape: Shape, item: unknown): PathElement {
  if (shape.kind === 'list') {
    if (item === null || item === undefined) throw new FieldSetError('associative list with keys may not have a null element');
    if (!isPlainObject(item)) throw new FieldSetError('associative list with keys may not have non-map elements');
    const keys = shape.sortedKeys!;
    const quoted = shape.quotedKeys!;
    let pe = 'k:{';
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      let v = item[k];
      if (v === undefined) {
        if (!Object.hasOwn(KEY_DEFAULTS, k)) continue;
        v = KEY_DEFAULTS[k];
      }
      pe += `${n++ > 0 ? ',' : ''}${quoted[i]!}:${JSON.stringify(v)}`;
    }
    if (n === 0) {
      throw new FieldSetError(
        `associative list with keys has an element that omits all key fields ${JSON.stringify(shape.keys)} (and doesn't have default values for any key fields)`,
      );
    }
    return `${pe}}`;
  }
  if (isPlainObject(item)) throw new FieldSetError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new FieldSetError('not supported: associative list with lists as elements');
  if (item === null || item === undefined) throw new FieldSetError("associative list without keys has an element that's an explicit null");
  return valueElement(item);
}

/** Prefixes a FieldSetError with the path where it happened. */
export function errorAt(path: readonly PathElement[], err: unknown): never {
  if (err instanceof FieldSetError && path.length > 0) throw new FieldSetError(`${pathString(path)}: ${err.message}`);
  throw err;
}

// ---------------------------------------------------------------------------------------------------------
// The field set of an object

/**
 * The paths an object sets, given its schema: every leaf it sets; every map entry, list element and null or
 * empty field as a path of its own (struct fields that hold something are only there through their leaves).
 * Throws FieldSetError for a list element without its keys (the message names the path).
 */
export function fieldSetOf(value: unknown, schema: TypeSchema | undefined): FieldSet {
  const root = build(value, schema, []);
  root.member = false;
  return root;
}

function build(v: unknown, s: TypeSchema | undefined, path: PathElement[]): FieldSet {
  const node = new FieldSet();
  const shape = shapeOf(s);
  switch (shape.kind) {
    case 'struct':
    case 'map': {
      if (!isPlainObject(v)) {
        if (v !== null && v !== undefined) node.member = true; // not what the schema says: a leaf
        return node;
      }
      for (const k in v) {
        const cv = v[k];
        if (cv === undefined) continue;
        const fs = childSchema(shape, k);
        const pe = `f:${k}`;
        path.push(pe);
        const c = build(cv, fs, path);
        path.pop();
        // Map entries, undeclared fields and null or empty fields are paths of their own.
        if (cv === null || (isPlainObject(cv) && isEmptyObject(cv)) || shape.kind === 'map' || fs === undefined) c.member = true;
        if (!c.isEmpty()) (node.children ??= new Map()).set(pe, c);
      }
      return node;
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) {
        if (v !== null && v !== undefined) node.member = true;
        return node;
      }
      const pes: PathElement[] = [];
      let dups: Set<PathElement> | undefined;
      const seen = new Set<PathElement>();
      for (let i = 0; i < v.length; i++) {
        let pe: PathElement;
        try {
          pe = listElement(shape, v[i]);
        } catch (err) {
          errorAt(path, err instanceof FieldSetError ? new FieldSetError(`element ${i}: ${err.message}`) : err);
        }
        if (seen.has(pe)) (dups ??= new Set()).add(pe);
        seen.add(pe);
        pes.push(pe);
      }
      for (let i = 0; i < v.length; i++) {
        const pe = pes[i]!;
        let c: FieldSet;
        if (dups?.has(pe)) {
          // Duplicated elements are owned as a whole.
          c = new FieldSet();
        } else {
          path.push(pe);
          c = build(v[i], shape.elem, path);
          path.pop();
        }
        c.member = true;
        (node.children ??= new Map()).set(pe, c);
      }
      return node;
    }
    default:
      node.member = true;
      return node;
  }
}

export function isEmptyObject(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}
