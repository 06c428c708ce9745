// DELETE of one object and of a collection: preconditions, finalizers, dryRun, graceful namespace deletion.
import { badRequest, conflict, forbidden, invalid, notFound, withDetails } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { StoreError, type StoredRecord } from '../../storage/store.js';
import { chooseOutput } from '../http/accept.js';
import { decodeProtobufBody, mediaTypeOf, parseJson, readBody } from '../http/body.js';
import { intParam } from '../http/query.js';
import { sendJsonText } from '../http/respond.js';
import { resourceOf, type RestRequest, type RestServices } from './context.js';
import type { ResourceDef } from '../registry/types.js';
import { listPrefix, objectKey } from './keys.js';
import { parseListOptions } from './list-options.js';
import { itemJson, objectBody } from './output.js';
import { readList } from './read.js';
import { canonicalOrder, nowTimestamp } from './strategy.js';
import { cloneObject } from './update.js';
import { isDryRun } from './write-options.js';
import { groupVersionString } from '../registry/types.js';

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun: boolean;
}

/** Namespaces every cluster keeps (NamespaceLifecycle refuses to delete them). */
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

async function readDeleteOptions(r: RestRequest): Promise<DeleteOptions> {
  const opts: DeleteOptions = { dryRun: isDryRun(r.query) };
  const qp = r.query.get('propagationPolicy');
  let policy: unknown = qp ?? undefined;
  const grace = intParam(r.query, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const raw = await readBody(r.req);
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const media = mediaTypeOf(r.req.headers['content-type']);
    let body: unknown;
    if (media === 'application/vnd.kubernetes.protobuf') body = await decodeProtobufBody(raw);
    else if (!media || media === 'application/json') body = parseJson(raw);
    else throw badRequest(`DeleteOptions must be JSON or protobuf, not ${media}`);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('DeleteOptions must be a JSON object');
    const b = body as Record<string, unknown>;
    if (b['kind'] !== undefined && b['kind'] !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(b['kind'])}`);
    if (b['propagationPolicy'] !== undefined && b['propagationPolicy'] !== null) policy = b['propagationPolicy'];
    const pre = b['preconditions'];
    if (pre !== undefined && pre !== null) {
      if (typeof pre !== 'object' || Array.isArray(pre)) throw badRequest('preconditions must be an object');
      const p = pre as Record<string, unknown>;
      opts.preconditions = {};
      if (typeof p['uid'] === 'string') opts.preconditions.uid = p['uid'];
      if (typeof p['resourceVersion'] === 'string') opts.preconditions.resourceVersion = p['resourceVersion'];
    }
    if (typeof b['gracePeriodSeconds'] === 'number') opts.gracePeriodSeconds = b['gracePeriodSeconds'];
    if (Array.isArray(b['dryRun'])) {
      for (const v of b['dryRun']) {
        if (v !== 'All') throw badRequest(`Invalid dryRun value: "${String(v)}": supported values: "All"`);
        opts.dryRun = true;
      }
    }
  }
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw invalid('DeleteOptions', 'meta.k8s.io', '', [{
        reason: 'FieldValueNotSupported', field: 'propagationPolicy',
        message: `Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
      }]);
    }
    opts.propagationPolicy = policy;
  }
  return opts;
}

function checkPreconditions(def: ResourceDef, name: string, current: StoredRecord, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  if (!pre) return;
  const res = resourceOf(def);
  if (pre.uid && pre.uid !== current.object.metadata.uid) {
    throw conflict(res, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.object.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== current.object.metadata.resourceVersion) {
    throw conflict(res, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.object.metadata.resourceVersion}`);
  }
}

export interface DeleteOutcome {
  /** True when the object is gone; false when it waits for finalizers. */
  deleted: boolean;
  object: KubeObject;
  json: string;
}

/** Deletes (or starts deleting) one object by name; shared by DELETE, deletecollection and the namespace controller. */
export async function deleteByName(
  services: RestServices, def: ResourceDef, namespace: string, name: string, opts: DeleteOptions,
): Promise<DeleteOutcome> {
  const store = services.store;
  const key = objectKey(def, namespace, name);
  const res = resourceOf(def);
  const isNamespace = def.group === '' && def.plural === 'namespaces';
  if (isNamespace && UNDELETABLE_NAMESPACES.has(name)) {
    throw withDetails(forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`), { name, kind: 'namespaces' });
  }
  for (let attempt = 0; attempt < 16; attempt++) {
    const current = await store.get(key);
    if (!current) throw notFound(res, name);
    checkPreconditions(def, name, current, opts);
    const finalizers = current.object.metadata.finalizers ?? [];
    const specFinalizers = isNamespace ? ((current.object['spec'] as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    const graceful = finalizers.length > 0 || specFinalizers.length > 0;
    try {
      if (!graceful) {
        if (opts.dryRun) return { deleted: true, object: current.object as KubeObject, json: current.json };
        const gone = await store.delete(key, current.revision);
        return { deleted: true, object: gone.object as KubeObject, json: gone.json };
      }
      if (current.object.metadata.deletionTimestamp) {
        return { deleted: false, object: current.object as KubeObject, json: current.json };
      }
      const next = cloneObject(current);
      next.metadata.deletionTimestamp = nowTimestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (isNamespace) {
        const status = (next['status'] ?? {}) as Record<string, unknown>;
        status['phase'] = 'Terminating';
        next['status'] = status;
      }
      delete next.metadata.resourceVersion;
      const ordered = canonicalOrder(def, next);
      if (opts.dryRun) return { deleted: false, object: ordered, json: JSON.stringify(ordered) };
      const written = await store.update(key, ordered, current.revision);
      return { deleted: false, object: written.object as KubeObject, json: written.json };
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'Conflict' || err.code === 'NotFound')) continue;
      throw err;
    }
  }
  throw conflict(res, name);
}

function successStatus(r: RestRequest, obj: KubeObject): string {
  const details: Record<string, string> = { name: obj.metadata.name ?? '' };
  if (r.def.group) details['group'] = r.def.group;
  details['kind'] = r.def.plural;
  if (obj.metadata.uid) details['uid'] = obj.metadata.uid;
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

/** DELETE /…/<resource>/<name> */
export async function deleteObject(r: RestRequest): Promise<void> {
  if (r.info.subresource) throw badRequest(`delete is not supported on the ${r.info.subresource} subresource`);
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  const opts = await readDeleteOptions(r);
  const outcome = await deleteByName(r.services, r.def, r.info.namespace, r.info.name, opts);
  if (outcome.deleted && !(r.def.group === '' && (r.def.plural === 'pods' || r.def.plural === 'namespaces'))) {
    sendJsonText(r.res, 200, successStatus(r, outcome.object));
    return;
  }
  sendJsonText(r.res, 200, objectBody(r.def, outcome, out));
}

/** DELETE /…/<resource> (deletecollection): every object the selectors match. */
export async function deleteCollection(r: RestRequest): Promise<void> {
  const opts = await readDeleteOptions(r);
  const prefix = listPrefix(r.def, r.info.namespace);
  const listOpts = parseListOptions(r.query, r.def, prefix);
  listOpts.limit = 0;
  delete listOpts.continueToken;
  const page = await readList(r, listOpts, prefix);
  const items: string[] = [];
  for (const rec of page.records) {
    const ns = rec.object.metadata.namespace ?? '';
    try {
      const outcome = await deleteByName(r.services, r.def, ns, rec.object.metadata.name ?? '', { dryRun: opts.dryRun });
      items.push(itemJson(r.def, { ...rec, object: canonicalOrder(r.def, outcome.object), json: outcome.json }));
    } catch (err) {
      if (err instanceof Error && 'status' in err && (err as { status: { code: number } }).status.code === 404) continue;
      throw err;
    }
  }
  const body = `{"kind":${JSON.stringify(r.def.listKind)},"apiVersion":${JSON.stringify(groupVersionString(r.def))},"metadata":{"resourceVersion":${JSON.stringify(String(r.services.store.currentRevision()))}},"items":[${items.join(',')}]}`;
  sendJsonText(r.res, 200, body);
}
