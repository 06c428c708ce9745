// core/v1 services: defaults (a stable fake cluster IP), validation and the kubectl columns.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, validateLabels } from '../names.js';
import { formatLabels } from '../../selectors/labels.js';
import { duplicate, invalid, notSupported, required } from './fielderrors.js';
import { ageColumn, arr, col, ensure, field, get, isObject, nameColumn, num, objs, row, setDefault, str, strMap } from './helpers.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** 32-bit FNV-1a. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A stable address in 10.96.0.0/12 for a service, derived from its namespace and name: nothing is allocated, so two
 * services may (rarely) share one. default/kubernetes gets 10.96.0.1 as on a real cluster; others never do.
 */
export function fakeClusterIP(namespace: string, name: string): string {
  if (namespace === 'default' && name === 'kubernetes') return '10.96.0.1';
  const size = 1 << 20; // 10.96.0.0/12
  const offset = 2 + (fnv1a(`${namespace}/${name}`) % (size - 3)); // skip .0 (network), .1 (kubernetes), broadcast
  const n = ((10 << 24) | (96 << 16)) + offset;
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function defaultService(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const type = spec.type;
  if (type !== 'ExternalName') {
    if (!spec.clusterIP) {
      const ips = arr(spec.clusterIPs);
      spec.clusterIP = typeof ips[0] === 'string' && ips[0] ? ips[0] : fakeClusterIP(obj.metadata.namespace ?? '', obj.metadata.name ?? obj.metadata.generateName ?? '');
    }
    if (arr(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const p of objs(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  ensure(obj, 'status.loadBalancer');
}

function validatePortNumOrName(v: unknown, fieldPath: string): StatusCause[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => invalid(fieldPath, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => invalid(fieldPath, v, m));
  return [];
}

function validateService(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  const type = str(spec.type) ?? 'ClusterIP';
  const headless = spec.clusterIP === 'None';
  const ports = arr(spec.ports);
  if (ports.length === 0 && !headless && type !== 'ExternalName') causes.push(required('spec.ports'));
  if (type === 'ExternalName') {
    const ext = str(spec.externalName) ?? '';
    if (ext === '') causes.push(required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(ext)) causes.push(invalid('spec.externalName', ext, m));
  }
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = isObject(raw) ? raw : {};
    const base = `spec.ports[${i}]`;
    const name = str(p.name) ?? '';
    if (ports.length > 1 && name === '') causes.push(required(`${base}.name`));
    else if (name !== '') {
      for (const m of isDNS1123Label(name)) causes.push(invalid(`${base}.name`, name, m));
      if (names.has(name)) causes.push(duplicate(`${base}.name`, name));
      names.add(name);
    }
    const port = num(p.port) ?? 0;
    for (const m of isValidPortNum(port)) causes.push(invalid(`${base}.port`, port, m));
    const protocol = str(p.protocol) ?? '';
    if (protocol === '') causes.push(required(`${base}.protocol`));
    else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${base}.protocol`, protocol, PROTOCOLS));
    causes.push(...validatePortNumOrName(p.targetPort, `${base}.targetPort`));
  });
  causes.push(...validateLabels(strMap(spec.selector), 'spec.selector'));
  if (!SERVICE_TYPES.includes(type)) causes.push(notSupported('spec.type', type, SERVICE_TYPES));
  return causes;
}

/** LoadBalancer ingress addresses: IPs or hostnames, sorted and unique, comma-joined. */
function loadBalancerIngress(svc: KubeObject): string {
  const set = new Set<string>();
  for (const ing of objs(get(svc, 'status.loadBalancer.ingress'))) {
    const v = str(ing.ip) || str(ing.hostname);
    if (v) set.add(v);
  }
  return [...set].sort().join(',');
}

function externalIP(svc: KubeObject): string {
  const externalIPs = arr(get(svc, 'spec.externalIPs')).filter((x): x is string => typeof x === 'string');
  switch (get(svc, 'spec.type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(get(svc, 'spec.externalName')) ?? '';
    default:
      return '<unknown>';
  }
}

function portsString(svc: KubeObject): string {
  const s = objs(get(svc, 'spec.ports'))
    .map((p) => {
      const port = num(p.port) ?? 0;
      const protocol = str(p.protocol) ?? '';
      const nodePort = num(p.nodePort) ?? 0;
      return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
    })
    .join(',');
  return s || '<none>';
}

export const services = row({
  kind: 'Service',
  plural: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  nameRule: 'dns1035-label',
  columns: [
    nameColumn(),
    col('Type', 'string', 'ServiceSpec.type', (o) => str(get(o, 'spec.type')) ?? ''),
    col('Cluster-IP', 'string', 'ServiceSpec.clusterIP', (o) => {
      const ips = arr(get(o, 'spec.clusterIPs'));
      return typeof ips[0] === 'string' ? ips[0] : '<none>';
    }),
    col('External-IP', 'string', 'ServiceSpec.externalIPs', externalIP),
    col('Port(s)', 'string', 'ServiceSpec.ports', portsString),
    ageColumn(),
    col('Selector', 'string', 'ServiceSpec.selector', (o) => formatLabels(strMap(get(o, 'spec.selector'))), { priority: 1 }),
  ],
  fieldSelectors: {
    'spec.clusterIP': field('spec.clusterIP'),
    'spec.type': field('spec.type'),
  },
  defaults: defaultService,
  validate: validateService,
});
