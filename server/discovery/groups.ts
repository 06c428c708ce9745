// The list of groups every discovery document is built from: the built-in ones from the registry, plus
// groups merged in from elsewhere (the aggregator's APIServices), in the order a real cluster lists them.
import type { Registry } from '../registry/registry.js';
import { orderGroups, priorityOf, type PriorityEntry } from './priorities.js';
import { resourceDiscoveryOf } from './resources.js';
import type { DiscoveryGroup, DiscoveryVersion } from './types.js';

/** The built-in groups: one DiscoveryGroup per group of the registry ("" included), ordered. */
export function groupsFromRegistry(registry: Registry): DiscoveryGroup[] {
  const groups = new Map<string, DiscoveryGroup>();
  for (const gv of registry.groupVersions()) {
    let g = groups.get(gv.group);
    if (!g) {
      g = { name: gv.group, versions: [] };
      groups.set(gv.group, g);
    }
    g.versions.push({
      version: gv.version,
      resources: resourceDiscoveryOf(registry.inGroupVersion(gv.group, gv.version)),
      freshness: 'Current',
    });
  }
  return orderDiscoveryGroups([...groups.values()]);
}

/**
 * Merges groups from several sources into one list; for a group version present in more than one, the
 * later source wins (pass the built-in groups first and the aggregator's after them: as in kube-apiserver,
 * an APIService backed by a service takes a group version over from the local server).
 */
export function mergeGroups(...sources: ReadonlyArray<readonly DiscoveryGroup[]>): DiscoveryGroup[] {
  const groups = new Map<string, Map<string, DiscoveryVersion>>();
  for (const source of sources) {
    for (const g of source) {
      let versions = groups.get(g.name);
      if (!versions) {
        versions = new Map();
        groups.set(g.name, versions);
      }
      for (const v of g.versions) versions.set(v.version, v);
    }
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions.values()] }));
}

interface Placed extends PriorityEntry {
  entry: DiscoveryVersion;
}

/**
 * Groups in discovery order: by group priority (the highest groupPriorityMinimum of the group's versions,
 * from each version's own numbers or else the built-in table), then name; versions by version priority,
 * then Kubernetes version order. Groups without versions are dropped.
 */
export function orderDiscoveryGroups(groups: readonly DiscoveryGroup[]): DiscoveryGroup[] {
  const entries: Placed[] = [];
  for (const g of groups) {
    for (const v of g.versions) {
      const p = priorityOf(g.name, v.version);
      entries.push({
        group: g.name,
        version: v.version,
        groupPriorityMinimum: v.groupPriorityMinimum ?? p.group,
        versionPriority: v.versionPriority ?? p.version,
        entry: v,
      });
    }
  }
  return orderGroups(entries).map((g) => ({ name: g.group, versions: g.versions.map((v) => v.entry) }));
}
