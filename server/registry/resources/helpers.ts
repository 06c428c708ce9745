// Building blocks that let each resource row read as data: the row builder, shared columns, small accessors.
import { loadSchemaModule } from '../../schema/lazy.js';
import type { KubeObject } from '../../api/types.js';
import { ALL_VERBS } from '../types.js';
import type { FieldGetter, NameRule, ResourceDef, SubresourceDef, TableCell, TableColumn, Verb } from '../types.js';
import { age } from '../../table/duration.js';
import { DOC, type DocKey } from './docs.js';

// ---------------------------------------------------------------------------------------------------------------
// Reading loosely typed JSON objects.

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path ("spec.template.spec"), or undefined. */
export function get(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objs(v: unknown): Json[] {
  return arr(v).filter(isObject);
}

export function strMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** The object at `dotted`, created (as {}) when absent; intermediate objects are created too. */
export function ensure(obj: Json, dotted: string): Json {
  let cur = obj;
  for (const part of dotted.split('.')) {
    if (!isObject(cur[part])) cur[part] = {};
    cur = cur[part] as Json;
  }
  return cur;
}

/** Set obj[key] = value when obj[key] is undefined or null. */
export function setDefault(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** A field getter reading a string at a dotted path ("" for absent values reads the same way to selectors). */
export function field(dotted: string): FieldGetter {
  return (o) => {
    const v = get(o, dotted);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns.

/** A column: name, type and description as the real server sends them; priority 1 shows only with -o wide. */
export function col(
  name: string,
  type: TableColumn['type'],
  description: DocKey | { text: string },
  cell: (obj: KubeObject, now: number) => TableCell,
  opts: { priority?: number; format?: string } = {},
): TableColumn {
  return {
    name,
    type,
    format: opts.format ?? '',
    description: typeof description === 'string' ? DOC[description] : description.text,
    priority: opts.priority ?? 0,
    cell,
  };
}

/** A column whose description is plain text rather than an API field's documentation. */
export const text = (t: string): { text: string } => ({ text: t });

/** The Name column every kind starts with (format "name"). */
export function nameColumn(priority = 0): TableColumn {
  return col('Name', 'string', 'ObjectMeta.name', (o) => o.metadata?.name ?? '', { format: 'name', priority });
}

/** The Age column: HumanDuration since metadata.creationTimestamp. */
export function ageColumn(): TableColumn {
  return col('Age', 'string', 'ObjectMeta.creationTimestamp', (o, now) => age(o.metadata?.creationTimestamp, now));
}

/** "Names of each container in the template." / "Images referenced by ..." cells: comma-joined. */
export function containerCells(containers: unknown): { names: string; images: string } {
  const cs = objs(containers);
  return {
    names: cs.map((c) => str(c.name) ?? '').join(','),
    images: cs.map((c) => str(c.image) ?? '').join(','),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rows.

const STATUS_VERBS: Verb[] = ['get', 'patch', 'update'];

/** The status subresource of a kind (get, patch, update; same kind). */
export function statusOf(kind: string): SubresourceDef {
  return { name: 'status', kind, verbs: [...STATUS_VERBS] };
}

/**
 * The scale subresource (autoscaling/v1 Scale). `mapSelector` for kinds whose spec.selector is a plain label
 * map (ReplicationController) rather than a metav1.LabelSelector.
 */
export function scaleSubresource(opts: { mapSelector?: boolean } = {}): SubresourceDef {
  const def: SubresourceDef = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: [...STATUS_VERBS] };
  if (opts.mapSelector) def.mapSelector = true;
  return def;
}

export interface RowSpec {
  group?: string;
  version?: string;
  kind: string;
  plural: string;
  /** Default: kind in lower case. */
  singular?: string;
  /** Default: `${kind}List`. */
  listKind?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Default: all eight verbs. */
  verbs?: Verb[];
  /** Default: none. 'status' is shorthand for the kind's own status subresource. */
  subresources?: Array<SubresourceDef | 'status'>;
  /** Default 'dns1123-subdomain'. */
  nameRule?: NameRule;
  /** Default false. */
  generation?: boolean;
  /** Every column in order, Name and Age included (Events put Name last, with priority 1). */
  columns: TableColumn[];
  fieldSelectors?: Record<string, FieldGetter>;
  defaults?: ResourceDef['defaults'];
  validate?: ResourceDef['validate'];
  seed?: KubeObject[];
}

/** A complete ResourceDef from the parts that differ between kinds. */
export function row(spec: RowSpec): ResourceDef {
  const def: ResourceDef = {
    group: spec.group ?? '',
    version: spec.version ?? 'v1',
    kind: spec.kind,
    listKind: spec.listKind ?? `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.singular ?? spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? [...ALL_VERBS],
    subresources: (spec.subresources ?? []).map((s) => (s === 'status' ? statusOf(spec.kind) : s)),
    nameRule: spec.nameRule ?? 'dns1123-subdomain',
    generation: spec.generation ?? false,
    columns: spec.columns,
    fieldSelectors: spec.fieldSelectors ?? {},
    schema: () => loadSchemaModule().then((m) => m.schemaForKind(def.group, def.version, def.kind)),
  };
  if (spec.defaults) def.defaults = spec.defaults;
  if (spec.validate) def.validate = spec.validate;
  if (spec.seed) def.seed = spec.seed;
  return def;
}
