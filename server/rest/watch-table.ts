// Watch events in Table form: each event carries a one-row Table; only the first carries column definitions.
import type { KubeObject } from '../api/types.js';
import type { StoredRecord } from '../../storage/store.js';
import type { ResourceDef } from '../registry/types.js';
import { watchEventTable } from '../table/table.js';

export function tableRowEvent(def: ResourceDef, includeObject: 'None' | 'Metadata' | 'Object') {
  let first = true;
  return {
    line(type: 'ADDED' | 'MODIFIED' | 'DELETED', rec: StoredRecord): string {
      const table = watchEventTable(def, rec.object as KubeObject, { includeObject, first });
      first = false;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    },
  };
}
