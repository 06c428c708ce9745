// Extension API servers given on the command line (--api-service <group>/<version>=<https-url>) become ordinary
// objects at start, exactly what one would create with kubectl: an ExternalName Service in kube-system pointing at
// the URL's host, and an APIService "<version>.<group>" referring to it on the URL's port. Both carry the label
// kage.io/registered-by=flag; flag-registered objects whose flag is gone are removed at the next start.
//
// The flag gives no CA, so these APIServices use insecureSkipTLSVerify: true (the backend's certificate is not
// verified; kage still presents its front-proxy client certificate). Create the APIService yourself with a
// caBundle when verification matters. Priorities are those `kubectl create`-style manifests usually carry:
// groupPriorityMinimum 1000, versionPriority 15.
import type { KubeObject } from '../server/api/types.js';
import type { Registry } from '../server/registry/registry.js';
import type { ResourceDef } from '../server/registry/types.js';
import { objectKey } from '../server/rest/keys.js';
import { prepareForCreate } from '../server/rest/strategy.js';
import { StoreError, type Store } from '../storage/store.js';
import { apiServiceName } from './local-apiservices.js';

export const REGISTERED_BY_LABEL = 'kage.io/registered-by';
export const REGISTERED_BY_FLAG = 'flag';
export const FLAG_SERVICE_NAMESPACE = 'kube-system';
export const FLAG_GROUP_PRIORITY_MINIMUM = 1000;
export const FLAG_VERSION_PRIORITY = 15;

export interface APIServiceFlag {
  group: string;
  version: string;
  /** https://<host>[:<port>] */
  url: string;
}

/** The Service name for a flag: "kage-<version>-<group with dots as dashes>", at most 63 characters. */
export function flagServiceName(group: string, version: string): string {
  return `kage-${version}-${group.replace(/\./g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** Host (IPv6 without brackets) and port (443 by default) of an https URL. */
export function flagTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  if (u.protocol !== 'https:') throw new Error(`--api-service URL ${url} must use https`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, port: u.port ? Number(u.port) : 443 };
}

function labels(): Record<string, string> {
  return { [REGISTERED_BY_LABEL]: REGISTERED_BY_FLAG };
}

/** Creates, or updates to match, one object; returns nothing. */
async function upsert(store: Store, def: ResourceDef, namespace: string, name: string, build: () => KubeObject, sameAs: (o: Readonly<KubeObject>) => boolean, apply: (o: KubeObject) => void): Promise<void> {
  const key = objectKey(def, namespace, name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await store.get(key);
    try {
      if (!existing) {
        await store.create(key, prepareForCreate(def, build(), namespace, new Date()));
        return;
      }
      if (sameAs(existing.object)) return;
      const next = JSON.parse(existing.json) as KubeObject;
      apply(next);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), ...labels() };
      delete next.metadata.resourceVersion;
      await store.update(key, next, existing.revision);
      return;
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'AlreadyExists' || err.code === 'Conflict')) continue;
      throw err;
    }
  }
  throw new Error(`could not register ${def.plural} ${namespace ? `${namespace}/` : ''}${name}: it keeps changing`);
}

/** JSON with object keys sorted, so comparisons ignore field order. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : val));
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** Registers every --api-service flag and removes flag-registered objects whose flag is gone. */
export async function registerFlagAPIServices(store: Store, registry: Registry, flags: readonly APIServiceFlag[]): Promise<void> {
  const serviceDef = registry.find('', 'v1', 'services');
  const apiServiceDef = registry.find('apiregistration.k8s.io', 'v1', 'apiservices');
  if (!serviceDef || !apiServiceDef) return;
  const wantedServices = new Set<string>();
  const wantedAPIServices = new Set<string>();

  for (const flag of flags) {
    if (registry.hasGroupVersion(flag.group, flag.version)) {
      throw new Error(`--api-service ${flag.group}/${flag.version}: that group version is served by kage itself`);
    }
    const { host, port } = flagTarget(flag.url);
    const u = new URL(flag.url);
    if (u.pathname !== '/' && u.pathname !== '') {
      console.warn(`kage: --api-service ${flag.group}/${flag.version}: the path ${u.pathname} of ${flag.url} is ignored (APIServices reach their server at its root)`);
    }
    const svcName = flagServiceName(flag.group, flag.version);
    const name = apiServiceName(flag.group, flag.version);
    wantedServices.add(svcName);
    wantedAPIServices.add(name);

    const serviceSpec = {
      type: 'ExternalName',
      externalName: host,
      ports: [{ name: 'https', protocol: 'TCP', port, targetPort: port }],
      sessionAffinity: 'None',
    };
    await upsert(store, serviceDef, FLAG_SERVICE_NAMESPACE, svcName,
      () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: svcName, namespace: FLAG_SERVICE_NAMESPACE, labels: labels() }, spec: { ...serviceSpec } }),
      (o) => sameJson(o['spec'], serviceSpec) && o.metadata.labels?.[REGISTERED_BY_LABEL] === REGISTERED_BY_FLAG,
      (o) => { o['spec'] = { ...serviceSpec }; });

    const apiServiceSpec = {
      service: { namespace: FLAG_SERVICE_NAMESPACE, name: svcName, port },
      group: flag.group,
      version: flag.version,
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: FLAG_GROUP_PRIORITY_MINIMUM,
      versionPriority: FLAG_VERSION_PRIORITY,
    };
    await upsert(store, apiServiceDef, '', name,
      () => ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name, labels: labels() }, spec: { ...apiServiceSpec } }),
      (o) => sameJson(o['spec'], apiServiceSpec) && o.metadata.labels?.[REGISTERED_BY_LABEL] === REGISTERED_BY_FLAG,
      // A new target: the old condition says nothing about it; the availability controller writes a fresh one.
      (o) => { o['spec'] = { ...apiServiceSpec }; o['status'] = {}; });
  }

  // Flags removed since the last start: their objects go too.
  const stale = async (def: ResourceDef, namespace: string, wanted: Set<string>): Promise<void> => {
    const page = await store.list({ prefix: objectKey(def, namespace, '') });
    for (const rec of page.records) {
      if (rec.object.metadata.labels?.[REGISTERED_BY_LABEL] !== REGISTERED_BY_FLAG) continue;
      if (wanted.has(rec.object.metadata.name ?? '')) continue;
      await store.delete(rec.key, rec.revision).catch(() => undefined);
    }
  };
  await stale(apiServiceDef, '', wantedAPIServices);
  await stale(serviceDef, FLAG_SERVICE_NAMESPACE, wantedServices);
}
