// The schema model's vocabulary: what a served kind's structure looks like to validation, strategic merge
// patch, server-side apply and the OpenAPI documents. Stable API: server/patch and server-side apply build on it.

/** JSON types, as OpenAPI names them. */
export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** x-kubernetes-list-type. */
export type ListType = 'atomic' | 'set' | 'map';

/** x-kubernetes-map-type (on maps, and on structs that are replaced as a whole). */
export type MapType = 'atomic' | 'granular';

/**
 * Values with a JSON form of their own (the named definitions they stand for are in parentheses):
 * time        RFC 3339 timestamp, seconds precision (meta/v1 Time)
 * microtime   RFC 3339 timestamp, microseconds (meta/v1 MicroTime)
 * duration    Go duration string "1h2m3s" (meta/v1 Duration)
 * quantity    "100m", "1Gi" or a number (resource.Quantity)
 * intorstring an integer or a string (intstr.IntOrString)
 * fieldsv1    a managedFields field set, any JSON object (meta/v1 FieldsV1)
 * raw         an embedded object, any JSON (runtime.RawExtension)
 */
export type SpecialForm = 'time' | 'microtime' | 'duration' | 'quantity' | 'intorstring' | 'fieldsv1' | 'raw';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * One node of a schema. Objects have `properties` (structs) or `additionalProperties` (maps), arrays have
 * `items`. A node standing for a named definition (a message, or Time, Quantity, ...) has `ref` set to the
 * definition's OpenAPI name and shares the definition's `properties` and `required` objects, so a walk never
 * needs to look definitions up; types may recurse, so walks must not assume the graph is a tree.
 *
 * Field-level facts (`description`, `patchStrategy`, `patchMergeKey`, `listType`, `listMapKeys`, map-typed
 * fields' `mapType`) sit on the node of the field as its parent declares it: the node found under
 * `properties[name]`. A struct's own `mapType: 'atomic'` (+structType=atomic) is on its definition and copied
 * onto every node that stands for it; `gvk` is only on definitions. Nodes are frozen; never mutate them.
 */
export interface TypeSchema {
  /** Absent for values of any JSON type (quantity and int-or-string: see `special`). */
  readonly type?: JsonType;
  /** int32, int64, double, byte (base64 string), date-time, int-or-string. */
  readonly format?: string;
  readonly description?: string;
  /** OpenAPI name of the definition this node is or stands for, e.g. "io.k8s.api.core.v1.PodSpec". */
  readonly ref?: string;
  /** Struct fields by JSON name (keys sorted). */
  readonly properties?: Readonly<Record<string, TypeSchema>>;
  /** JSON names of the required fields of a struct (sorted; may be empty). */
  readonly required?: readonly string[];
  /** Element schema of an array. */
  readonly items?: TypeSchema;
  /** Value schema of a map (keys are strings). */
  readonly additionalProperties?: TypeSchema;
  /** Strategic merge patch strategy: "merge", "retainKeys", "merge,retainKeys" or "replace". */
  readonly patchStrategy?: string;
  /** Strategic merge patch: the field identifying the elements of a merged list of objects. */
  readonly patchMergeKey?: string;
  readonly listType?: ListType;
  /** For listType map: the fields that together identify an element. */
  readonly listMapKeys?: readonly string[];
  readonly mapType?: MapType;
  /** Definitions of top-level kinds only: the group/version/kinds this definition is served as. */
  readonly gvk?: readonly GroupVersionKind[];
  readonly special?: SpecialForm;
}

/** A named definition: its OpenAPI name and its schema (whose `ref` is the name too). */
export interface Definition {
  readonly name: string;
  readonly schema: TypeSchema;
}

/** A path into an object: field names, map keys, and list indexes (or, for lists, element field names). */
export type FieldPath = string | readonly (string | number)[];
