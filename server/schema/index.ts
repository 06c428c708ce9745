// The schema of every served kind: structure from the protobuf message table, patch and apply metadata from
// the facts table. What validation, strategic merge patch, server-side apply and the OpenAPI documents read.
//
//   const deployment = schemaForKind('apps', 'v1', 'Deployment')!;
//   const containers = fieldPath(deployment, ['spec', 'template', 'spec', 'containers'])!;
//   containers.patchStrategy  // 'merge'
//   containers.patchMergeKey  // 'name'
//   containers.items!.properties!.ports!.patchMergeKey  // 'containerPort'
//
// The model is built on first use (a few milliseconds), never at import.
import { buildModel, type SchemaModel } from './model.js';
import type { FieldPath, GroupVersionKind, TypeSchema } from './types.js';

export type {
  Definition,
  FieldPath,
  GroupVersionKind,
  JsonType,
  ListType,
  MapType,
  SpecialForm,
  TypeSchema,
} from './types.js';
export { GROUPS, PATCH_DEFINITION, WATCH_EVENT_DEFINITION, STATUS_DEFINITION, DELETE_OPTIONS_DEFINITION } from './groups.js';

let model: SchemaModel | undefined;

function getModel(): SchemaModel {
  return (model ??= buildModel());
}

/**
 * The schema of a kind as served at group/version ("" for the core group), list kinds ("ConfigMapList"),
 * Status and DeleteOptions included; undefined when kage serves no such kind.
 */
export function schemaForKind(group: string, version: string, kind: string): TypeSchema | undefined {
  return getModel().kinds.get(`${group}/${version}/${kind}`);
}

/** The schema of an object from its apiVersion ("v1", "apps/v1") and kind. */
export function schemaForObject(apiVersion: string, kind: string): TypeSchema | undefined {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? schemaForKind('', apiVersion, kind) : schemaForKind(apiVersion.slice(0, slash), apiVersion.slice(slash + 1), kind);
}

/** A definition by OpenAPI name ("io.k8s.api.core.v1.PodSpec"). */
export function definition(name: string): TypeSchema | undefined {
  return getModel().definitions.get(name);
}

/** Every definition by OpenAPI name. */
export function definitions(): ReadonlyMap<string, TypeSchema> {
  return getModel().definitions;
}

/** A message's definition by its id in the message table ("core.PodSpec"). */
export function schemaForMessage(id: string): TypeSchema | undefined {
  return getModel().byMessage.get(id);
}

/** Every kind with a schema (list kinds, Status and DeleteOptions included). */
export function schemaKinds(): GroupVersionKind[] {
  return [...getModel().kinds.keys()].map((k) => {
    const [group, version, kind] = k.split('/') as [string, string, string];
    return { group, version, kind };
  });
}

/**
 * The schema of a struct field or map value: `properties[name]` of a struct, `additionalProperties` of a map;
 * for a list, the same looked up in its elements. Undefined when there is no such field.
 */
export function property(schema: TypeSchema, name: string): TypeSchema | undefined {
  const s = schema.type === 'array' && schema.items ? schema.items : schema;
  return s.properties?.[name] ?? s.additionalProperties;
}

/**
 * Follows a path from `schema`: a string segment is a struct field or a map key, a number is a list index.
 * A string segment met on a list looks into its elements, so ['spec', 'containers', 'ports'] and
 * ['spec', 'containers', 0, 'ports'] both work; a dotted string ("spec.template.spec") is split on dots.
 * Returns the node of the last field as its parent declares it, so its patch metadata is on it; undefined
 * when the path leaves the schema.
 */
export function fieldPath(schema: TypeSchema, path: FieldPath): TypeSchema | undefined {
  const segments = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
  let cur: TypeSchema | undefined = schema;
  for (const seg of segments) {
    if (!cur) return undefined;
    if (typeof seg === 'number') {
      cur = cur.type === 'array' ? cur.items : undefined;
    } else {
      cur = property(cur, seg);
    }
  }
  return cur;
}

/** The strategic merge patch strategies of a field ("merge,retainKeys" → ['merge', 'retainKeys']). */
export function patchStrategies(field: TypeSchema | undefined): string[] {
  return field?.patchStrategy ? field.patchStrategy.split(',') : [];
}

/** OpenAPI name of a message id ("core.PodSpec" → "io.k8s.api.core.v1.PodSpec"). */
export function definitionName(messageId: string): string | undefined {
  return getModel().names.get(messageId);
}
