// PUT and the read-modify-write loop PATCH shares with it (GuaranteedUpdate in the real server).
import { badRequest, conflict, notFound } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { StoreError, type StoredRecord } from '../../storage/store.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { chooseOutput } from '../http/accept.js';
import { sendJsonText } from '../http/respond.js';
import { resourceOf, type RestRequest } from './context.js';
import { objectKey } from './keys.js';
import { objectBody } from './output.js';
import { parseResourceVersion } from './list-options.js';
import { asKubeObject, checkKind, prepareForUpdate, unchanged, validateObject } from './strategy.js';
import { validateRequestFields } from './field-validation.js';
import { checkNamespaceMatches, isDryRun, requireNamespace } from './write-options.js';
import { recordUpdate, type WriteContext } from '../apply/managed-fields.js';
import { validateWriteOptions, writeContextFor } from '../apply/options.js';

/** An object as written (or as it would be, for dryRun). */
export interface WrittenObject {
  object: Readonly<KubeObject>;
  json: string;
}

/** What a caller wants the object to become, given its current state. */
export type Mutation = (current: Readonly<KubeObject>) => KubeObject;

const MAX_ATTEMPTS = 16;

/** Clones a stored object so it can be changed. */
export function cloneObject(record: StoredRecord): KubeObject {
  return JSON.parse(record.json) as KubeObject;
}

function preconditionRevision(next: KubeObject): number | undefined {
  const rv = next.metadata.resourceVersion;
  if (rv === undefined || rv === null || rv === '') return undefined;
  if (typeof rv !== 'string') throw badRequest('metadata.resourceVersion must be a string');
  return parseResourceVersion(rv, 'metadata.resourceVersion');
}

/**
 * Reads, mutates and writes one object until the write lands: a resourceVersion in the mutated object is a
 * precondition (409 when stale); without one, store conflicts are retried against the fresh state.
 * The write is recorded in managedFields as an Update by the request's manager (`fields`; null when the
 * mutation keeps managedFields itself, as server-side apply does).
 */
export async function guaranteedUpdate(r: RestRequest, mutate: Mutation, fields?: WriteContext | null): Promise<WrittenObject> {
  const dryRun = isDryRun(r.query);
  const tracking = fields === undefined ? await writeContextFor(r) : fields;
  const store = r.services.store;
  const key = objectKey(r.def, r.info.namespace, r.info.name);
  const res = resourceOf(r.def);
  for (let attempt = 0; ; attempt++) {
    const current = await store.get(key);
    if (!current) throw notFound(res, r.info.name);
    const next = mutate(current.object);
    const wanted = preconditionRevision(next);
    if (wanted !== undefined && wanted !== current.revision) throw conflict(res, r.info.name);
    const uid = next.metadata.uid;
    if (uid && uid !== current.object.metadata.uid) {
      throw conflict(res, r.info.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.object.metadata.uid}`);
    }
    const prepared = prepareForUpdate(r.def, next, current.object, r.info.subresource);
    if (tracking) recordUpdate(current.object, prepared, tracking);
    validateObject(r.def, prepared, current.object as KubeObject);
    if (unchanged(prepared, current.object as KubeObject)) return current;
    // Removing the last finalizer of an object being deleted completes its deletion.
    const finishesDeletion = !!prepared.metadata.deletionTimestamp && (prepared.metadata.finalizers ?? []).length === 0;
    if (dryRun) {
      prepared.metadata.resourceVersion = String(current.revision);
      return { object: prepared, json: JSON.stringify(prepared) };
    }
    try {
      if (!finishesDeletion) return await store.update(key, prepared, current.revision);
      const gone = await store.delete(key, current.revision);
      prepared.metadata.resourceVersion = String(gone.revision);
      return { object: prepared, json: JSON.stringify(prepared) };
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Conflict') {
        if (wanted !== undefined) throw conflict(res, r.info.name);
        if (attempt < MAX_ATTEMPTS) continue;
        throw conflict(res, r.info.name);
      }
      if (err instanceof StoreError && err.code === 'NotFound') throw notFound(res, r.info.name);
      throw err;
    }
  }
}

/** PUT /…/<resource>/<name>[/status] */
export async function updateObject(r: RestRequest): Promise<void> {
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  validateWriteOptions(r.query, 'UpdateOptions');
  const raw = await readBody(r.req);
  const body = await decodeObjectBody(raw, r.req.headers['content-type']);
  checkKind(r.def, body);
  const obj = asKubeObject(body);
  await validateRequestFields(r.res, r.query, r.def, obj, raw, r.req.headers['content-type']);
  if (obj.metadata.name !== undefined && obj.metadata.name !== r.info.name) {
    throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${r.info.name})`);
  }
  checkNamespaceMatches(r, obj);
  await requireNamespace(r, false);
  const written = await guaranteedUpdate(r, () => JSON.parse(JSON.stringify(obj)) as KubeObject);
  sendJsonText(r.res, 200, objectBody(r.def, written, out));
}
