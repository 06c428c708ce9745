// meta.k8s.io Table and PartialObjectMetadata(List) renderings of flunders (what `kubectl get` asks for).
import { badRequest } from './status.js';
import type { Flunder, ListMeta, ObjectMeta } from './types.js';
import { ordered } from './flunder.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';
export type MetaVersion = 'v1' | 'v1beta1';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export const COLUMNS: readonly TableColumnDefinition[] = [
  {
    name: 'Name',
    type: 'string',
    format: 'name',
    description:
      'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
    priority: 0,
  },
  {
    name: 'Age',
    type: 'string',
    format: '',
    description:
      'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    priority: 0,
  },
];

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: Partial<ListMeta>;
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface TableOptions {
  version: MetaVersion;
  includeObject: IncludeObject;
  /** columnDefinitions sent as null (watch events after the first, ?noHeaders=true via tableOptions). */
  noHeaders?: boolean;
  now?: number;
}

/** ?includeObject= (default Metadata); anything else is a 400. */
export function parseIncludeObject(v: string | null | undefined): IncludeObject {
  if (v === null || v === undefined || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

/** kubectl's human-readable duration (k8s.io/apimachinery/pkg/util/duration.HumanDuration rules). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const years = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function ageCell(obj: Flunder, now: number): string {
  const created = obj.metadata.creationTimestamp;
  if (!created) return '<unknown>';
  const t = Date.parse(created);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export function partialObject(obj: Flunder, version: MetaVersion): { kind: 'PartialObjectMetadata'; apiVersion: string; metadata: ObjectMeta } {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: ordered(obj).metadata };
}

function row(obj: Flunder, opts: TableOptions, now: number): TableRow {
  const r: TableRow = { cells: [obj.metadata.name ?? '', ageCell(obj, now)] };
  if (opts.includeObject === 'Object') r.object = ordered(obj);
  else if (opts.includeObject === 'Metadata') r.object = partialObject(obj, opts.version);
  return r;
}

/** A Table of `objects`: a list (pass `listMeta`) or one object (its resourceVersion becomes the Table's). */
export function toTable(objects: Flunder[], opts: TableOptions, listMeta?: ListMeta): Table {
  const now = opts.now ?? Date.now();
  let metadata: Partial<ListMeta> = {};
  if (listMeta) metadata = { ...listMeta };
  else if (objects.length === 1 && objects[0]!.metadata.resourceVersion) metadata = { resourceVersion: objects[0]!.metadata.resourceVersion };
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? null : COLUMNS.map((c) => ({ ...c })),
    rows: objects.map((o) => row(o, opts, now)),
  };
}

export function partialObjectList(objects: Flunder[], version: MetaVersion, listMeta: ListMeta): unknown {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    items: objects.map((o) => partialObject(o, version)),
  };
}
