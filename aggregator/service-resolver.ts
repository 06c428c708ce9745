// Service → address resolution for APIServices, as kube-aggregator resolves spec.service: an ExternalName service
// is its externalName at the APIService's port; any other service must expose that port, and traffic goes to a
// ready address of its endpoints (core/v1 Endpoints, else discovery.k8s.io/v1 EndpointSlices) on the port
// with the service port's name. One address is picked at random per request, as proxy.ResolveEndpoint does.
// Loopback addresses are allowed: kage's extension API servers usually run on the same machine.
import type { KubeObject } from '../server/api/types.js';
import type { Store } from '../storage/store.js';
import type { ServiceReference } from './apiservice-registry.js';
import { BackendError } from './backend.js';

export const SERVICE_PREFIX = '/registry/core/services/';
export const ENDPOINTS_PREFIX = '/registry/core/endpoints/';
export const ENDPOINTSLICE_PREFIX = '/registry/discovery.k8s.io/endpointslices/';
/** discoveryv1.LabelServiceName: the label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface BackendAddress {
  /** IP address or DNS name (IPv6 without brackets). */
  host: string;
  port: number;
}

type Obj = Record<string, unknown>;

function objs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Go's %q of a string (what the real messages quote namespaces and port names with). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** The Service a reference names, and the name of its port the APIService uses. */
export interface ServiceLookup {
  service: Readonly<KubeObject>;
  type: string;
  /** The matching ServicePort's name ('' when unnamed); absent for ExternalName services. */
  portName?: string;
}

/** Reads the Service; throws ServiceNotFound, or ServicePortError when a non-ExternalName service lacks the port. */
export async function lookupService(store: Store, ref: ServiceReference): Promise<ServiceLookup> {
  const rec = await store.get(`${SERVICE_PREFIX}${ref.namespace}/${ref.name}`);
  if (!rec) throw new BackendError('ServiceNotFound', `service/${ref.name} in ${goQuote(ref.namespace)} is not present`);
  const spec = (rec.object['spec'] ?? {}) as Obj;
  const type = str(spec['type']) || 'ClusterIP';
  if (type === 'ExternalName') return { service: rec.object, type };
  const port = objs(spec['ports']).find((p) => p['port'] === ref.port);
  if (!port) {
    throw new BackendError('ServicePortError', `service/${ref.name} in ${goQuote(ref.namespace)} is not listening on port ${ref.port}`);
  }
  return { service: rec.object, type, portName: str(port['name']) ?? '' };
}

/** Ready addresses of the core/v1 Endpoints object on the named port; undefined when there is no such object. */
async function fromEndpoints(store: Store, ref: ServiceReference, portName: string): Promise<BackendAddress[] | undefined> {
  const rec = await store.get(`${ENDPOINTS_PREFIX}${ref.namespace}/${ref.name}`);
  if (!rec) return undefined;
  const found: BackendAddress[] = [];
  for (const subset of objs(rec.object['subsets'])) {
    const addresses = objs(subset['addresses']);
    if (addresses.length === 0) continue;
    for (const p of objs(subset['ports'])) {
      if ((str(p['name']) ?? '') !== portName || typeof p['port'] !== 'number') continue;
      for (const a of addresses) {
        const ip = str(a['ip']);
        if (ip) found.push({ host: ip, port: p['port'] });
      }
    }
  }
  return found;
}

/** Ready addresses of the Service's EndpointSlices on the named port; undefined when it has no slice at all. */
async function fromEndpointSlices(store: Store, ref: ServiceReference, portName: string): Promise<BackendAddress[] | undefined> {
  const page = await store.list({ prefix: `${ENDPOINTSLICE_PREFIX}${ref.namespace}/` });
  const slices = page.records.filter((r) => r.object.metadata.labels?.[SERVICE_NAME_LABEL] === ref.name);
  if (slices.length === 0) return undefined;
  const found: BackendAddress[] = [];
  for (const rec of slices) {
    const ports = objs(rec.object['ports']).filter((p) => (str(p['name']) ?? '') === portName && typeof p['port'] === 'number');
    if (ports.length === 0) continue;
    for (const ep of objs(rec.object['endpoints'])) {
      const conditions = (ep['conditions'] ?? {}) as Obj;
      // A nil "ready" means ready (discoveryv1.EndpointConditions).
      if (conditions['ready'] === false) continue;
      for (const address of Array.isArray(ep['addresses']) ? ep['addresses'] : []) {
        if (typeof address !== 'string' || address === '') continue;
        for (const p of ports) found.push({ host: address, port: p['port'] as number });
      }
    }
  }
  return found;
}

/**
 * Every address traffic for `ref` may go to. Throws BackendError with the reason and message kube-aggregator's
 * availability controller uses: ServiceNotFound, ServicePortError, EndpointsNotFound, MissingEndpoints.
 */
export async function resolveBackends(store: Store, ref: ServiceReference): Promise<BackendAddress[]> {
  const svc = await lookupService(store, ref);
  if (svc.type === 'ExternalName') {
    const spec = (svc.service['spec'] ?? {}) as Obj;
    return [{ host: str(spec['externalName']) ?? '', port: ref.port }];
  }
  const portName = svc.portName ?? '';
  const endpoints = await fromEndpoints(store, ref, portName);
  if (endpoints && endpoints.length > 0) return dedupe(endpoints);
  const slices = await fromEndpointSlices(store, ref, portName);
  if (slices && slices.length > 0) return dedupe(slices);
  const ns = goQuote(ref.namespace);
  if (!endpoints && !slices) throw new BackendError('EndpointsNotFound', `cannot find endpoints for service/${ref.name} in ${ns}`);
  // The wording follows the object that was found (Endpoints, as kube-aggregator 1.32 reads; else EndpointSlices).
  const kind = endpoints ? 'endpoints' : 'endpointslices';
  throw new BackendError('MissingEndpoints', `${kind} for service/${ref.name} in ${ns} have no addresses with port name ${goQuote(portName)}`);
}

function dedupe(list: BackendAddress[]): BackendAddress[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = `${a.host}|${a.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One of `addresses`, picked at random (they are all ready). */
export function pickAddress(addresses: readonly BackendAddress[]): BackendAddress {
  return addresses[Math.floor(Math.random() * addresses.length)]!;
}

/** One address for `ref`, picked at random among the ready ones (see resolveBackends for the errors). */
export async function resolveBackend(store: Store, ref: ServiceReference): Promise<BackendAddress> {
  return pickAddress(await resolveBackends(store, ref));
}

// Past this many remembered references, start over (APIServices come and go; a handful exist at a time).
const MAX_REMEMBERED = 1000;

/**
 * resolveBackends with memory: a resolution stays good until the store's next write, so requests of a busy backend
 * read no Service or Endpoints. Failures are not remembered.
 */
export class BackendResolver {
  private readonly known = new Map<string, { revision: number; addresses: BackendAddress[] }>();

  constructor(private readonly store: Store) {}

  /** The addresses of `ref` when nothing was written since they were resolved; else undefined. */
  cached(ref: ServiceReference): readonly BackendAddress[] | undefined {
    const hit = this.known.get(refKey(ref));
    return hit && hit.revision === this.store.currentRevision() ? hit.addresses : undefined;
  }

  /** Resolves `ref` now (see resolveBackends for the errors) and remembers the answer. */
  async resolve(ref: ServiceReference): Promise<BackendAddress[]> {
    // The revision is read first: a write during the lookup leaves the entry stale, so it is looked up again.
    const revision = this.store.currentRevision();
    const addresses = await resolveBackends(this.store, ref);
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(refKey(ref), { revision, addresses });
    return addresses;
  }
}

function refKey(ref: ServiceReference): string {
  return `${ref.namespace}/${ref.name}:${ref.port}`;
}
