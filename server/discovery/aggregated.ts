// The aggregated discovery documents (apidiscovery.k8s.io/v2 and v2beta1 APIGroupDiscoveryList) served at
// /api and /apis to clients that ask for them, such as kubectl 1.32.
import { goJson, sha512Hex } from './encode.js';
import { orderDiscoveryGroups } from './groups.js';
import type { AggregatedDiscoveryVersion, APIGroupDiscovery, APIGroupDiscoveryList, APIVersionDiscovery, DiscoveryGroup } from './types.js';

export { groupsFromRegistry, mergeGroups, orderDiscoveryGroups } from './groups.js';

/**
 * The APIGroupDiscoveryList of the given groups, in discovery order. Pass only the core group ("") for /api
 * and only the named groups for /apis. The core group is written without a name, and every group's
 * metadata carries `creationTimestamp: null` as the real server's does. v2 and v2beta1 differ only in apiVersion.
 */
export function aggregatedDiscovery(
  groups: readonly DiscoveryGroup[],
  apiVersion: AggregatedDiscoveryVersion = 'v2',
): APIGroupDiscoveryList {
  const items = orderDiscoveryGroups(groups).map(
    (g): APIGroupDiscovery => ({
      metadata: g.name === '' ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v): APIVersionDiscovery => {
        const out: APIVersionDiscovery = { version: v.version };
        if (v.resources.length) out.resources = v.resources;
        out.freshness = v.freshness;
        return out;
      }),
    }),
  );
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}

/**
 * The ETag of an aggregated document, unquoted: the uppercase hex SHA-512 of its compact JSON without kind
 * and apiVersion (kube-apiserver hashes the object before its type is set). It is therefore the same for the
 * v2 and v2beta1 forms, which Vary: Accept keeps apart in caches.
 */
export function aggregatedETag(list: APIGroupDiscoveryList): string {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = list;
  return sha512Hex(goJson(rest));
}
