// Turns stored records into response bodies: objects, lists, Tables, PartialObjectMetadata.
import type { KubeObject } from '../api/types.js';
import type { StoredRecord } from '../../storage/store.js';
import type { ResourceDef } from '../registry/types.js';
import { groupVersionString } from '../registry/types.js';
import { toTable } from '../table/table.js';
import type { OutputChoice } from '../http/accept.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The JSON text an item has inside a list: the stored JSON without kind and apiVersion. */
export function itemJson(def: ResourceDef, record: StoredRecord): string {
  const head = `{"kind":${JSON.stringify(def.kind)},"apiVersion":${JSON.stringify(groupVersionString(def))},`;
  if (record.json.startsWith(head)) return '{' + record.json.slice(head.length);
  const { kind: _k, apiVersion: _a, ...rest } = record.object;
  return JSON.stringify(rest);
}

/** PartialObjectMetadata of one object. */
export function partialOf(obj: Readonly<KubeObject>): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function listMetaJson(meta: ListMeta): string {
  return JSON.stringify(meta);
}

/** The body of a list response in the chosen form. */
export function listBody(def: ResourceDef, records: StoredRecord[], meta: ListMeta, out: OutputChoice): string {
  if (out.form === 'table') {
    return JSON.stringify(toTable(def, records.map((r) => r.object as KubeObject), { includeObject: out.includeObject, listMeta: meta }));
  }
  if (out.form === 'partial') {
    return JSON.stringify({
      kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta,
      items: records.map((r) => partialOf(r.object)),
    });
  }
  const parts: string[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) parts[i] = itemJson(def, records[i]!);
  return `{"kind":${JSON.stringify(def.listKind)},"apiVersion":${JSON.stringify(groupVersionString(def))},"metadata":${listMetaJson(meta)},"items":[${parts.join(',')}]}`;
}

/** The body of a single-object response in the chosen form. */
export function objectBody(def: ResourceDef, record: { object: Readonly<KubeObject>; json: string }, out: OutputChoice): string {
  if (out.form === 'table') {
    return JSON.stringify(toTable(def, [record.object as KubeObject], { includeObject: out.includeObject, listMeta: { resourceVersion: record.object.metadata.resourceVersion ?? '' } }));
  }
  if (out.form === 'partial') return JSON.stringify(partialOf(record.object));
  return record.json;
}
