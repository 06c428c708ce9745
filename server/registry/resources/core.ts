// The core group (/api/v1) rows, in the order the real server lists them.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isConfigMapKey } from '../names.js';
import { coreEventFields, coreEventView, eventColumns, validateEventCommon } from './event-columns.js';
import { FIELD_IMMUTABLE, forbidden, invalid, key, notSupported, required, tooLong } from './fielderrors.js';
import {
  ageColumn,
  arr,
  col,
  ensure,
  field,
  get,
  isObject,
  type Json,
  nameColumn,
  objs,
  row,
  setDefault,
  str,
  text,
} from './helpers.js';
import { pods } from './core-pods.js';
import { replicationcontrollers } from './core-replicationcontrollers.js';
import { services } from './core-services.js';

/** ConfigMaps and Secrets hold at most 1 MiB of data. */
export const MAX_DATA_SIZE = 1024 * 1024;

const count = (v: unknown): number => (isObject(v) ? Object.keys(v).length : 0);

// ---------------------------------------------------------------------------------------------------------------
// configmaps

function validateConfigMap(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const data = isObject(obj.data) ? obj.data : {};
  const binary = isObject(obj.binaryData) ? obj.binaryData : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    size += Buffer.byteLength(String(v), 'utf8');
    for (const m of isConfigMapKey(k)) causes.push(invalid(key('data', k), k, m));
    if (k in binary) causes.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  }
  for (const [k, v] of Object.entries(binary)) {
    size += base64Length(String(v));
    for (const m of isConfigMapKey(k)) causes.push(invalid(key('binaryData', k), k, m));
  }
  if (size > MAX_DATA_SIZE) causes.push(tooLong('', MAX_DATA_SIZE));
  causes.push(...immutableData(obj, old, ['data', 'binaryData']));
  return causes;
}

/** Objects marked immutable keep their data (and their immutable flag) forever. */
function immutableData(obj: KubeObject, old: KubeObject | undefined, fields: string[]): StatusCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) {
      causes.push(forbidden(f, 'field is immutable when `immutable` is set'));
    }
  }
  return causes;
}

const configmaps = row({
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  columns: [
    nameColumn(),
    col('Data', 'string', 'ConfigMap.data', (o) => count(o.data) + count(o.binaryData)),
    ageColumn(),
  ],
  validate: validateConfigMap,
});

// ---------------------------------------------------------------------------------------------------------------
// endpoints

/** "10.0.0.1:80,10.0.0.2:80 + 3 more..." (at most three addresses shown). */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = objs(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let total = 0;
  const hostPort = (ip: string, port: unknown): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addresses = objs(ss.addresses).map((a) => str(a.ip) ?? '');
    const ports = objs(ss.ports);
    if (ports.length === 0) {
      // Headless services may have no ports.
      total += addresses.length;
      for (const ip of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(ip);
      }
      continue;
    }
    for (const port of ports) {
      total += addresses.length;
      for (const ip of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(ip, port.port ?? 0));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${total - max} more...` : s;
}

const endpoints = row({
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  columns: [nameColumn(), col('Endpoints', 'string', 'Endpoints.subsets', formatEndpoints), ageColumn()],
  defaults(obj) {
    for (const ss of objs(obj.subsets)) for (const p of objs(ss.ports)) setDefault(p, 'protocol', 'TCP');
  },
});

// ---------------------------------------------------------------------------------------------------------------
// events

const events = row({
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  // Core events skip name validation beyond what makes a name usable in a URL path.
  nameRule: 'path-segment',
  columns: eventColumns(coreEventView),
  fieldSelectors: coreEventFields(),
  validate: (obj) => validateEventCommon(obj, coreEventView(obj)),
});

// ---------------------------------------------------------------------------------------------------------------
// namespaces

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function defaultNamespace(obj: KubeObject): void {
  const name = obj.metadata.name;
  if (name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
  const spec = ensure(obj, 'spec');
  // The "kubernetes" finalizer is required on create (an object not stored yet has no resourceVersion) and kept
  // when an update leaves spec.finalizers out; never re-added once deletion has started and removed it.
  const creating = !obj.metadata.resourceVersion;
  if (!obj.metadata.deletionTimestamp && (creating || spec.finalizers === undefined)) {
    const finalizers = arr(spec.finalizers).filter((f): f is string => typeof f === 'string');
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  }
  setDefault(ensure(obj, 'status'), 'phase', 'Active');
}

const seedNamespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

const namespaces = row({
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  nameRule: 'dns1123-label',
  columns: [
    nameColumn(),
    col('Status', 'string', text('The status of the namespace'), (o) => str(get(o, 'status.phase')) ?? ''),
    ageColumn(),
  ],
  fieldSelectors: { 'status.phase': field('status.phase') },
  defaults: defaultNamespace,
  seed: ['default', 'kube-node-lease', 'kube-public', 'kube-system'].map(seedNamespace),
});

// ---------------------------------------------------------------------------------------------------------------
// nodes

function nodeStatus(node: KubeObject): string {
  const ready = objs(get(node, 'status.conditions')).find((c) => c.type === 'Ready');
  const status: string[] = [];
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (get(node, 'spec.unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  return str(objs(get(node, 'status.addresses')).find((a) => a.type === type)?.address) ?? '<none>';
}

const nodeInfo = (node: KubeObject, k: string): string => str(get(node, `status.nodeInfo.${k}`)) || '<unknown>';

const nodes = row({
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status'],
  columns: [
    nameColumn(),
    col('Status', 'string', text('The status of the node'), nodeStatus),
    col('Roles', 'string', text('The roles of the node'), nodeRoles),
    ageColumn(),
    col('Version', 'string', 'NodeSystemInfo.kubeletVersion', (o) => str(get(o, 'status.nodeInfo.kubeletVersion')) ?? ''),
    col('Internal-IP', 'string', 'NodeStatus.addresses', (o) => nodeAddress(o, 'InternalIP'), { priority: 1 }),
    col('External-IP', 'string', 'NodeStatus.addresses', (o) => nodeAddress(o, 'ExternalIP'), { priority: 1 }),
    col('OS-Image', 'string', 'NodeSystemInfo.osImage', (o) => nodeInfo(o, 'osImage'), { priority: 1 }),
    col('Kernel-Version', 'string', 'NodeSystemInfo.kernelVersion', (o) => nodeInfo(o, 'kernelVersion'), { priority: 1 }),
    col('Container-Runtime', 'string', 'NodeSystemInfo.containerRuntimeVersion', (o) => nodeInfo(o, 'containerRuntimeVersion'), {
      priority: 1,
    }),
  ],
  fieldSelectors: { 'spec.unschedulable': (o) => String(get(o, 'spec.unschedulable') === true) },
});

// ---------------------------------------------------------------------------------------------------------------
// persistentvolumeclaims

const ACCESS_MODES: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];
const SUPPORTED_ACCESS_MODES = ACCESS_MODES.map(([m]) => m).sort();

/** "RWO,ROX" in Kubernetes' fixed order. */
export function accessModesString(modes: unknown): string {
  const set = new Set(arr(modes));
  return ACCESS_MODES.filter(([m]) => set.has(m))
    .map(([, abbrev]) => abbrev)
    .join(',');
}

function pvcPrintFields(pvc: KubeObject): { capacity: string; accessModes: string } {
  if (!str(get(pvc, 'spec.volumeName'))) return { capacity: '', accessModes: '' };
  const capacity = get(pvc, 'status.capacity.storage');
  return {
    capacity: capacity === undefined || capacity === null ? '0' : String(capacity),
    accessModes: accessModesString(get(pvc, 'status.accessModes')),
  };
}

function storageClassOf(pvc: KubeObject): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(get(pvc, 'spec.storageClassName')) ?? '';
}

function validatePVC(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const modes = arr(get(obj, 'spec.accessModes'));
  if (modes.length === 0) causes.push(required('spec.accessModes', 'at least 1 access mode is required'));
  for (const m of modes) {
    if (typeof m !== 'string' || !SUPPORTED_ACCESS_MODES.includes(m)) {
      causes.push(notSupported('spec.accessModes', String(m), SUPPORTED_ACCESS_MODES));
    }
  }
  const requests = get(obj, 'spec.resources.requests');
  if (!isObject(requests) || requests.storage === undefined) causes.push(required(key('spec.resources', 'storage')));
  return causes;
}

const persistentvolumeclaims = row({
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: ['status'],
  columns: [
    nameColumn(),
    col('Status', 'string', 'PersistentVolumeClaimStatus.phase', (o) =>
      o.metadata.deletionTimestamp ? 'Terminating' : (str(get(o, 'status.phase')) ?? ''),
    ),
    col('Volume', 'string', 'PersistentVolumeClaimSpec.volumeName', (o) => str(get(o, 'spec.volumeName')) ?? ''),
    col('Capacity', 'string', 'PersistentVolumeClaimStatus.capacity', (o) => pvcPrintFields(o).capacity),
    col('Access Modes', 'string', 'PersistentVolumeClaimStatus.accessModes', (o) => pvcPrintFields(o).accessModes),
    col('StorageClass', 'string', text('StorageClass of the pvc'), storageClassOf),
    col('VolumeAttributesClass', 'string', text('VolumeAttributesClass of the pvc'), (o) =>
      str(get(o, 'spec.volumeAttributesClassName')) ?? '<unset>',
    ),
    ageColumn(),
    col('VolumeMode', 'string', 'PersistentVolumeClaimSpec.volumeMode', (o) => str(get(o, 'spec.volumeMode')) ?? '<unset>', {
      priority: 1,
    }),
  ],
  defaults(obj) {
    setDefault(ensure(obj, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(ensure(obj, 'status'), 'phase', 'Pending');
  },
  validate: validatePVC,
});

// ---------------------------------------------------------------------------------------------------------------
// secrets

const BASE64_RE = /^[A-Za-z0-9+/]*$/;

/** Decoded length of standard base64 (what Go's []byte JSON decoding accepts); -1 with the bad byte offset if not. */
function base64Check(s: string): { ok: true; length: number } | { ok: false; at: number } {
  const clean = s.replace(/[\r\n]/g, '');
  const body = clean.replace(/={0,2}$/, '');
  for (let i = 0; i < body.length; i++) if (!BASE64_RE.test(body[i]!)) return { ok: false, at: i };
  if (clean.length % 4 !== 0) return { ok: false, at: Math.floor(clean.length / 4) * 4 };
  return { ok: true, length: Math.floor((body.length * 3) / 4) };
}

function base64Length(s: string): number {
  const r = base64Check(s);
  return r.ok ? r.length : 0;
}

/** stringData is write-only: its entries are encoded into data (overriding it) and the field is dropped. */
function defaultSecret(obj: KubeObject): void {
  setDefault(obj as Json, 'type', 'Opaque');
  if (isObject(obj.stringData)) {
    const data = ensure(obj, 'data');
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  delete obj.stringData;
}

/** Keys each well-known secret type must carry in data. */
const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const data = isObject(obj.data) ? obj.data : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) causes.push(invalid(key('data', k), k, m));
    const check = base64Check(typeof v === 'string' ? v : '');
    if (!check.ok) causes.push(invalid(key('data', k), '<value omitted>', `illegal base64 data at input byte ${check.at}`));
    else size += check.length;
  }
  if (size > MAX_DATA_SIZE) causes.push(tooLong('data', MAX_DATA_SIZE));
  const type = str(obj.type) ?? 'Opaque';
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
    causes.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name')));
  }
  for (const k of REQUIRED_SECRET_KEYS[type] ?? []) if (!(k in data)) causes.push(required(key('data', k)));
  if (old && str(old.type) !== undefined && str(old.type) !== type) causes.push(invalid('type', type, FIELD_IMMUTABLE));
  causes.push(...immutableData(obj, old, ['data']));
  return causes;
}

const secrets = row({
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  columns: [
    nameColumn(),
    col('Type', 'string', 'Secret.type', (o) => str(o.type) ?? ''),
    col('Data', 'string', 'Secret.data', (o) => count(o.data)),
    ageColumn(),
  ],
  fieldSelectors: { type: field('type') },
  defaults: defaultSecret,
  validate: validateSecret,
});

// ---------------------------------------------------------------------------------------------------------------
// serviceaccounts

const serviceaccounts = row({
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
  shortNames: ['sa'],
  columns: [nameColumn(), col('Secrets', 'string', 'ServiceAccount.secrets', (o) => arr(o.secrets).length), ageColumn()],
});

/** core/v1, alphabetical as in /api/v1. */
export const coreResources = [
  configmaps,
  endpoints,
  events,
  namespaces,
  nodes,
  persistentvolumeclaims,
  pods,
  replicationcontrollers,
  secrets,
  serviceaccounts,
  services,
];
