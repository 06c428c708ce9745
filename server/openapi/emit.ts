// Writes schema-model nodes as OpenAPI schema objects: Swagger 2.0 definitions (refs to #/definitions/...)
// or OpenAPI 3.0 components (refs to #/components/schemas/..., with allOf where a ref has siblings), carrying
// the Kubernetes extensions clients read.
import { definition, type TypeSchema } from '../schema/index.js';

export type OpenAPIVersion = 2 | 3;

export type JsonObject = { [key: string]: unknown };

export const GVK_EXTENSION = 'x-kubernetes-group-version-kind';

export function refPath(v: OpenAPIVersion, name: string): string {
  return v === 2 ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

/** The extensions a field carries as its parent declares it. */
function fieldExtensions(n: TypeSchema, out: JsonObject, withMapType: boolean): void {
  if (n.patchMergeKey) out['x-kubernetes-patch-merge-key'] = n.patchMergeKey;
  if (n.patchStrategy) out['x-kubernetes-patch-strategy'] = n.patchStrategy;
  if (n.listType) out['x-kubernetes-list-type'] = n.listType;
  if (n.listMapKeys) out['x-kubernetes-list-map-keys'] = [...n.listMapKeys];
  if (withMapType && n.mapType) out['x-kubernetes-map-type'] = n.mapType;
}

/** A field, list element or map value: a reference when the node stands for a definition. */
export function emitNode(n: TypeSchema, v: OpenAPIVersion): JsonObject {
  if (n.ref) {
    const siblings: JsonObject = {};
    if (n.description) siblings['description'] = n.description;
    fieldExtensions(n, siblings, false);
    const ref = { $ref: refPath(v, n.ref) };
    if (Object.keys(siblings).length === 0) return ref;
    return v === 2 ? { ...ref, ...siblings } : { allOf: [ref], ...siblings };
  }
  const out: JsonObject = {};
  if (n.description) out['description'] = n.description;
  if (n.type) out['type'] = n.type;
  if (n.format) out['format'] = n.format;
  if (n.items) out['items'] = emitNode(n.items, v);
  if (n.additionalProperties) out['additionalProperties'] = emitNode(n.additionalProperties, v);
  if (n.properties) out['properties'] = emitProperties(n.properties, v);
  if (n.required && n.required.length > 0) out['required'] = [...n.required];
  fieldExtensions(n, out, true);
  return out;
}

function emitProperties(props: Readonly<Record<string, TypeSchema>>, v: OpenAPIVersion): JsonObject {
  const out: JsonObject = {};
  for (const [k, p] of Object.entries(props)) out[k] = emitNode(p, v);
  return out;
}

/** The body of a named definition. */
export function emitDefinition(d: TypeSchema, v: OpenAPIVersion): JsonObject {
  const out: JsonObject = {};
  if (d.description) out['description'] = d.description;
  if (d.special === 'quantity') {
    if (v === 2) out['type'] = 'string';
    else out['oneOf'] = [{ type: 'string' }, { type: 'number' }];
    return out;
  }
  if (d.special === 'intorstring') {
    if (v === 2) out['type'] = 'string';
    else out['oneOf'] = [{ type: 'integer' }, { type: 'string' }];
    out['format'] = 'int-or-string';
    return out;
  }
  if (d.type) out['type'] = d.type;
  if (d.format) out['format'] = d.format;
  if (d.properties) out['properties'] = emitProperties(d.properties, v);
  if (d.required && d.required.length > 0) out['required'] = [...d.required];
  if (d.gvk) out[GVK_EXTENSION] = d.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  if (d.mapType) out['x-kubernetes-map-type'] = d.mapType;
  return out;
}

/** Every definition reachable from `roots` (definition names), sorted by name. */
export function closure(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const visitNode = (n: TypeSchema): void => {
    if (n.ref) {
      visitName(n.ref);
      return;
    }
    if (n.items) visitNode(n.items);
    if (n.additionalProperties) visitNode(n.additionalProperties);
    if (n.properties) for (const p of Object.values(n.properties)) visitNode(p);
  };
  const visitName = (name: string): void => {
    if (seen.has(name)) return;
    const d = definition(name);
    if (!d) throw new Error(`openapi: no definition ${name}`);
    seen.add(name);
    if (d.items) visitNode(d.items);
    if (d.additionalProperties) visitNode(d.additionalProperties);
    if (d.properties) for (const p of Object.values(d.properties)) visitNode(p);
  };
  for (const r of roots) visitName(r);
  return [...seen].sort();
}

// Definitions never change: each is written once per OpenAPI version and shared by every document (the
// objects are only ever serialized, never modified).
const emitted: Record<OpenAPIVersion, WeakMap<TypeSchema, JsonObject>> = { 2: new WeakMap(), 3: new WeakMap() };

/** The definitions section: name → body, for the closure of `roots`. */
export function emitDefinitions(roots: Iterable<string>, v: OpenAPIVersion): JsonObject {
  const out: JsonObject = {};
  for (const name of closure(roots)) {
    const d = definition(name)!;
    let body = emitted[v].get(d);
    if (!body) emitted[v].set(d, (body = emitDefinition(d, v)));
    out[name] = body;
  }
  return out;
}
