// metadata.managedFields: who owns which fields of an object. Decoding and encoding the wire form, the
// manager of a request, and the bookkeeping of non-apply writes (operation Update), as the real server's
// field manager does it (k8s.io/apimachinery/pkg/util/managedfields):
//   - fields a write adds or changes move to the writing manager (taken away from everyone else), fields it
//     removes leave every manager;
//   - one entry per (manager, operation, apiVersion for Update, subresource); entries left empty are dropped;
//     at most 10 Update entries, older ones merged into "ancient-changes";
//   - metadata that the server owns (name, uid, resourceVersion, ...) is never tracked, nor status on the main
//     resource of a kind with a status subresource, nor anything but status on the status subresource.
import type { KubeObject } from '../api/types.js';
import type { TypeSchema } from '../schema/types.js';
import { FieldSet, FieldSetError } from './field-set.js';
import { compareObjects, zeroObject, type Comparison } from './typed.js';

/** metav1.ManagedFieldsEntry as JSON. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export type Operation = 'Apply' | 'Update';

/** One manager's entry, decoded. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  /** RFC 3339, as received or written; absent when never set. */
  time?: string;
  set: FieldSet;
}

/** Entries by manager identity (see managerIdentity). */
export type Managers = Map<string, ManagerEntry>;

/** A managedFields list the server cannot read. */
export class ManagedFieldsError extends Error {}

/**
 * The identity of an entry, as the real server builds it: the JSON of its manager, operation, apiVersion
 * (Update only: an applier is the same whatever version it applied) and subresource.
 */
export function managerIdentity(e: { manager: string; operation: Operation; apiVersion: string; subresource: string }): string {
  const id: Record<string, string> = {};
  if (e.manager) id['manager'] = e.manager;
  id['operation'] = e.operation;
  if (e.operation !== 'Apply' && e.apiVersion) id['apiVersion'] = e.apiVersion;
  if (e.subresource) id['subresource'] = e.subresource;
  return JSON.stringify(id);
}

/** Reads metadata.managedFields; throws ManagedFieldsError naming what is wrong. Absent → no entries. */
export function decodeManagedFields(raw: unknown): Managers {
  const out: Managers = new Map();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new ManagedFieldsError('managedFields must be a list');
  raw.forEach((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ManagedFieldsError(`managed fields entry ${i} must be an object`);
    const e = item as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion.length < 1) throw new ManagedFieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    if (e.manager !== undefined && typeof e.manager !== 'string') throw new ManagedFieldsError(`manager must be a string in managed fields entry ${i}`);
    if (e.subresource !== undefined && typeof e.subresource !== 'string') throw new ManagedFieldsError(`subresource must be a string in managed fields entry ${i}`);
    let set: FieldSet;
    try {
      set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : decodeFieldsV1(e.fieldsV1);
    } catch (err) {
      if (err instanceof FieldSetError) throw new ManagedFieldsError(`error decoding set from entry ${i}: ${err.message}`);
      throw err;
    }
    const entry: ManagerEntry = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      subresource: e.subresource ?? '',
      set,
    };
    if (typeof e.time === 'string' && e.time !== '') entry.time = e.time;
    out.set(managerIdentity(entry), entry);
  });
  return out;
}

// Stored objects are not changed once stored, and field sets are never changed once built: the set a fieldsV1
// object decodes to, and the fieldsV1 object written for a set, are remembered, so that a write decodes and
// encodes only the entries it changes. (A fieldsV1 object from elsewhere is written anew once: it may not be
// in the canonical form.)
const decoded = new WeakMap<object, FieldSet>();
const encoded = new WeakMap<FieldSet, Record<string, unknown>>();

function decodeFieldsV1(json: unknown): FieldSet {
  if (json === null || typeof json !== 'object') return FieldSet.fromFieldsV1(json);
  let set = decoded.get(json);
  if (!set) {
    set = FieldSet.fromFieldsV1(json);
    decoded.set(json, set);
  }
  return set;
}

function encodeFieldsV1(set: FieldSet): Record<string, unknown> {
  let json = encoded.get(set);
  if (!json) {
    json = set.toFieldsV1();
    encoded.set(set, json);
    decoded.set(json, set);
  }
  return json;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** The wire form, sorted as the real server sorts it (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty());
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return p.subresource < q.subresource ? -1 : p.subresource > q.subresource ? 1 : 0;
  });
  return entries.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = encodeFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** RFC 3339 at second precision, as managedFields times are written. */
export function managedTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------------------
// The manager of a request

/** The manager name the real server derives from a User-Agent: its part before the first "/", printable, ≤128. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const first = (userAgent ?? '').split('/')[0]!;
  let out = '';
  for (const ch of first) {
    if (!isPrintable(ch)) continue;
    if (Buffer.byteLength(out) >= 128) break;
    out += ch;
  }
  return out;
}

/** The fieldManager parameter when set, else the user agent's manager name. */
export function managerOf(fieldManager: string | null | undefined, userAgent: string | undefined): string {
  return fieldManager ? fieldManager : managerFromUserAgent(userAgent);
}

/** Go's unicode.IsPrint, near enough: no control, format, separator (other than space) or unassigned characters. */
export function isPrintable(ch: string): boolean {
  return ch === ' ' || !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u.test(ch);
}

// ---------------------------------------------------------------------------------------------------------
// Update operations

/** What a write needs to know to keep managedFields. */
export interface WriteContext {
  /** The kind's schema (undefined: nothing is tracked below the top-level fields). */
  schema: TypeSchema | undefined;
  /** The request's group version ("v1", "apps/v1"). */
  apiVersion: string;
  /** "" or the subresource written ("status", "scale"). */
  subresource: string;
  /** Whether the kind has a status subresource (then the main resource does not own status). */
  statusSubresource: boolean;
  /** The writing manager (fieldManager, or derived from the user agent). */
  manager: string;
  /** Defaults to the current time. */
  now?: Date;
}

/** Paths the server never tracks: type and server-owned metadata. */
const STRIP_SET = FieldSet.of(
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => ['f:metadata', `f:${f}`]),
);

/** A manager's set without what the server never tracks. */
export function stripServerFields(set: FieldSet): FieldSet {
  return set.difference(STRIP_SET);
}

const STATUS_ONLY = FieldSet.of(['f:status']);

/**
 * A set without the fields the write's endpoint does not own (the real server's reset fields): status on the
 * main resource of a kind with a status subresource, everything but status on the status subresource.
 */
export function endpointFields(set: FieldSet, ctx: Pick<WriteContext, 'subresource' | 'statusSubresource'>): FieldSet {
  if (ctx.subresource === 'status') {
    const status = set.child('f:status');
    const out = new FieldSet();
    if (status) out.children = new Map([['f:status', status]]);
    return out;
  }
  if (ctx.statusSubresource) return set.recursiveDifference(STATUS_ONLY);
  return set;
}

export function endpointComparison(c: Comparison, ctx: WriteContext): Comparison {
  return { added: endpointFields(c.added, ctx), modified: endpointFields(c.modified, ctx), removed: endpointFields(c.removed, ctx) };
}

/** A copy of an object whose metadata has no managedFields (the object itself is not changed). */
export function withoutManagedFields(obj: Readonly<KubeObject>): KubeObject {
  const md = obj.metadata;
  if (!md || md.managedFields === undefined) return obj as KubeObject;
  const { managedFields: _mf, ...metadata } = md;
  return { ...obj, metadata };
}

/** managedFields the client sent that reset tracking: [] or one empty entry. */
function isReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  if (mf.length === 0) return true;
  if (mf.length === 1) {
    const e = mf[0] as unknown;
    return e !== null && typeof e === 'object' && !Array.isArray(e) && Object.keys(e).length === 0;
  }
  return false;
}

function decodeOrEmpty(raw: unknown): Managers {
  try {
    return decodeManagedFields(raw);
  } catch {
    return new Map();
  }
}

/** The managers a write starts from: the live object's, or those the client sent when they are valid. */
function startingManagers(live: Readonly<KubeObject> | undefined, sent: unknown, ctx: WriteContext): Managers {
  const liveManaged = live?.metadata?.managedFields;
  // Subresources cannot change managedFields.
  if (ctx.subresource !== '') return decodeOrEmpty(liveManaged);
  if (isReset(sent)) return new Map();
  let managers: Managers | undefined;
  try {
    managers = decodeManagedFields(sent);
  } catch {
    managers = undefined;
  }
  if (!managers || managers.size === 0) return decodeOrEmpty(liveManaged);
  return managers;
}

/**
 * Gives the fields a comparison added or changed to `owner` (its entry created when missing, its time set)
 * and takes them, and the removed fields, away from everyone else; entries left empty are dropped.
 */
export function takeOwnership(managers: Managers, cmp: Comparison, owner: Omit<ManagerEntry, 'set' | 'time'>, now: Date): void {
  const changed = cmp.added.union(cmp.modified);
  for (const [id, e] of managers) {
    const set = e.set.difference(changed).difference(cmp.removed);
    if (set.isEmpty()) managers.delete(id);
    else e.set = set;
  }
  const own = stripServerFields(changed);
  if (own.isEmpty()) return;
  const id = managerIdentity(owner);
  const prev = managers.get(id);
  // A set that gains nothing stays the same object (its encoded form is remembered).
  managers.set(id, { ...owner, set: prev ? prev.set.union(own) : own, time: managedTime(now) });
}

const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/** Merges the oldest Update entries into "ancient-changes" (one per apiVersion) until at most 10 remain. */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => {
    const d = seconds(managers.get(a)!.time) - seconds(managers.get(b)!.time);
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const e = managers.get(id)!;
    const bucketEntry = { manager: ANCIENT_CHANGES, operation: 'Update' as const, apiVersion: e.apiVersion, subresource: '' };
    const bucket = managerIdentity(bucketEntry);
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    if (!managers.has(bucket)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { ...bucketEntry, set: f.set, ...(f.time ? { time: f.time } : {}) });
    }
    const b = managers.get(bucket)!;
    b.set = e.set.union(b.set);
    if (e.time) b.time = e.time;
    else delete b.time;
    managers.delete(id);
    length--;
  }
}

/**
 * Records a non-apply write (create, update, patch) in `next.metadata.managedFields`: `live` is the stored
 * object (undefined for a create), `next` what is about to be stored. managedFields that came with `next`
 * are the starting point when valid (clients may edit them; [] resets them), else the live object's.
 * An object the comparison cannot handle (a list element without its keys) is written without managedFields,
 * as the real server does.
 */
export function recordUpdate(live: Readonly<KubeObject> | undefined, next: KubeObject, ctx: WriteContext): void {
  const sent = next.metadata.managedFields;
  delete next.metadata.managedFields;
  const managers = startingManagers(live, sent, ctx);
  let cmp: Comparison;
  try {
    cmp = compareObjects(live ? withoutManagedFields(live) : zeroObject(ctx.schema), next, ctx.schema);
  } catch (err) {
    if (err instanceof FieldSetError) return;
    throw err;
  }
  takeOwnership(managers, endpointComparison(cmp, ctx), {
    manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource,
  }, ctx.now ?? new Date());
  capUpdateManagers(managers);
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) next.metadata.managedFields = encoded;
}

