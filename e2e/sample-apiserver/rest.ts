// The flunders REST endpoints under /apis/wardle.example.com/v1alpha1:
//   flunders                                   GET list/watch (all namespaces)
//   namespaces/<ns>/flunders                   GET list/watch, POST create, DELETE deletecollection
//   namespaces/<ns>/flunders/<name>            GET, PUT, PATCH, DELETE
//   watch/...                                  the legacy watch paths
// Errors are Status objects; request bodies are JSON (YAML accepted for create/update).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import jsonpatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { applyDefaults, decodeFlunder, generateName, listItem, ordered, timestamp, validateFlunder } from './flunder.js';
import { isTrue, mediaTypeOf, parseJsonBody, readBody, sendJson } from './http.js';
import { negotiateOutput } from './negotiate.js';
import { selectorMatcher } from './selectors.js';
import { objectKey } from './store.js';
import type { FlunderStore, Preconditions } from './store.js';
import {
  ApiError,
  badRequest,
  conflict,
  internalError,
  invalid,
  methodNotAllowed,
  notAcceptable,
  notFound,
  resourceNotFound,
  unsupportedMediaType,
} from './status.js';
import { parseIncludeObject, partialObjectList, toTable, partialObject } from './table.js';
import { GROUP, GROUP_VERSION, LIST_KIND, RESOURCE } from './types.js';
import type { Flunder, ListMeta } from './types.js';
import { serveWatch, watchTimeoutMs } from './watch.js';
import type { WatchOutput } from './watch.js';

export interface RestContext {
  store: FlunderStore;
  bookmarkIntervalMs: number;
  /** Stop functions of the open watches. */
  watches: Set<() => void>;
}

export interface ResourcePath {
  /** Undefined: across all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Reached through the legacy /watch/ prefix. */
  watchPrefix: boolean;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`invalid path segment ${JSON.stringify(s)}`);
  }
}

/** Parses the segments after /apis/<group>/<version>/; undefined when they do not name flunders. */
export function parseResourcePath(segments: string[]): ResourcePath | undefined {
  let rest = segments;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 1 && rest[0] === RESOURCE) return { watchPrefix };
  if (rest[0] !== 'namespaces' || rest.length < 3 || rest[2] !== RESOURCE || rest.length > 5) return undefined;
  const namespace = decodeSegment(rest[1]!);
  if (namespace === '') return undefined;
  const path: ResourcePath = { namespace, watchPrefix };
  if (rest.length >= 4) {
    path.name = decodeSegment(rest[3]!);
    if (path.name === '') return undefined;
  }
  if (rest.length === 5) {
    if (watchPrefix) return undefined;
    path.subresource = decodeSegment(rest[4]!);
  }
  return path;
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function dryRun(query: URLSearchParams, body?: Record<string, unknown>): boolean {
  const values = [...query.getAll('dryRun')];
  const fromBody = body?.['dryRun'];
  if (Array.isArray(fromBody)) for (const v of fromBody) values.push(String(v));
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** Applies ?fieldValidation= to the unknown fields of a decoded body: 400 (Strict) or Warning headers (Warn). */
function checkUnknownFields(res: ServerResponse, mode: FieldValidation, unknown: string[]): void {
  if (unknown.length === 0 || mode === 'Ignore') return;
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  res.setHeader(
    'Warning',
    unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`),
  );
}

/** Reads a create/update body (JSON, or YAML) into a plain value. */
async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const media = mediaTypeOf(req.headers['content-type']);
  if (media !== '' && media !== 'application/json' && media !== 'application/yaml' && media !== '*/*') {
    req.resume();
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  }
  const body = await readBody(req);
  if (media === 'application/yaml') {
    try {
      return parseYaml(body.toString('utf8'));
    } catch (err) {
      throw badRequest(`the object provided is unrecognized or malformed: ${(err as Error).message}`);
    }
  }
  return parseJsonBody(body);
}

// ---------------------------------------------------------------------------------------------------------------
// Continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<namespace>/<name>"} (the last key returned).

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v === 'meta.k8s.io/v1' && typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: the continue token is malformed');
}

function parseLimit(v: string | null): number {
  if (v === null || v === '') return 0;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid limit: ${JSON.stringify(v)}`);
  return Math.max(0, Number(v));
}

// ---------------------------------------------------------------------------------------------------------------

export async function handleResource(req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const method = req.method ?? 'GET';
  if (path.subresource !== undefined) {
    if (path.subresource === 'echo') throw badRequest('Upgrade request required: connect with a WebSocket (Connection: Upgrade, Upgrade: websocket)');
    throw resourceNotFound();
  }
  const isWatch = path.watchPrefix || isTrue(query, 'watch');
  if (path.watchPrefix && method !== 'GET') throw methodNotAllowed();
  if (path.name === undefined) {
    if (method === 'GET') return isWatch ? watch(req, res, path, query, ctx) : list(req, res, path, query, ctx);
    if (path.namespace === undefined) throw methodNotAllowed();
    if (method === 'POST') return create(req, res, path.namespace, query, ctx);
    if (method === 'DELETE') return deleteCollection(req, res, path.namespace, query, ctx);
    throw methodNotAllowed();
  }
  const namespace = path.namespace!;
  switch (method) {
    case 'GET':
      if (isWatch) return watch(req, res, path, query, ctx);
      return get(req, res, namespace, path.name, query, ctx);
    case 'PUT':
      return update(req, res, namespace, path.name, query, ctx);
    case 'PATCH':
      return patch(req, res, namespace, path.name, query, ctx);
    case 'DELETE':
      return remove(req, res, namespace, path.name, query, ctx);
    default:
      throw methodNotAllowed();
  }
}

function get(req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams, ctx: RestContext): void {
  const out = negotiateOutput(req.headers.accept, false);
  if (out.form === 'not-acceptable') throw notAcceptable();
  const obj = ctx.store.get(namespace, name);
  if (!obj) throw notFound(name);
  if (out.form === 'table') sendJson(res, 200, toTable([obj], { version: out.version, includeObject: parseIncludeObject(query.get('includeObject')) }));
  else if (out.form === 'partial') sendJson(res, 200, partialObject(obj, out.version));
  else sendJson(res, 200, ordered(obj));
}

function list(req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams, ctx: RestContext): void {
  const out = negotiateOutput(req.headers.accept, true);
  if (out.form === 'not-acceptable') throw notAcceptable();
  const includeObject = parseIncludeObject(query.get('includeObject'));
  const selector = selectorMatcher(query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
  const limit = parseLimit(query.get('limit'));
  const token = query.get('continue');
  let rv = ctx.store.resourceVersion;
  let items = ctx.store.list(path.namespace).filter(selector.match);
  if (token) {
    const c = decodeContinue(token);
    rv = c.rv;
    items = items.filter((o) => objectKey(o) > c.start);
  }
  const meta: ListMeta = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    meta.continue = encodeContinue(rv, objectKey(items[items.length - 1]!));
    if (selector.empty) meta.remainingItemCount = remaining;
  }
  if (out.form === 'table') sendJson(res, 200, toTable(items, { version: out.version, includeObject }, meta));
  else if (out.form === 'partial') sendJson(res, 200, partialObjectList(items, out.version, meta));
  else sendJson(res, 200, { kind: LIST_KIND, apiVersion: GROUP_VERSION, metadata: meta, items: items.map(listItem) });
}

function watch(req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams, ctx: RestContext): void {
  const negotiated = negotiateOutput(req.headers.accept, false);
  if (negotiated.form === 'not-acceptable') throw notAcceptable();
  let output: WatchOutput;
  if (negotiated.form === 'table') output = { form: 'table', version: negotiated.version, includeObject: parseIncludeObject(query.get('includeObject')) };
  else if (negotiated.form === 'partial') output = { form: 'partial', version: negotiated.version };
  else output = { form: 'object' };
  let fieldSelector = query.get('fieldSelector') ?? '';
  if (path.name !== undefined) fieldSelector = fieldSelector === '' ? `metadata.name=${path.name}` : `${fieldSelector},metadata.name=${path.name}`;
  const selector = selectorMatcher(query.get('labelSelector') ?? undefined, fieldSelector);
  serveWatch(
    req,
    res,
    ctx.store,
    {
      namespace: path.namespace,
      match: selector.match,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      sendInitialEvents: isTrue(query, 'sendInitialEvents'),
      allowBookmarks: isTrue(query, 'allowWatchBookmarks'),
      timeoutMs: watchTimeoutMs(query.get('timeoutSeconds')),
      bookmarkIntervalMs: ctx.bookmarkIntervalMs,
      output,
    },
    ctx.watches,
  );
}

async function create(req: IncomingMessage, res: ServerResponse, namespace: string, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const mode = fieldValidation(query);
  const isDryRun = dryRun(query);
  const { obj, unknownFields } = decodeFlunder(await readObjectBody(req));
  checkUnknownFields(res, mode, unknownFields);
  const meta = obj.metadata;
  if (meta.namespace !== undefined && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (meta.resourceVersion !== undefined) throw internalError('resourceVersion should not be set on objects to be created');
  meta.namespace = namespace;
  if (meta.name === undefined && meta.generateName !== undefined) meta.name = generateName(meta.generateName);
  delete meta.selfLink;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp();
  applyDefaults(obj);
  validateFlunder(obj);
  let created: Flunder;
  if (isDryRun) {
    if (ctx.store.has(namespace, meta.name!)) ctx.store.create(obj); // throws AlreadyExists
    created = obj;
  } else {
    // generateName: try a few fresh names when the generated one is taken, like the real server.
    for (let attempt = 0; ; attempt++) {
      try {
        created = ctx.store.create(obj);
        break;
      } catch (err) {
        if (!(err instanceof ApiError) || err.reason !== 'AlreadyExists' || meta.generateName === undefined || attempt >= 7) throw err;
        meta.name = generateName(meta.generateName);
      }
    }
  }
  sendJson(res, 201, ordered(created));
}

/** The shared tail of PUT and PATCH: checks, defaults, validation, finalizer bookkeeping and the write. */
function applyUpdate(res: ServerResponse, current: Flunder, next: Flunder, isDryRun: boolean, ctx: RestContext): void {
  const name = current.metadata.name!;
  next.metadata.namespace = current.metadata.namespace;
  const rv = next.metadata.resourceVersion;
  if (rv === undefined) {
    throw invalid(name, [{ field: 'metadata.resourceVersion', type: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
  }
  if (rv !== current.metadata.resourceVersion) throw conflict(name);
  validateFlunder(next, current);
  next.metadata.uid = current.metadata.uid;
  next.metadata.creationTimestamp = current.metadata.creationTimestamp;
  next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
  next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
  if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
  if (next.metadata.deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
  delete next.metadata.selfLink;
  applyDefaults(next);
  if (isDryRun) {
    sendJson(res, 200, ordered(next));
    return;
  }
  // The last finalizer removed from an object being deleted: the object goes away now.
  if (current.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
    const written = ctx.store.update(next, rv);
    const gone = ctx.store.delete(written.metadata.namespace!, name);
    sendJson(res, 200, ordered(gone));
    return;
  }
  sendJson(res, 200, ordered(ctx.store.update(next, rv)));
}

async function update(req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const mode = fieldValidation(query);
  const isDryRun = dryRun(query);
  const { obj, unknownFields } = decodeFlunder(await readObjectBody(req));
  checkUnknownFields(res, mode, unknownFields);
  if (obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
  }
  if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const current = ctx.store.get(namespace, name);
  if (!current) throw notFound(name);
  applyUpdate(res, current, obj, isDryRun, ctx);
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 merge patch. Strategic-merge directives ($patch, $retainKeys, $setElementOrder/...) are dropped. */
export function mergePatch(target: unknown, patchDoc: unknown): unknown {
  if (!isPlainObject(patchDoc)) return structuredClone(patchDoc);
  // Null-prototype, so a "__proto__" key is data like any other.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (isPlainObject(target)) for (const [k, v] of Object.entries(target)) out[k] = v;
  for (const [k, v] of Object.entries(patchDoc)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

async function patch(req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const media = mediaTypeOf(req.headers['content-type']);
  if (!PATCH_TYPES.includes(media)) {
    req.resume();
    throw unsupportedMediaType(PATCH_TYPES);
  }
  const mode = fieldValidation(query);
  const isDryRun = dryRun(query);
  const patchDoc = parseJsonBody(await readBody(req));
  const current = ctx.store.get(namespace, name);
  if (!current) throw notFound(name);
  const doc: unknown = JSON.parse(JSON.stringify(ordered(current)));
  let patched: unknown;
  if (media === 'application/json-patch+json') {
    if (!Array.isArray(patchDoc)) throw badRequest('json patch must be a JSON array of operations');
    for (const [i, op] of patchDoc.entries()) {
      if (!isPlainObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') {
        throw badRequest(`json patch operation ${i} must be an object with string "op" and "path"`);
      }
    }
    try {
      patched = jsonpatch.applyPatch(doc, patchDoc as jsonpatch.Operation[], true, true, true).newDocument;
    } catch (err) {
      const message = ((err as Error).message ?? String(err)).split('\n')[0];
      throw new ApiError(422, 'Invalid', `the JSON patch could not be applied: ${message}`);
    }
  } else {
    if (!isPlainObject(patchDoc)) throw badRequest('merge patch must be a JSON object');
    patched = mergePatch(doc, patchDoc);
  }
  const { obj, unknownFields } = decodeFlunder(patched);
  checkUnknownFields(res, mode, unknownFields);
  if (obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
  }
  if (obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  // A patch that leaves resourceVersion alone is applied to the current object; one that sets it is a precondition.
  if (obj.metadata.resourceVersion === undefined) obj.metadata.resourceVersion = current.metadata.resourceVersion;
  applyUpdate(res, current, obj, isDryRun, ctx);
}

interface DeleteOptions {
  preconditions: Preconditions;
  dryRun: boolean;
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const body = await readBody(req);
  let opts: Record<string, unknown> = {};
  if (body.length > 0 && body.toString('utf8').trim() !== '') {
    const parsed = parseJsonBody(body);
    if (!isPlainObject(parsed)) throw badRequest('the body of a delete must be a DeleteOptions object');
    opts = parsed;
  }
  const pre: Preconditions = {};
  if (opts['preconditions'] !== undefined && opts['preconditions'] !== null) {
    if (!isPlainObject(opts['preconditions'])) throw badRequest('preconditions must be an object');
    const p = opts['preconditions'];
    if (typeof p['uid'] === 'string') pre.uid = p['uid'];
    if (typeof p['resourceVersion'] === 'string') pre.resourceVersion = p['resourceVersion'];
  }
  return { preconditions: pre, dryRun: dryRun(query, opts) };
}

/** Deletes one object, or marks it deleted when finalizers keep it. Returns what the response reports. */
function deleteOne(current: Flunder, opts: DeleteOptions, ctx: RestContext): { deleted: boolean; object: Flunder } {
  const ns = current.metadata.namespace!;
  const name = current.metadata.name!;
  if ((current.metadata.finalizers ?? []).length > 0) {
    if (opts.preconditions.uid !== undefined && opts.preconditions.uid !== current.metadata.uid) {
      throw conflict(name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
    }
    if (current.metadata.deletionTimestamp !== undefined || opts.dryRun) return { deleted: false, object: current };
    const marked = structuredClone(current);
    marked.metadata.deletionTimestamp = timestamp();
    marked.metadata.deletionGracePeriodSeconds = 0;
    return { deleted: false, object: ctx.store.update(marked, current.metadata.resourceVersion) };
  }
  if (opts.dryRun) return { deleted: true, object: current };
  return { deleted: true, object: ctx.store.delete(ns, name, opts.preconditions) };
}

async function remove(req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const opts = await deleteOptions(req, query);
  const current = ctx.store.get(namespace, name);
  if (!current) throw notFound(name);
  const result = deleteOne(current, opts, ctx);
  if (!result.deleted) {
    sendJson(res, 200, ordered(result.object));
    return;
  }
  sendJson(res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: GROUP, kind: RESOURCE, uid: result.object.metadata.uid },
  });
}

async function deleteCollection(req: IncomingMessage, res: ServerResponse, namespace: string, query: URLSearchParams, ctx: RestContext): Promise<void> {
  const opts = await deleteOptions(req, query);
  const selector = selectorMatcher(query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
  const items: Flunder[] = [];
  for (const obj of ctx.store.list(namespace).filter(selector.match)) {
    try {
      items.push(deleteOne(obj, { preconditions: {}, dryRun: opts.dryRun }, ctx).object);
    } catch (err) {
      // Deleted concurrently: nothing left to do for it.
      if (!(err instanceof ApiError) || err.code !== 404) throw err;
    }
  }
  sendJson(res, 200, {
    kind: LIST_KIND,
    apiVersion: GROUP_VERSION,
    metadata: { resourceVersion: String(ctx.store.resourceVersion) },
    items: items.map(listItem),
  });
}
