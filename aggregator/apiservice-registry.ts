// An always-current, in-memory view of every APIService, kept by watching storage. The proxy, the
// availability controller and the discovery merger all read it instead of going to storage per request.
import type { KubeObject } from '../server/api/types.js';
import type { Store, StoreWatcher } from '../storage/store.js';

export const APISERVICE_PREFIX = '/registry/apiregistration.k8s.io/apiservices/';

export interface ServiceReference {
  namespace: string;
  name: string;
  port: number;
}

export interface AvailableCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** One APIService as the aggregator needs it. */
export interface APIServiceInfo {
  name: string;
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  /** Absent for Local APIServices (served in-process). */
  service?: ServiceReference;
  caBundle?: string;
  insecureSkipTLSVerify: boolean;
  available: AvailableCondition;
  object: Readonly<KubeObject>;
}

export type APIServiceListener = (name: string, now: APIServiceInfo | undefined, before: APIServiceInfo | undefined) => void;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads the parts of an APIService object the aggregator uses. */
export function apiServiceInfo(obj: Readonly<KubeObject>): APIServiceInfo {
  const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
  const svc = spec['service'] as Record<string, unknown> | undefined | null;
  const conditions = ((obj['status'] as { conditions?: unknown[] } | undefined)?.conditions ?? []) as Record<string, unknown>[];
  const cond = conditions.find((c) => c && c['type'] === 'Available');
  const status = str(cond?.['status']);
  const info: APIServiceInfo = {
    name: obj.metadata.name ?? '',
    group: str(spec['group']) ?? '',
    version: str(spec['version']) ?? '',
    groupPriorityMinimum: typeof spec['groupPriorityMinimum'] === 'number' ? spec['groupPriorityMinimum'] : 0,
    versionPriority: typeof spec['versionPriority'] === 'number' ? spec['versionPriority'] : 0,
    insecureSkipTLSVerify: spec['insecureSkipTLSVerify'] === true,
    available: {
      status: status === 'True' || status === 'False' ? status : 'Unknown',
      reason: str(cond?.['reason']) ?? '',
      message: str(cond?.['message']) ?? '',
      ...(str(cond?.['lastTransitionTime']) ? { lastTransitionTime: str(cond?.['lastTransitionTime']) } : {}),
    },
    object: obj,
  };
  if (svc && typeof svc === 'object') {
    info.service = {
      namespace: str(svc['namespace']) ?? '',
      name: str(svc['name']) ?? '',
      port: typeof svc['port'] === 'number' ? svc['port'] : 443,
    };
  }
  const ca = str(spec['caBundle']);
  if (ca) info.caBundle = ca;
  return info;
}

/** The live set of APIServices. */
export class APIServiceRegistry {
  private readonly byName = new Map<string, APIServiceInfo>();
  private readonly byGroupVersion = new Map<string, APIServiceInfo>();
  private readonly listeners = new Set<APIServiceListener>();
  private watcher: StoreWatcher | undefined;

  /** Loads every APIService and follows changes from then on. */
  static async start(store: Store): Promise<APIServiceRegistry> {
    const reg = new APIServiceRegistry();
    const page = await store.list({ prefix: APISERVICE_PREFIX });
    for (const rec of page.records) reg.set(apiServiceInfo(rec.object));
    reg.watcher = store.watch(APISERVICE_PREFIX, page.revision, (ev) => {
      const name = ev.record.object.metadata.name ?? '';
      const before = reg.byName.get(name);
      if (ev.type === 'DELETED') {
        reg.byName.delete(name);
        if (before && reg.byGroupVersion.get(gvKey(before.group, before.version)) === before) {
          reg.byGroupVersion.delete(gvKey(before.group, before.version));
        }
        reg.emit(name, undefined, before);
        return;
      }
      const now = apiServiceInfo(ev.record.object);
      if (before) reg.byGroupVersion.delete(gvKey(before.group, before.version));
      reg.set(now);
      reg.emit(name, now, before);
    });
    return reg;
  }

  private set(info: APIServiceInfo): void {
    this.byName.set(info.name, info);
    this.byGroupVersion.set(gvKey(info.group, info.version), info);
  }

  private emit(name: string, now: APIServiceInfo | undefined, before: APIServiceInfo | undefined): void {
    for (const l of this.listeners) {
      try {
        l(name, now, before);
      } catch (err) {
        console.error(`kage: APIService listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** The APIService claiming a group version, if any. */
  forGroupVersion(group: string, version: string): APIServiceInfo | undefined {
    return this.byGroupVersion.get(gvKey(group, version));
  }

  byNameOf(name: string): APIServiceInfo | undefined {
    return this.byName.get(name);
  }

  all(): APIServiceInfo[] {
    return [...this.byName.values()];
  }

  /** APIServices served by extension API servers (with spec.service). */
  remote(): APIServiceInfo[] {
    return this.all().filter((a) => a.service !== undefined);
  }

  /** Calls `listener` on every later change; returns a function that unsubscribes. */
  onChange(listener: APIServiceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    this.listeners.clear();
  }
}

function gvKey(group: string, version: string): string {
  return `${group}/${version}`;
}
