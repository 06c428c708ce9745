// Wire types of discovery: the legacy meta/v1 documents and the aggregated apidiscovery.k8s.io ones.
// Optional fields are left out of the JSON when empty, as the real server's omitempty does.

/** meta/v1 GroupVersionForDiscovery. */
export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/** meta/v1 ServerAddressByClientCIDR. */
export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

/** meta/v1 APIVersions: the /api document. */
export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: ServerAddressByClientCIDR[];
}

/** meta/v1 APIGroup: an entry of /apis, or the /apis/<group> document (then with kind and apiVersion). */
export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

/** meta/v1 APIGroupList: the /apis document. */
export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

/** meta/v1 APIResource: a resource or subresource of a group version. */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

/** meta/v1 APIResourceList: the /api/v1 and /apis/<group>/<version> documents (core has no apiVersion). */
export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion?: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** meta/v1 GroupVersionKind as aggregated discovery writes it: empty group and version mean "this one". */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export type ResourceScope = 'Namespaced' | 'Cluster';
export type Freshness = 'Current' | 'Stale';

/** apidiscovery/v2 APISubresourceDiscovery. */
export interface APISubresourceDiscovery {
  subresource: string;
  responseKind?: GroupVersionKind;
  acceptedTypes?: GroupVersionKind[];
  verbs: string[];
}

/** apidiscovery/v2 APIResourceDiscovery. */
export interface APIResourceDiscovery {
  resource: string;
  responseKind?: GroupVersionKind;
  scope: ResourceScope;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

/** apidiscovery/v2 APIVersionDiscovery (resources left out when empty, e.g. a Stale version). */
export interface APIVersionDiscovery {
  version: string;
  resources?: APIResourceDiscovery[];
  freshness?: Freshness;
}

/** apidiscovery/v2 APIGroupDiscovery; the core group has no name. */
export interface APIGroupDiscovery {
  metadata: { name?: string; creationTimestamp: null };
  versions: APIVersionDiscovery[];
}

export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

/** apidiscovery/v2 (or v2beta1) APIGroupDiscoveryList: the aggregated /api and /apis documents. */
export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: `apidiscovery.k8s.io/${AggregatedDiscoveryVersion}`;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/**
 * One version of a group as the discovery documents are built from: its resources, whether they are
 * up to date, and optionally the priorities to place it by (an APIService's spec); without them the
 * built-in table (priorityOf) decides.
 */
export interface DiscoveryVersion {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: Freshness;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

/** One API group ("" for the core group) with its versions, in any order. */
export interface DiscoveryGroup {
  name: string;
  versions: DiscoveryVersion[];
}
