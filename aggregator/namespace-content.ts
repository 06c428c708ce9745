// What a terminating namespace holds in extension API servers: the namespace controller empties these
// through the backends, and waits while a backend's discovery is failing (as kube-controller-manager does).
import type { APIServiceRegistry } from './apiservice-registry.js';
import type { BackendFetcher } from './backend.js';
import type { DiscoveryManager } from './discovery-manager.js';

export interface RemoteResource {
  group: string;
  version: string;
  resource: string;
  deleteCollection: boolean;
}

export interface RemoteNamespaceContent {
  /** Namespaced remote resources that can be emptied, and the group versions ("g/v") whose discovery fails. */
  snapshot(): { resources: RemoteResource[]; failed: string[] };
  /** Deletes every object of `r` in `namespace`; resolves with how many are still there afterwards. */
  deleteAll(r: RemoteResource, namespace: string): Promise<number>;
}

interface ListBody {
  items?: { metadata?: { name?: string } }[];
}

/** The remote content view over the aggregator's live APIServices, merged discovery and backend fetcher. */
export function remoteNamespaceContent(
  apiServices: APIServiceRegistry, discovery: DiscoveryManager, fetcher: BackendFetcher, timeoutMs: number,
): RemoteNamespaceContent {
  const backendOf = (r: RemoteResource) => {
    const svc = apiServices.forGroupVersion(r.group, r.version);
    if (!svc || !svc.service) throw new Error(`no APIService serves ${r.group}/${r.version}`);
    return svc;
  };
  const call = async (r: RemoteResource, method: 'GET' | 'DELETE', path: string): Promise<unknown> => {
    const res = await fetcher.get(backendOf(r), path, { timeoutMs, method, accept: 'application/json' });
    if (res.status === 404 && method === 'DELETE') return undefined;
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${path}: the server answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
    }
    try {
      return JSON.parse(res.body.toString('utf8')) as unknown;
    } catch {
      throw new Error(`${method} ${path}: the answer is not JSON`);
    }
  };
  return {
    snapshot() {
      const resources: RemoteResource[] = [];
      const failed: string[] = [];
      for (const g of discovery.groups()) {
        for (const v of g.versions) {
          if (v.freshness === 'Stale') {
            failed.push(`${g.name}/${v.version}`);
            continue;
          }
          for (const res of v.resources) {
            if (res.scope !== 'Namespaced' || !res.verbs.includes('list')) continue;
            const deleteCollection = res.verbs.includes('deletecollection');
            if (!deleteCollection && !res.verbs.includes('delete')) continue;
            resources.push({ group: g.name, version: v.version, resource: res.resource, deleteCollection });
          }
        }
      }
      return { resources, failed };
    },
    async deleteAll(r, namespace) {
      const base = `/apis/${r.group}/${r.version}/namespaces/${encodeURIComponent(namespace)}/${r.resource}`;
      if (r.deleteCollection) {
        await call(r, 'DELETE', base);
      } else {
        const list = (await call(r, 'GET', base)) as ListBody;
        for (const item of list.items ?? []) {
          const name = item.metadata?.name;
          if (name) await call(r, 'DELETE', `${base}/${encodeURIComponent(name)}`);
        }
      }
      const after = (await call(r, 'GET', base)) as ListBody;
      return after.items?.length ?? 0;
    },
  };
}
