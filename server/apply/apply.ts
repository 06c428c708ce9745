// Server-side apply of one configuration to one object, as the real server's field manager does it
// (sigs.k8s.io/structured-merge-diff merge.Updater.Apply behind k8s.io/apimachinery's managedfields):
//   1. the configuration is merged into the live object (maps by key, associative lists by element key,
//      everything else replaced);
//   2. the configuration's field set becomes the manager's Apply entry;
//   3. fields the manager applied last time, left out now and owned by nobody else are removed;
//   4. fields the result changes that other managers own are conflicts (409, one cause per field) unless
//      `force`, which moves them to the applier; fields the result removes leave every other manager.
// Pure: no storage, no request; the REST wiring is in request.ts.
import { StatusError, badRequest } from '../api/errors.js';
import type { KubeObject, Status, StatusCause } from '../api/types.js';
import type { TypeSchema } from '../schema/types.js';
import { childSchema, FieldSet, FieldSetError, fieldSetOf, isPlainObject, listElement, pathString, shapeOf, type PathElement } from './field-set.js';
import {
  decodeManagedFields, encodeManagedFields, endpointComparison, endpointFields, managedTime, managerIdentity,
  stripServerFields, withoutManagedFields, type ManagerEntry, type Managers, type WriteContext,
} from './managed-fields.js';
import { compareObjects, type Comparison, mergeObjects, removeItems, zeroObject } from './typed.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** What an apply needs besides the objects. */
export interface ApplyContext extends WriteContext {
  /** Take fields other managers own instead of failing with a conflict. */
  force: boolean;
}

/** One field another manager owns that the apply would change. */
export interface Conflict {
  manager: ManagerEntry;
  /** Identity of the manager's entry (conflicts are grouped and sorted by it). */
  id: string;
  path: PathElement[];
}

/** How the real server names a manager in conflicts: `"name"[ with subresource "s"][ using v1]`. */
export function describeManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** The 409 Conflict Status of an apply, with the real server's message and one cause per field. */
export function conflictStatus(conflicts: readonly Conflict[]): Status {
  const sorted = [...conflicts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const causes: StatusCause[] = sorted.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(sorted[0]!.manager)}: ${pathString(sorted[0]!.path)}`;
  } else {
    const lines: string[] = [];
    let current: string | undefined;
    for (const c of sorted) {
      if (c.id !== current) {
        current = c.id;
        lines.push(`conflicts with ${describeManager(c.manager)}:`);
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', details: { causes }, code: 409 };
}

/** An apply that conflicts with other managers (409). */
export class ApplyConflictError extends StatusError {
  readonly conflicts: readonly Conflict[];
  constructor(conflicts: readonly Conflict[]) {
    super(conflictStatus(conflicts));
    this.conflicts = conflicts;
  }
}

function decodeOrEmpty(raw: unknown): Managers {
  try {
    return decodeManagedFields(raw);
  } catch {
    return new Map();
  }
}

function structural(err: unknown): never {
  if (err instanceof FieldSetError) throw badRequest(`error applying patch: ${err.message}`);
  throw err;
}

/**
 * Applies `config` for `ctx.manager` to `live` (undefined when the object does not exist yet) and returns the
 * object to store, managedFields included. Throws ApplyConflictError (409) on conflicts without `force`, and
 * 400 BadRequest for configurations that cannot be applied (managedFields set, list elements without keys or
 * with duplicate keys).
 */
export function applyConfiguration(live: Readonly<KubeObject> | undefined, config: KubeObject, ctx: ApplyContext): KubeObject {
  const cmd = config.metadata;
  if (isPlainObject(cmd) && cmd['managedFields'] !== undefined) {
    if (cmd['managedFields'] !== null) throw badRequest('metadata.managedFields must be nil');
    delete cmd['managedFields'];
  }
  const { schema, manager } = ctx;
  const now = ctx.now ?? new Date();
  const liveClean: Readonly<Record<string, unknown>> = live ? withoutManagedFields(live) : {};
  const managers = live ? decodeOrEmpty(live.metadata.managedFields) : new Map<string, ManagerEntry>();

  // An object nobody tracked yet: what it holds belongs to "before-first-apply".
  if (managers.size === 0 && live?.metadata?.uid) {
    try {
      const cmp = endpointComparison(compareObjects(zeroObject(schema), liveClean, schema), ctx);
      const set = stripServerFields(cmp.added.union(cmp.modified));
      const owner = { manager: 'before-first-apply', operation: 'Update' as const, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
      if (!set.isEmpty()) managers.set(managerIdentity(owner), { ...owner, set, time: managedTime(now) });
    } catch (err) {
      if (!(err instanceof FieldSetError)) throw err;
    }
  }

  let merged: Record<string, unknown>;
  let applied: FieldSet;
  try {
    merged = (mergeObjects(liveClean, config, schema) as Record<string, unknown> | undefined) ?? {};
    applied = endpointFields(fieldSetOf(config, schema), ctx);
  } catch (err) {
    structural(err);
  }

  const owner = { manager, operation: 'Apply' as const, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const applyId = managerIdentity(owner);
  const last = managers.get(applyId);
  const mine: ManagerEntry = { ...owner, set: applied };
  if (last?.time) mine.time = last.time;
  managers.set(applyId, mine);
  // What the entry will hold (the server never tracks its own metadata); the same set as last time stays the
  // same object (its encoded form is remembered).
  let kept = stripServerFields(applied);
  if (last && kept.equals(last.set)) kept = last.set;

  if (last && kept !== last.set && !last.set.isEmpty()) merged = prune(merged, managers, last.set, kept, schema);

  let raw: Comparison;
  try {
    raw = compareObjects(liveClean, merged, schema);
  } catch (err) {
    structural(err);
  }
  const objectChanged = !live || !(raw.added.isEmpty() && raw.modified.isEmpty() && raw.removed.isEmpty());
  const cmp = endpointComparison(raw, ctx);
  const changed = cmp.added.union(cmp.modified);
  if (!ctx.force) {
    let conflicts: Conflict[] = [];
    for (const [id, e] of managers) {
      if (id === applyId) continue;
      const c = e.set.intersection(changed);
      if (c.isEmpty()) continue;
      for (const path of c.paths()) conflicts.push({ manager: e, id, path });
    }
    // kubectl moving an object from client-side to server-side apply: what its last-applied annotation says
    // it applied (and still is so) is its own to take.
    if (conflicts.length > 0 && manager === 'kubectl' && live) {
      const allowed = allowedByLastApplied(liveClean, ctx);
      if (allowed) conflicts = conflicts.filter((c) => !allowed.has(c.path));
    }
    if (conflicts.length > 0) throw new ApplyConflictError(conflicts);
  }
  for (const [id, e] of managers) {
    if (id === applyId) continue;
    const set = e.set.difference(changed).difference(cmp.removed);
    if (set.isEmpty()) managers.delete(id);
    else e.set = set;
  }
  mine.set = kept;
  if (mine.set.isEmpty()) managers.delete(applyId);
  else if (objectChanged || !mine.time) mine.time = managedTime(now);

  if (manager === 'kubectl' && live) syncLastApplied(merged, config);

  const md = (isPlainObject(merged['metadata']) ? merged['metadata'] : (merged['metadata'] = {})) as Record<string, unknown>;
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) md['managedFields'] = encoded;
  return merged as KubeObject;
}

/**
 * Removes what the manager applied last time and no longer does, unless someone (the manager's new
 * configuration included) owns it. A path is "owned" or "applied" when it is in the set, or when it is a
 * struct field with owned paths below it (structured-merge-diff's EnsureNamedFieldsAreMembers).
 */
function prune(
  merged: Record<string, unknown>, managers: Managers, lastSet: FieldSet, mine: FieldSet, schema: TypeSchema | undefined,
): Record<string, unknown> {
  // Only what was applied last time and is not now can go: what the new configuration still applies is owned.
  const stale = lastSet.difference(mine);
  if (stale.isEmpty()) return merged;
  const toRemove = new FieldSet();
  const owners = [...managers.values()].map((e) => e.set);
  collectPrunable(stale, schema, merged, owners, [], toRemove);
  if (toRemove.isEmpty()) return merged;
  return (removeItems(merged, toRemove, schema) as Record<string, unknown> | undefined) ?? {};
}

function collectPrunable(
  last: FieldSet, schema: TypeSchema | undefined, value: unknown, owners: FieldSet[], path: PathElement[], out: FieldSet,
): void {
  if (!last.children || value === undefined || value === null) return;
  const shape = shapeOf(schema);
  if (shape.kind === 'leaf') return;
  let items: Map<PathElement, unknown> | undefined;
  if ((shape.kind === 'list' || shape.kind === 'set') && Array.isArray(value)) {
    items = new Map();
    for (const item of value) {
      try {
        const pe = listElement(shape, item);
        if (!items.has(pe)) items.set(pe, item);
      } catch {
        // an element without keys has no path: nothing to prune there
      }
    }
  }
  for (const [pe, lastChild] of last.children) {
    let child: unknown;
    let childSchemaNode: TypeSchema | undefined;
    let named = false;
    if (pe.charCodeAt(0) === 102 /* f */) {
      if (!isPlainObject(value) || (shape.kind !== 'struct' && shape.kind !== 'map')) continue;
      const name = pe.slice(2);
      child = value[name];
      childSchemaNode = childSchema(shape, name);
      named = shape.kind === 'struct' && childSchemaNode !== undefined;
    } else {
      if (!items) continue;
      child = items.get(pe);
      childSchemaNode = shape.elem;
    }
    if (child === undefined) continue;
    const ownerChildren: FieldSet[] = [];
    for (const o of owners) {
      const c = o.children?.get(pe);
      if (c) ownerChildren.push(c);
    }
    if (inEnsured(lastChild, named) && !ownerChildren.some((o) => inEnsured(o, named))) {
      out.insert([...path, pe]);
      continue;
    }
    path.push(pe);
    collectPrunable(lastChild, childSchemaNode, child, ownerChildren, path, out);
    path.pop();
  }
}

/** Whether a node's path counts as in the set: a member, or a struct field with paths below it. */
function inEnsured(node: FieldSet, namedField: boolean): boolean {
  return node.member || (namedField && node.children !== undefined && node.children.size > 0);
}

/** The fields of the last-applied annotation that still hold the live values; undefined without one. */
function allowedByLastApplied(live: Readonly<Record<string, unknown>>, ctx: ApplyContext): FieldSet | undefined {
  const annotations = (live['metadata'] as Record<string, unknown> | undefined)?.['annotations'];
  const text = isPlainObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last) || last['apiVersion'] !== ctx.apiVersion) return undefined;
  try {
    const cmp = compareObjects(last, live, ctx.schema);
    return fieldSetOf(last, ctx.schema).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch (err) {
    if (err instanceof FieldSetError) return undefined;
    throw err;
  }
}

/** JSON with object keys sorted, as Go encodes a map. */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** kubectl's server-side apply keeps an existing last-applied annotation up to date with what it applied. */
function syncLastApplied(merged: Record<string, unknown>, config: KubeObject): void {
  const md = merged['metadata'];
  if (!isPlainObject(md) || !isPlainObject(md['annotations'])) return;
  const annotations = md['annotations'];
  if (typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' || annotations[LAST_APPLIED_ANNOTATION] === '') return;
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const cmd = copy['metadata'];
  if (isPlainObject(cmd) && isPlainObject(cmd['annotations'])) delete cmd['annotations'][LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = `${sortedJson(copy)}\n`;
}

