// GET of one object and LIST of many.
import { expired, notFound } from '../api/errors.js';
import { StoreError, type StoredRecord } from '../../storage/store.js';
import { chooseOutput } from '../http/accept.js';
import { sendJsonText } from '../http/respond.js';
import { objectKey, listPrefix } from './keys.js';
import { resourceOf, type RestRequest } from './context.js';
import { continueExpired, encodeContinue, parseListOptions, parseResourceVersion, tooLargeResourceVersion, type ListOptions } from './list-options.js';
import { listBody, objectBody, type ListMeta } from './output.js';
import { matchesSelectors } from './selection.js';

/** GET /…/<resource>/<name> */
export async function getObject(r: RestRequest): Promise<void> {
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  const rv = r.query.get('resourceVersion');
  if (rv) {
    // Any valid resourceVersion is satisfied by the current state, which is never older.
    const n = parseResourceVersion(rv);
    if (n > r.services.store.currentRevision()) throw tooLargeResourceVersion(n, r.services.store.currentRevision());
  }
  const record = await r.services.store.get(objectKey(r.def, r.info.namespace, r.info.name));
  if (!record) throw notFound(resourceOf(r.def), r.info.name);
  sendJsonText(r.res, 200, objectBody(r.def, record, out));
}

export interface ListPage {
  records: StoredRecord[];
  meta: ListMeta;
}

/** Reads one page of a list as the options ask (shared by LIST and deletecollection). */
export async function readList(r: RestRequest, opts: ListOptions, prefix: string): Promise<ListPage> {
  const store = r.services.store;
  const current = store.currentRevision();
  let revision: number | undefined;
  let startKey: string | undefined;
  if (opts.continueToken) {
    revision = opts.continueToken.revision;
    startKey = opts.continueToken.startKey;
    if (revision > current) throw continueExpired();
  } else if (opts.resourceVersion !== undefined && opts.resourceVersion > 0) {
    if (opts.resourceVersion > current) throw tooLargeResourceVersion(opts.resourceVersion, current);
    if (opts.resourceVersionMatch === 'Exact') revision = opts.resourceVersion;
  }
  const filtered = opts.labelSelector !== undefined || opts.fieldSelector !== undefined;
  let result;
  try {
    result = await store.list({
      prefix,
      ...(startKey !== undefined ? { startKey } : {}),
      ...(revision !== undefined ? { revision } : {}),
      ...(!filtered && opts.limit > 0 ? { limit: opts.limit } : {}),
    });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'Expired') {
      if (opts.continueToken) throw continueExpired();
      throw expired(`too old resource version: ${revision} (${err.oldestRevision ?? store.oldestRevision()})`);
    }
    throw err;
  }
  const meta: ListMeta = { resourceVersion: String(result.revision) };
  if (!filtered) {
    if (result.nextKey !== undefined) {
      meta.continue = encodeContinue(result.revision, result.nextKey, prefix);
      if (result.remaining !== undefined) meta.remainingItemCount = result.remaining;
    }
    return { records: result.records, meta };
  }
  const records: StoredRecord[] = [];
  for (const rec of result.records) {
    if (!matchesSelectors(rec.object, opts)) continue;
    if (opts.limit > 0 && records.length === opts.limit) {
      meta.continue = encodeContinue(result.revision, rec.key, prefix);
      break;
    }
    records.push(rec);
  }
  return { records, meta };
}

/** GET /…/<resource> */
export async function listObjects(r: RestRequest): Promise<void> {
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), true);
  const prefix = listPrefix(r.def, r.info.namespace);
  const opts = parseListOptions(r.query, r.def, prefix);
  const page = await readList(r, opts, prefix);
  sendJsonText(r.res, 200, listBody(r.def, page.records, page.meta, out));
}
