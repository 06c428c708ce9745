// meta.k8s.io/v1 Table responses (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), as kubectl get reads them.
import type { KubeObject, ObjectMeta } from '../api/types.js';
import type { ResourceDef, TableCell, TableColumnDefinition } from '../registry/types.js';
import { groupVersionString } from '../registry/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  /** Absent with includeObject=None. */
  object?: PartialObjectMetadata | KubeObject;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableListMeta;
  /** null when headers are suppressed (watch events after the first, or tableOptions noHeaders=true). */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface ToTableOptions {
  /** Default 'Metadata', as the real server does when includeObject is not given. */
  includeObject?: IncludeObject;
  /** For lists: the list's resourceVersion/continue/remainingItemCount. Without it, a single object's resourceVersion. */
  listMeta?: TableListMeta;
  /** Milliseconds since the epoch used for every age cell; default Date.now(). */
  now?: number;
  /** Leave out columnDefinitions (sent as null), as for ?noHeaders=true or watch events after the first. */
  noHeaders?: boolean;
}

/** Parse the includeObject query parameter; undefined when absent, throws nothing (callers decide on bad values). */
export function parseIncludeObject(v: string | undefined | null): IncludeObject | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : undefined;
}

/** The column definitions of a kind exactly as sent on the wire (without the cell functions). */
export function columnDefinitions(def: ResourceDef): TableColumnDefinition[] {
  return def.columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format,
    description: c.description,
    priority: c.priority,
  }));
}

/** The object a row carries: metadata only, the whole object (with apiVersion and kind), or nothing. */
function rowObject(def: ResourceDef, obj: KubeObject, includeObject: IncludeObject): TableRow['object'] {
  switch (includeObject) {
    case 'None':
      return undefined;
    case 'Object': {
      const { apiVersion: _a, kind: _k, ...rest } = obj;
      return { kind: def.kind, apiVersion: groupVersionString(def), ...rest } as KubeObject;
    }
    case 'Metadata':
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/** One row: every column's cell (the wide ones included, as the real server always sends them) and the object. */
export function tableRow(def: ResourceDef, obj: KubeObject, includeObject: IncludeObject = 'Metadata', now = Date.now()): TableRow {
  const row: TableRow = { cells: def.columns.map((c) => c.cell(obj, now)) };
  const object = rowObject(def, obj, includeObject);
  if (object !== undefined) row.object = object;
  return row;
}

function tableMeta(objects: KubeObject[], listMeta: TableListMeta | undefined): TableListMeta {
  const meta: TableListMeta = {};
  if (listMeta) {
    if (listMeta.resourceVersion) meta.resourceVersion = listMeta.resourceVersion;
    if (listMeta.continue) meta.continue = listMeta.continue;
    if (listMeta.remainingItemCount !== undefined && listMeta.remainingItemCount !== null) {
      meta.remainingItemCount = listMeta.remainingItemCount;
    }
  } else if (objects.length === 1 && objects[0]!.metadata?.resourceVersion) {
    meta.resourceVersion = objects[0]!.metadata.resourceVersion;
  }
  return meta;
}

/** A Table for a list (pass listMeta) or for one object (get, or one watch event). */
export function toTable(def: ResourceDef, objects: KubeObject[], opts: ToTableOptions = {}): Table {
  const now = opts.now ?? Date.now();
  const includeObject = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableMeta(objects, opts.listMeta),
    columnDefinitions: opts.noHeaders ? null : columnDefinitions(def),
    rows: objects.map((o) => tableRow(def, o, includeObject, now)),
  };
}

/**
 * The Table carried by one watch event in Table mode: one row, metadata.resourceVersion of the object.
 * The real server sends columnDefinitions with the first event of a watch only (later ones have null), so pass
 * `first` true for the first event sent on a stream.
 */
export function watchEventTable(
  def: ResourceDef,
  obj: KubeObject,
  opts: { includeObject?: IncludeObject; now?: number; first: boolean },
): Table {
  return toTable(def, [obj], { includeObject: opts.includeObject, now: opts.now, noHeaders: !opts.first });
}
