// Looks up built-in resources by the parts of a URL; the one place that knows every row.
import type { GroupVersion, ResourceDef } from './types.js';

/** All built-in resource rows, indexed for request routing and discovery. */
export class Registry {
  private readonly byPath = new Map<string, ResourceDef>();
  private readonly rows: ResourceDef[];

  constructor(rows: ResourceDef[]) {
    this.rows = rows;
    for (const r of rows) this.byPath.set(`${r.group}/${r.version}/${r.plural}`, r);
  }

  /** Every row, in registration order. */
  all(): readonly ResourceDef[] {
    return this.rows;
  }

  /** The row serving /apis/<group>/<version>/<plural> (group "" for /api/v1). */
  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The rows of one group version. */
  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.rows.filter((r) => r.group === group && r.version === version);
  }

  /** Distinct group versions served, in registration order. */
  groupVersions(): GroupVersion[] {
    const seen = new Set<string>();
    const out: GroupVersion[] = [];
    for (const r of this.rows) {
      const k = `${r.group}/${r.version}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push({ group: r.group, version: r.version });
      }
    }
    return out;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.rows.some((r) => r.group === group && r.version === version);
  }
}
