// Patch metadata for strategic merge patch: how each field of an object is merged.
//
// Kubernetes keeps this in Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`) and
// publishes it in OpenAPI as x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key. The
// schema model (server/schema/) is expected to implement PatchMetaLookup from the OpenAPI
// documents; until then patchMetaFromTable() reads a small hand-written description, and
// noStrategyPatchMeta knows nothing (lists replaced, maps merged: a JSON merge patch that also
// understands the $-directives).

/** How one field is patched. */
export interface PatchMeta {
  /**
   * x-kubernetes-patch-strategy: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys'.
   * Lists merge only with 'merge' (anything else replaces them); maps merge unless 'replace'.
   * 'retainKeys' only matters to patch generators: the server honours a $retainKeys directive
   * wherever it appears, as Kubernetes does.
   */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key: the field that identifies the items of a merged list of maps. */
  patchMergeKey?: string;
  /**
   * x-kubernetes-list-type / x-kubernetes-list-map-keys. Carried for server-side apply; a
   * strategic merge patch ignores them (Kubernetes uses only patchStrategy/patchMergeKey there,
   * so a listType=map list without patchStrategy=merge is replaced).
   */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /**
   * The field may hold any JSON (RawExtension, JSON, x-kubernetes-preserve-unknown-fields
   * without a type): a patch value of another kind (object / array / scalar) than the current one
   * replaces it. Without this, such a patch is a PatchError, as decoding the result into the
   * typed object fails in Kubernetes.
   */
  freeForm?: boolean;
}

/** Walks patch metadata alongside the document being patched. */
export interface PatchMetaLookup {
  /** The metadata of a named field of this object, and the lookup for that field's value. */
  field(name: string): { meta: PatchMeta; child: PatchMetaLookup };
  /** The lookup for the items of this list, or for the values of this map (labels, limits…). */
  elem(): PatchMetaLookup;
}

/** A plain description of an object's fields, for patchMetaFromTable. */
export interface PatchMetaTable {
  [field: string]: PatchMetaTableNode;
}

/** One field: its patch metadata plus the description of its value. */
export interface PatchMetaTableNode extends PatchMeta {
  /** The value is an object with these named fields. */
  fields?: PatchMetaTable;
  /** The value is a list whose items are described by this node (its own meta is unused). */
  items?: PatchMetaTableNode;
  /** The value is a map with arbitrary keys whose values are described by this node. */
  values?: PatchMetaTableNode;
}

function metaOf(node: PatchMetaTableNode): PatchMeta {
  const m: PatchMeta = {};
  if (node.patchStrategy !== undefined) m.patchStrategy = node.patchStrategy;
  if (node.patchMergeKey !== undefined) m.patchMergeKey = node.patchMergeKey;
  if (node.listType !== undefined) m.listType = node.listType;
  if (node.listMapKeys !== undefined) m.listMapKeys = [...node.listMapKeys];
  if (node.freeForm !== undefined) m.freeForm = node.freeForm;
  return Object.freeze(m);
}

function lookupFor(fields: PatchMetaTable | undefined, items: PatchMetaTableNode | undefined,
  values: PatchMetaTableNode | undefined, unknown: PatchMetaLookup): PatchMetaLookup {
  const cache = new Map<string, { meta: PatchMeta; child: PatchMetaLookup }>();
  let elem: PatchMetaLookup | undefined;
  const entry = (node: PatchMetaTableNode): { meta: PatchMeta; child: PatchMetaLookup } =>
    ({ meta: metaOf(node), child: lookupFor(node.fields, node.items, node.values, unknown) });
  return {
    field(name: string) {
      let hit = cache.get(name);
      if (hit) return hit;
      // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
      if (fields !== undefined && Object.hasOwn(fields, name)) hit = entry(fields[name]!);
      else if (values !== undefined) hit = entry(values);
      else return unknown.field(name);
      cache.set(name, hit);
      return hit;
    },
    elem() {
      if (elem) return elem;
      const node = items ?? values;
      elem = node ? lookupFor(node.fields, node.items, node.values, unknown) : unknown.elem();
      return elem;
    },
  };
}

function emptyLookup(meta: PatchMeta): PatchMetaLookup {
  const frozen = Object.freeze({ ...meta });
  const self: PatchMetaLookup = {
    field: () => result,
    elem: () => self,
  };
  const result = Object.freeze({ meta: frozen, child: self });
  return self;
}

/**
 * A lookup that knows no patch strategies and treats every field as free-form: lists are
 * replaced, maps merged, and a value may change kind — a JSON merge patch (RFC 7386) that also
 * obeys $patch, $retainKeys, $deleteFromPrimitiveList and $setElementOrder. For tests and for
 * kinds without a schema.
 */
export const noStrategyPatchMeta: PatchMetaLookup = emptyLookup({ freeForm: true });

/** Fields a table does not describe: no strategy, and their kind may not change. */
const undescribed: PatchMetaLookup = emptyLookup({});

/**
 * A lookup over a plain description of an object's fields. Fields the table does not name have
 * no strategy (lists replaced, maps merged).
 *
 * ```ts
 * patchMetaFromTable({ spec: { fields: { template: { fields: { spec: { fields: {
 *   containers: { patchStrategy: 'merge', patchMergeKey: 'name', items: { fields: {
 *     env: { patchStrategy: 'merge', patchMergeKey: 'name' } } } } } } } } } } })
 * ```
 */
export function patchMetaFromTable(table: PatchMetaTable): PatchMetaLookup {
  return lookupFor(table, undefined, undefined, undescribed);
}
