// The message table's vocabulary, and the compiler that turns the compact table rows into field definitions.
//
// Each package file (meta.ts, core.ts, ...) lists messages as  Name: { fieldNumber: 'jsonName type', ... }.
//   jsonName   the field's JSON name; '...' for an embedded struct that Go's JSON inlines into its parent
//              (Probe's ProbeHandler, Volume's VolumeSource, the LocalObjectReference of key selectors).
//   type       [*][ [] | map[K] ] base
//     *        keep the zero value: Go's JSON encoder writes this field even when it is ''/0/false, because the
//              Go field is a pointer (replicas, immutable, ...) or has no omitempty (containerPort, allowed, ...).
//              Without it a zero scalar is dropped, like omitempty drops it.
//     []       repeated;  map[K] a protobuf map with key type K (always string in the Kubernetes API).
//     base     a scalar: string bytes int32 int64 uint32 uint64 bool double float
//              a special JSON form: time microtime duration quantity intorstring fieldsv1 raw stringlist
//              a message: Name (same package) or alias.Name (meta.ObjectMeta, core.PodSpec, ...)
// Field numbers, names and types are facts of the Kubernetes API (its generated.proto and types.go files).

export type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'double' | 'float';

/**
 * Messages the Go JSON encoder writes in a form of their own:
 * time        metav1.Time {seconds, nanos}       → "2006-01-02T15:04:05Z" (seconds only; zero → omitted)
 * microtime   metav1.MicroTime {seconds, nanos}  → "2006-01-02T15:04:05.000000Z" (zero → omitted)
 * duration    metav1.Duration {duration ns}      → Go duration string "1h2m3s"
 * quantity    resource.Quantity {string}         → the string
 * intorstring intstr.IntOrString {type, intVal, strVal} → number or string
 * fieldsv1    metav1.FieldsV1 {Raw}              → the JSON the bytes hold
 * raw         runtime.RawExtension {raw}         → the JSON (or nested Kubernetes protobuf) the bytes hold
 * stringlist  a message holding `repeated string items = 1` (authentication's ExtraValue, ...) → string array
 */
export type Special = 'time' | 'microtime' | 'duration' | 'quantity' | 'intorstring' | 'fieldsv1' | 'raw' | 'stringlist';

export type ValueType =
  | { readonly t: 'scalar'; readonly scalar: Scalar }
  | { readonly t: 'special'; readonly special: Special }
  | { readonly t: 'message'; readonly ref: string };

export interface FieldDef {
  readonly number: number;
  /** JSON name; '' when the message is inlined into its parent. */
  readonly json: string;
  readonly inline: boolean;
  readonly keepZero: boolean;
  readonly repeated: boolean;
  /** Set for protobuf maps: the key's scalar type; `value` is then the map value's type. */
  readonly mapKey?: Scalar;
  readonly value: ValueType;
}

export interface MessageDef {
  /** Table id: "core.PodSpec". */
  readonly id: string;
  /** Name for messages: "core/v1 PodSpec". */
  readonly label: string;
  readonly fields: ReadonlyMap<number, FieldDef>;
}

export type MessageTable = Readonly<Record<string, Readonly<Record<number, string>>>>;

export interface SchemaPackage {
  /** Short name used in references: "core", "meta". */
  readonly alias: string;
  /** Human name: "core/v1", "meta/v1". */
  readonly label: string;
  readonly messages: MessageTable;
}

const SCALARS: ReadonlySet<string> = new Set<Scalar>(['string', 'bytes', 'int32', 'int64', 'uint32', 'uint64', 'bool', 'double', 'float']);
const SPECIALS: ReadonlySet<string> = new Set<Special>(['time', 'microtime', 'duration', 'quantity', 'intorstring', 'fieldsv1', 'raw', 'stringlist']);

const FIELD_RE = /^(\.\.\.|[A-Za-z_$][\w$-]*) (\*)?(\[\]|map\[(\w+)\])?(\w+(?:\.\w+)?)$/;

/** Compiles package tables into definitions keyed by "alias.Name"; throws on any malformed row or dangling reference. */
export function compileSchema(packages: readonly SchemaPackage[]): Map<string, MessageDef> {
  const defs = new Map<string, MessageDef>();
  const refs: Array<{ from: string; ref: string }> = [];
  for (const pkg of packages) {
    for (const [name, rows] of Object.entries(pkg.messages)) {
      const id = `${pkg.alias}.${name}`;
      if (defs.has(id)) throw new Error(`protobuf schema: message ${id} is defined twice`);
      const fields = new Map<number, FieldDef>();
      for (const [num, spec] of Object.entries(rows)) {
        const number = Number(num);
        if (!Number.isInteger(number) || number < 1 || number > 0x1fffffff) {
          throw new Error(`protobuf schema: ${id} has a bad field number ${num}`);
        }
        const m = FIELD_RE.exec(spec);
        if (!m) throw new Error(`protobuf schema: ${id} field ${num} is malformed: '${spec}'`);
        const [, jsonName, star, container, mapKey, base] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined, string];
        let value: ValueType;
        if (SCALARS.has(base)) value = { t: 'scalar', scalar: base as Scalar };
        else if (SPECIALS.has(base)) value = { t: 'special', special: base as Special };
        else {
          const ref = base.includes('.') ? base : `${pkg.alias}.${base}`;
          value = { t: 'message', ref };
          refs.push({ from: `${id} field ${num}`, ref });
        }
        if (mapKey !== undefined && !SCALARS.has(mapKey)) {
          throw new Error(`protobuf schema: ${id} field ${num} has a map key that is not a scalar: '${spec}'`);
        }
        const inline = jsonName === '...';
        if (inline && (container !== undefined || value.t !== 'message')) {
          throw new Error(`protobuf schema: ${id} field ${num} inlines something that is not a single message`);
        }
        const def: FieldDef = {
          number,
          json: inline ? '' : jsonName,
          inline,
          keepZero: star === '*',
          repeated: container === '[]',
          value,
          ...(mapKey !== undefined ? { mapKey: mapKey as Scalar } : {}),
        };
        fields.set(number, def);
      }
      defs.set(id, { id, label: `${pkg.label} ${name}`, fields });
    }
  }
  for (const { from, ref } of refs) {
    if (!defs.has(ref)) throw new Error(`protobuf schema: ${from} refers to unknown message ${ref}`);
  }
  return defs;
}
