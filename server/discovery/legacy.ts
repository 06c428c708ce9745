// The legacy (meta/v1) discovery documents: /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>.
import type { Registry } from '../registry/registry.js';
import { orderDiscoveryGroups } from './groups.js';
import { apiResourcesOf } from './resources.js';
import type { APIGroup, APIGroupList, APIResourceList, APIVersions, DiscoveryGroup, GroupVersionForDiscovery } from './types.js';

/** /api: the core versions and the address clients should use (every client network gets the same one). */
export function apiVersions(serverAddress: string, versions: readonly string[] = ['v1']): APIVersions {
  return {
    kind: 'APIVersions',
    versions: [...versions],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: DiscoveryGroup): Omit<APIGroup, 'kind' | 'apiVersion'> {
  const [ordered] = orderDiscoveryGroups([group]);
  const versions: GroupVersionForDiscovery[] = (ordered?.versions ?? []).map((v) => ({
    groupVersion: `${group.name}/${v.version}`,
    version: v.version,
  }));
  return { name: group.name, versions, preferredVersion: versions[0] ?? { groupVersion: '', version: '' } };
}

/** /apis/<group>: the group's versions in preference order, the first being the preferred one. */
export function apiGroup(group: DiscoveryGroup): APIGroup {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}

/** /apis: every named group (the core group is under /api), in discovery order. */
export function apiGroupList(groups: readonly DiscoveryGroup[]): APIGroupList {
  const named = orderDiscoveryGroups(groups.filter((g) => g.name !== ''));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(groupEntry) };
}

/**
 * /api/v1 or /apis/<group>/<version>: the resources and subresources served, or undefined when the registry
 * does not serve that group version. As on a real server, the core list carries no apiVersion.
 */
export function apiResourceList(registry: Registry, group: string, version: string): APIResourceList | undefined {
  const rows = registry.inGroupVersion(group, version);
  if (rows.length === 0) return undefined;
  const resources = apiResourcesOf(rows, registry);
  if (group === '') return { kind: 'APIResourceList', groupVersion: version, resources };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}
