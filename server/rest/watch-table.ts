// Watch events in Table form: each event carries a one-row Table; the first carries the column definitions.
import type { KubeObject } from '../api/types.js';
import type { StoredRecord } from '../../storage/store.js';
import type { ResourceDef } from '../registry/types.js';
import { toTable } from '../table/table.js';

export function tableRowEvent(def: ResourceDef, includeObject: 'None' | 'Metadata' | 'Object') {
  let first = true;
  return {
    line(type: 'ADDED' | 'MODIFIED' | 'DELETED', rec: StoredRecord): string {
      const table = toTable(def, [rec.object as KubeObject], {
        includeObject,
        listMeta: { resourceVersion: rec.object.metadata.resourceVersion ?? '' },
      }) as { columnDefinitions?: unknown[] };
      if (!first) table.columnDefinitions = [];
      first = false;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    },
  };
}
