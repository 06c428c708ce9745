// The OpenAPI documents of kage's own API: /openapi/v2 (Swagger 2.0, everything in one document) and the
// /openapi/v3 documents (OpenAPI 3.0, one per group version) with the index that lists them by hash. Pure
// functions of the served resources; the handler builds them once, on first use.
import { goJson, sha512Hex } from '../discovery/encode.js';
import { KUBERNETES_VERSION } from '../discovery/version.js';
import type { ResourceDef } from '../registry/types.js';
import { emitDefinitions, GVK_EXTENSION, refPath, type JsonObject, type OpenAPIVersion } from './emit.js';
import {
  groupVersionIndexPath,
  PATCH_MEDIA_TYPES,
  pathItems,
  referencedDefinitions,
  type Operation,
  type Param,
  type PathItem,
} from './operations.js';

export interface DocumentOptions {
  /** info.version; default the Kubernetes version kage serves ("v1.32.0"). */
  version?: string;
}

const RESPONSE_TYPES = ['application/json'];
const WATCH_RESPONSE_TYPES = ['application/json', 'application/json;stream=watch'];

function info(opts: DocumentOptions): JsonObject {
  const v = KUBERNETES_VERSION;
  return { title: 'Kubernetes', version: opts.version ?? `v${v.major}.${v.minor}.${v.patch}` };
}

const BEARER = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };

function paramV2(p: Param): JsonObject {
  const out: JsonObject = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out['required'] = true;
  return out;
}

function paramV3(p: Param): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out['required'] = true;
  out['schema'] = { type: p.type, uniqueItems: true };
  return out;
}

function gvkOf(op: Operation): JsonObject {
  return { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
}

function operationV2(op: Operation): JsonObject {
  const out: JsonObject = {
    description: op.description,
    consumes: op.body?.patch ? [...PATCH_MEDIA_TYPES] : ['*/*'],
    produces: op.stream ? WATCH_RESPONSE_TYPES : RESPONSE_TYPES,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
  };
  const params: JsonObject[] = [];
  if (op.body) {
    params.push({ name: 'body', in: 'body', ...(op.body.required ? { required: true } : {}), schema: { $ref: refPath(2, op.body.schema) } });
  }
  for (const p of op.params) params.push(paramV2(p));
  if (params.length > 0) out['parameters'] = params;
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[r.code] = r.schema ? { description: r.description, schema: { $ref: refPath(2, r.schema) } } : { description: r.description };
  }
  out['responses'] = responses;
  out['x-kubernetes-action'] = op.action;
  out[GVK_EXTENSION] = gvkOf(op);
  return out;
}

function operationV3(op: Operation): JsonObject {
  const out: JsonObject = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.params.length > 0) out['parameters'] = op.params.map(paramV3);
  if (op.body) {
    const schema = { $ref: refPath(3, op.body.schema) };
    const types = op.body.patch ? PATCH_MEDIA_TYPES : ['*/*'];
    const content: JsonObject = {};
    for (const t of types) content[t] = { schema };
    out['requestBody'] = op.body.required ? { content, required: true } : { content };
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    if (!r.schema) {
      responses[r.code] = { description: r.description };
      continue;
    }
    const content: JsonObject = {};
    for (const t of op.stream ? WATCH_RESPONSE_TYPES : RESPONSE_TYPES) content[t] = { schema: { $ref: refPath(3, r.schema) } };
    responses[r.code] = { description: r.description, content };
  }
  out['responses'] = responses;
  out['x-kubernetes-action'] = op.action;
  out[GVK_EXTENSION] = gvkOf(op);
  return out;
}

function pathsSection(items: readonly PathItem[], v: OpenAPIVersion): JsonObject {
  const paths: JsonObject = {};
  for (const item of items) {
    const entry: JsonObject = {};
    for (const op of item.ops) entry[op.method] = v === 2 ? operationV2(op) : operationV3(op);
    entry['parameters'] = item.params.map(v === 2 ? paramV2 : paramV3);
    paths[item.path] = entry;
  }
  return paths;
}

/** The /openapi/v2 document (Swagger 2.0) of the given resources. */
export function openAPIV2Document(rows: readonly ResourceDef[], opts: DocumentOptions = {}): JsonObject {
  const items = pathItems(rows);
  return {
    swagger: '2.0',
    info: info(opts),
    paths: pathsSection(items, 2),
    definitions: emitDefinitions(referencedDefinitions(items), 2),
    securityDefinitions: { BearerToken: BEARER },
    security: [{ BearerToken: [] }],
  };
}

/** One /openapi/v3 group version document (OpenAPI 3.0) of the given resources (all of one group version). */
export function openAPIV3Document(rows: readonly ResourceDef[], opts: DocumentOptions = {}): JsonObject {
  const items = pathItems(rows);
  return {
    openapi: '3.0.0',
    info: info(opts),
    paths: pathsSection(items, 3),
    components: {
      schemas: emitDefinitions(referencedDefinitions(items), 3),
      securitySchemes: { BearerToken: BEARER },
    },
    security: [{ BearerToken: [] }],
  };
}

/** A document as served: its JSON text and the hash that names it (ETag, ?hash=). */
export interface BuiltDocument {
  readonly text: string;
  /** Uppercase hex SHA-512 of `text`. */
  readonly hash: string;
}

export function built(doc: JsonObject): BuiltDocument {
  const text = goJson(doc);
  return { text, hash: sha512Hex(text) };
}

export interface BuiltDocuments {
  v2: BuiltDocument;
  /** Index path ("api/v1", "apis/apps/v1") → document, in path order. */
  v3: Map<string, BuiltDocument>;
}

/** Every document of the given resources: /openapi/v2 and one /openapi/v3 document per group version. */
export function buildDocuments(rows: readonly ResourceDef[], opts: DocumentOptions = {}): BuiltDocuments {
  const byGV = new Map<string, ResourceDef[]>();
  for (const r of rows) {
    const key = groupVersionIndexPath(r.group, r.version);
    let list = byGV.get(key);
    if (!list) byGV.set(key, (list = []));
    list.push(r);
  }
  const v3 = new Map<string, BuiltDocument>();
  for (const key of [...byGV.keys()].sort()) v3.set(key, built(openAPIV3Document(byGV.get(key)!, opts)));
  return { v2: built(openAPIV2Document(rows, opts)), v3 };
}

/** The /openapi/v3 index: path → serverRelativeURL with the document's hash, keys sorted. */
export function openAPIV3Index(v3: ReadonlyMap<string, BuiltDocument>): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const path of [...v3.keys()].sort()) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${v3.get(path)!.hash}` };
  return { paths };
}
