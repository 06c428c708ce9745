// What happens to an object on its way into storage: server-set metadata, defaults, validation, and the
// split between the main resource and its status subresource. The generic store's strategy, as data + hooks.
import { randomUUID, randomInt } from 'node:crypto';
import { badRequest, invalid } from '../api/errors.js';
import type { KubeObject, ObjectMeta, StatusCause } from '../api/types.js';
import { validateName, validateLabels } from '../registry/names.js';
import type { ResourceDef } from '../registry/types.js';
import { groupVersionString } from '../registry/types.js';
import { deepEqual } from '../apply/typed.js';

/** RFC 3339 at second precision, as Kubernetes writes timestamps. */
export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName plus five random characters, as the API server does. */
export function generatedName(prefix: string): string {
  const maxPrefix = 63 - 5;
  let name = prefix.length > maxPrefix ? prefix.slice(0, maxPrefix) : prefix;
  for (let i = 0; i < 5; i++) name += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return name;
}

/** Whether the kind has a status subresource (then the main resource may not change status). */
export function hasStatusSubresource(def: ResourceDef): boolean {
  return def.subresources.some((s) => s.name === 'status');
}

/** Puts kind, apiVersion and metadata first so stored JSON always starts the same way. */
export function canonicalOrder(def: ResourceDef, obj: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, metadata, ...rest } = obj;
  return { kind: def.kind, apiVersion: groupVersionString(def), metadata, ...rest };
}

/** Checks the body's kind and apiVersion against the URL's resource (both may be omitted). */
export function checkKind(def: ResourceDef, body: Record<string, unknown>): void {
  const gv = groupVersionString(def);
  const kind = body['kind'];
  const apiVersion = body['apiVersion'];
  if (kind !== undefined && typeof kind !== 'string') throw badRequest('kind must be a string');
  if (apiVersion !== undefined && typeof apiVersion !== 'string') throw badRequest('apiVersion must be a string');
  if (apiVersion && apiVersion !== gv) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${gv})`);
  }
  if (kind && kind !== def.kind) {
    throw badRequest(`${kind} in version "${def.version}" cannot be handled as a ${def.kind}: the kind in the data does not match the resource`);
  }
  const md = body['metadata'];
  if (md !== undefined && md !== null && (typeof md !== 'object' || Array.isArray(md))) {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`);
  }
}

/** Typed view of a decoded body as an object with metadata (after checkKind). */
export function asKubeObject(body: Record<string, unknown>): KubeObject {
  const md = body['metadata'];
  if (md === undefined || md === null) body['metadata'] = {};
  return body as KubeObject;
}

/** Metadata fields whose types matter to kage: wrong types are 400s, not crashes. */
function checkMetadataTypes(meta: ObjectMeta): StatusCause[] {
  const causes: StatusCause[] = [];
  const str = (f: keyof ObjectMeta) => {
    const v = meta[f];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: must be a string`, field: `metadata.${String(f)}` });
    }
  };
  str('name'); str('generateName'); str('namespace'); str('resourceVersion'); str('uid');
  const map = (f: 'labels' | 'annotations') => {
    const v = meta[f];
    if (v === undefined || v === null) return;
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: must be a map of strings', field: `metadata.${f}` });
    }
  };
  map('labels'); map('annotations');
  if (meta.finalizers !== undefined && meta.finalizers !== null &&
      (!Array.isArray(meta.finalizers) || meta.finalizers.some((x) => typeof x !== 'string'))) {
    causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: must be a list of strings', field: 'metadata.finalizers' });
  }
  return causes;
}

/** Validates metadata and the kind's own rules; throws 422 Invalid with every cause. */
export function validateObject(def: ResourceDef, obj: KubeObject, old?: KubeObject): void {
  const meta = obj.metadata;
  const causes: StatusCause[] = checkMetadataTypes(meta);
  if (causes.length === 0) {
    const name = meta.name ?? '';
    if (!name) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    } else {
      for (const msg of validateName(def.nameRule, name)) {
        causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${msg}`, field: 'metadata.name' });
      }
    }
    for (const e of validateLabels(meta.labels ?? {})) {
      causes.push({ reason: 'FieldValueInvalid', message: e.message, field: e.field });
    }
    const annotationBytes = Object.entries(meta.annotations ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (annotationBytes > 256 * 1024) {
      causes.push({ reason: 'FieldValueTooLong', message: 'Too long: must have at most 262144 bytes', field: 'metadata.annotations' });
    }
    if (def.validate) causes.push(...def.validate(obj, old));
  }
  if (causes.length > 0) throw invalid(def.kind, def.group, meta.name ?? meta.generateName ?? '', causes);
}

/** Fills server-owned metadata of a new object and applies create-time rules. */
export function prepareForCreate(def: ResourceDef, obj: KubeObject, namespace: string, now: Date): KubeObject {
  const meta = obj.metadata;
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!meta.name && meta.generateName && typeof meta.generateName === 'string') meta.name = generatedName(meta.generateName);
  if (def.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  if (def.generation) meta.generation = 1;
  else delete meta.generation;
  // A new object starts with an empty status; controllers fill it (nodes report their own).
  if (hasStatusSubresource(def) && def.kind !== 'Node') obj['status'] = {};
  if (def.defaults) def.defaults(obj);
  return canonicalOrder(def, obj);
}


/** Whether anything outside metadata and status differs (that bumps metadata.generation). */
function specChanged(next: KubeObject, old: Readonly<KubeObject>): boolean {
  const strip = (o: Readonly<KubeObject>) => {
    const { metadata: _m, status: _s, kind: _k, apiVersion: _a, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(next), strip(old));
}

/**
 * Applies update rules to `next` given the stored `old`: immutable metadata kept, status owned by the right
 * endpoint, generation bumped on spec changes. `subresource` is "" or "status".
 */
export function prepareForUpdate(def: ResourceDef, next: KubeObject, old: Readonly<KubeObject>, subresource: string): KubeObject {
  let result: KubeObject;
  if (subresource === 'status') {
    // The status endpoint changes only status; everything else is the stored object's.
    result = JSON.parse(JSON.stringify(old)) as KubeObject;
    if (next['status'] === undefined) delete result['status'];
    else result['status'] = next['status'];
    // managedFields are the write's own (ResetObjectMetaForStatus leaves them): server-side apply has already
    // recorded its entry in them, and other writes record theirs afterwards from the stored object's.
    const managed = next.metadata.managedFields;
    if (managed === undefined) delete result.metadata.managedFields;
    else result.metadata.managedFields = managed;
  } else {
    result = next;
    if (hasStatusSubresource(def)) {
      // The stored object is shared and frozen: the new object gets its own copy of the status.
      if (old['status'] === undefined) delete result['status'];
      else result['status'] = JSON.parse(JSON.stringify(old['status'])) as unknown;
    }
    const meta = result.metadata;
    const oldMeta = old.metadata;
    meta.name = oldMeta.name;
    if (def.namespaced) meta.namespace = oldMeta.namespace;
    else delete meta.namespace;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    if (def.generation) {
      meta.generation = (oldMeta.generation ?? 1) + (specChanged(result, old) ? 1 : 0);
    } else {
      delete meta.generation;
    }
    if (def.defaults) def.defaults(result);
  }
  result.metadata.uid = old.metadata.uid;
  delete result.metadata.resourceVersion;
  return canonicalOrder(def, result);
}

/** True when two objects are the same apart from resourceVersion: such an update writes nothing. */
export function unchanged(next: KubeObject, old: KubeObject): boolean {
  const a = { ...next, metadata: { ...next.metadata, resourceVersion: undefined } };
  const b = { ...old, metadata: { ...old.metadata, resourceVersion: undefined } };
  return deepEqual(a, b);
}
