import { REFERENCE_DIR } from '../../../e2e/reference.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { ALL_VERBS, type ResourceDef } from '../types.js';
import { Registry } from '../registry.js';
import { builtinResources } from './index.js';
import { fakeClusterIP } from './core-services.js';
import { defaultPullPolicy, podQOSClass } from './core-pods.js';


function def(group: string, plural: string): ResourceDef {
  const d = builtinResources.find((r) => r.group === group && r.plural === plural);
  assert.ok(d, `${group}/${plural}`);
  return d;
}

/** defaults() applied to a deep copy, as on create. */
function defaulted(d: ResourceDef, obj: Partial<KubeObject> & { metadata: KubeObject['metadata'] }): KubeObject {
  const copy = structuredClone(obj) as KubeObject;
  d.defaults?.(copy);
  return copy;
}

function causes(d: ResourceDef, obj: Partial<KubeObject>, old?: KubeObject): StatusCause[] {
  const o = { metadata: { name: 'x', namespace: 'default' }, ...obj } as KubeObject;
  return d.validate ? d.validate(o, old) : [];
}

test('the rows: exactly the built-in resources, each complete', () => {
  const ids = builtinResources.map((d) => `${d.group || 'core'}/${d.version}/${d.plural}`);
  assert.deepEqual(ids, [
    'core/v1/configmaps',
    'core/v1/endpoints',
    'core/v1/events',
    'core/v1/namespaces',
    'core/v1/nodes',
    'core/v1/persistentvolumeclaims',
    'core/v1/pods',
    'core/v1/replicationcontrollers',
    'core/v1/secrets',
    'core/v1/serviceaccounts',
    'core/v1/services',
    'apiregistration.k8s.io/v1/apiservices',
    'apps/v1/deployments',
    'events.k8s.io/v1/events',
    'authentication.k8s.io/v1/selfsubjectreviews',
    'authentication.k8s.io/v1/tokenreviews',
    'authorization.k8s.io/v1/localsubjectaccessreviews',
    'authorization.k8s.io/v1/selfsubjectaccessreviews',
    'authorization.k8s.io/v1/selfsubjectrulesreviews',
    'authorization.k8s.io/v1/subjectaccessreviews',
    'rbac.authorization.k8s.io/v1/clusterrolebindings',
    'rbac.authorization.k8s.io/v1/clusterroles',
    'rbac.authorization.k8s.io/v1/rolebindings',
    'rbac.authorization.k8s.io/v1/roles',
    'admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    'admissionregistration.k8s.io/v1/validatingadmissionpolicies',
    'admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
    'admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
    'coordination.k8s.io/v1/leases',
    'discovery.k8s.io/v1/endpointslices',
    'flowcontrol.apiserver.k8s.io/v1/flowschemas',
    'flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations',
  ]);
  assert.equal(new Set(ids).size, ids.length, 'plural unique per group version');
  const registry = new Registry(builtinResources);
  for (const d of builtinResources) {
    assert.equal(registry.find(d.group, d.version, d.plural), d);
    assert.equal(d.listKind, `${d.kind}List`);
    assert.ok(d.singular && d.kind && d.plural);
    assert.ok(d.verbs.length > 0 && d.verbs.every((v) => ALL_VERBS.includes(v)), d.plural);
    assert.deepEqual([...d.verbs].sort(), d.verbs, `${d.plural} verbs sorted as discovery lists them`);
    assert.ok(d.columns.length >= 2);
    for (const s of d.subresources) assert.deepEqual(s.verbs, ['get', 'patch', 'update']);
    for (const k of Object.keys(d.fieldSelectors)) assert.ok(!k.startsWith('metadata.'), `${d.plural}: ${k} is generic`);
  }
});

test('shortNames, categories, scope and verbs as the real server', () => {
  const expect: Record<string, { short: string[]; cat?: string[]; namespaced: boolean }> = {
    '/configmaps': { short: ['cm'], namespaced: true },
    '/endpoints': { short: ['ep'], namespaced: true },
    '/events': { short: ['ev'], namespaced: true },
    '/namespaces': { short: ['ns'], namespaced: false },
    '/nodes': { short: ['no'], namespaced: false },
    '/persistentvolumeclaims': { short: ['pvc'], namespaced: true },
    '/pods': { short: ['po'], cat: ['all'], namespaced: true },
    '/replicationcontrollers': { short: ['rc'], cat: ['all'], namespaced: true },
    '/secrets': { short: [], namespaced: true },
    '/serviceaccounts': { short: ['sa'], namespaced: true },
    '/services': { short: ['svc'], cat: ['all'], namespaced: true },
    'apiregistration.k8s.io/apiservices': { short: [], cat: ['api-extensions'], namespaced: false },
    'apps/deployments': { short: ['deploy'], cat: ['all'], namespaced: true },
    'events.k8s.io/events': { short: ['ev'], namespaced: true },
    'coordination.k8s.io/leases': { short: [], namespaced: true },
    'authentication.k8s.io/selfsubjectreviews': { short: [], namespaced: false },
    'authentication.k8s.io/tokenreviews': { short: [], namespaced: false },
    'authorization.k8s.io/localsubjectaccessreviews': { short: [], namespaced: true },
    'authorization.k8s.io/selfsubjectaccessreviews': { short: [], namespaced: false },
    'authorization.k8s.io/selfsubjectrulesreviews': { short: [], namespaced: false },
    'authorization.k8s.io/subjectaccessreviews': { short: [], namespaced: false },
    'rbac.authorization.k8s.io/clusterrolebindings': { short: [], namespaced: false },
    'rbac.authorization.k8s.io/clusterroles': { short: [], namespaced: false },
    'rbac.authorization.k8s.io/rolebindings': { short: [], namespaced: true },
    'rbac.authorization.k8s.io/roles': { short: [], namespaced: true },
    'admissionregistration.k8s.io/mutatingwebhookconfigurations': { short: [], cat: ['api-extensions'], namespaced: false },
    'admissionregistration.k8s.io/validatingadmissionpolicies': { short: [], cat: ['api-extensions'], namespaced: false },
    'admissionregistration.k8s.io/validatingadmissionpolicybindings': { short: [], cat: ['api-extensions'], namespaced: false },
    'admissionregistration.k8s.io/validatingwebhookconfigurations': { short: [], cat: ['api-extensions'], namespaced: false },
    'discovery.k8s.io/endpointslices': { short: [], namespaced: true },
    'flowcontrol.apiserver.k8s.io/flowschemas': { short: [], namespaced: false },
    'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': { short: [], namespaced: false },
  };
  for (const d of builtinResources) {
    const e = expect[`${d.group}/${d.plural}`]!;
    assert.deepEqual(d.shortNames, e.short, d.plural);
    assert.deepEqual(d.categories, e.cat ?? [], d.plural);
    assert.equal(d.namespaced, e.namespaced, d.plural);
    const wantVerbs = d.plural === 'namespaces' ? ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] : d.review ? ['create'] : ALL_VERBS;
    assert.deepEqual(d.verbs, wantVerbs, d.plural);
  }
  assert.deepEqual(
    def('apps', 'deployments').subresources.map((s) => [s.name, s.kind, s.group, s.version]),
    [
      ['scale', 'Scale', 'autoscaling', 'v1'],
      ['status', 'Deployment', undefined, undefined],
    ],
  );
  const withStatus = builtinResources.filter((d) => d.subresources.some((s) => s.name === 'status')).map((d) => d.plural);
  assert.deepEqual(withStatus, [
    'namespaces', 'nodes', 'persistentvolumeclaims', 'pods', 'replicationcontrollers', 'services', 'apiservices', 'deployments',
    'validatingadmissionpolicies', 'flowschemas', 'prioritylevelconfigurations',
  ]);
  assert.deepEqual(
    builtinResources.filter((d) => d.generation).map((d) => d.plural),
    [
      'replicationcontrollers', 'deployments', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
      'validatingwebhookconfigurations', 'endpointslices', 'flowschemas', 'prioritylevelconfigurations',
    ],
  );
});

test('core rows agree with the captured /api/v1 discovery document', () => {
  const doc = JSON.parse(readFileSync(resolve(REFERENCE_DIR!, 'api-v1.json'), 'utf8')) as {
    resources: Array<{ name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[]; categories?: string[]; group?: string; version?: string }>;
  };
  const byName = new Map(doc.resources.map((r) => [r.name, r]));
  for (const d of builtinResources.filter((x) => x.group === '')) {
    const r = byName.get(d.plural)!;
    assert.ok(r, d.plural);
    assert.equal(d.singular, r.singularName);
    assert.equal(d.namespaced, r.namespaced);
    assert.equal(d.kind, r.kind);
    assert.deepEqual(d.verbs, r.verbs);
    assert.deepEqual(d.shortNames, r.shortNames ?? []);
    assert.deepEqual(d.categories, r.categories ?? []);
    for (const s of d.subresources) {
      const sub = byName.get(`${d.plural}/${s.name}`)!;
      assert.ok(sub, `${d.plural}/${s.name}`);
      assert.equal(s.kind, sub.kind);
      assert.deepEqual(s.verbs, sub.verbs);
    }
  }
});

test('group rows agree with the captured aggregated discovery', () => {
  const doc = JSON.parse(readFileSync(resolve(REFERENCE_DIR!, 'aggregated-discovery-apis.json'), 'utf8')) as {
    items: Array<{
      metadata: { name: string };
      versions: Array<{
        version: string;
        resources: Array<{
          resource: string;
          singularResource: string;
          scope: string;
          responseKind: { kind: string };
          shortNames?: string[];
          categories?: string[];
          verbs: string[];
          subresources?: Array<{ subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }>;
        }>;
      }>;
    }>;
  };
  for (const d of builtinResources.filter((x) => x.group !== '')) {
    const group = doc.items.find((g) => g.metadata.name === d.group)!;
    const r = group.versions.find((v) => v.version === d.version)!.resources.find((x) => x.resource === d.plural)!;
    assert.ok(r, d.plural);
    assert.equal(d.singular, r.singularResource);
    assert.equal(d.namespaced, r.scope === 'Namespaced');
    assert.equal(d.kind, r.responseKind.kind);
    assert.deepEqual(d.verbs, r.verbs);
    assert.deepEqual(d.shortNames, r.shortNames ?? []);
    assert.deepEqual(d.categories, r.categories ?? []);
    const subs = (r.subresources ?? []).map((s) => s.subresource).sort();
    assert.deepEqual(d.subresources.map((s) => s.name).sort(), subs, d.plural);
    for (const s of r.subresources ?? []) {
      const mine = d.subresources.find((x) => x.name === s.subresource)!;
      assert.equal(mine.kind, s.responseKind.kind);
      assert.equal(mine.group ?? '', s.responseKind.group);
      assert.equal(mine.version ?? '', s.responseKind.version);
      assert.deepEqual(mine.verbs, s.verbs);
    }
  }
});

test('name rules', () => {
  const rules = Object.fromEntries(builtinResources.map((d) => [`${d.group}/${d.plural}`, d.nameRule]));
  assert.equal(rules['/namespaces'], 'dns1123-label');
  assert.equal(rules['/services'], 'dns1035-label');
  assert.equal(rules['/events'], 'path-segment');
  assert.equal(rules['events.k8s.io/events'], 'dns1123-subdomain');
  assert.equal(rules['apiregistration.k8s.io/apiservices'], 'apiservice');
  for (const p of ['/configmaps', '/secrets', '/pods', '/nodes', '/endpoints', '/serviceaccounts', '/persistentvolumeclaims', 'apps/deployments', 'coordination.k8s.io/leases']) {
    assert.equal(rules[p], 'dns1123-subdomain', p);
  }
});

test('field selectors per kind', () => {
  const keys = (g: string, p: string) => Object.keys(def(g, p).fieldSelectors).sort();
  assert.deepEqual(keys('', 'pods'), [
    'spec.host',
    'spec.hostNetwork',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.nominatedNodeName',
    'status.phase',
    'status.podIP',
  ]);
  assert.deepEqual(keys('', 'secrets'), ['type']);
  assert.deepEqual(keys('', 'namespaces'), ['status.phase']);
  assert.deepEqual(keys('', 'nodes'), ['spec.unschedulable']);
  assert.deepEqual(keys('', 'services'), ['spec.clusterIP', 'spec.type']);
  assert.deepEqual(keys('', 'events'), [
    'involvedObject.apiVersion',
    'involvedObject.fieldPath',
    'involvedObject.kind',
    'involvedObject.name',
    'involvedObject.namespace',
    'involvedObject.resourceVersion',
    'involvedObject.uid',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ]);
  assert.ok(keys('events.k8s.io', 'events').includes('regarding.name'));
  assert.ok(keys('events.k8s.io', 'events').includes('reportingController'));
  for (const p of ['configmaps', 'endpoints', 'serviceaccounts', 'persistentvolumeclaims']) assert.deepEqual(keys('', p), [], p);
  assert.deepEqual(keys('apps', 'deployments'), []);

  const pods = def('', 'pods').fieldSelectors;
  const pod: KubeObject = {
    metadata: { name: 'p' },
    spec: { nodeName: 'n1', hostNetwork: true, restartPolicy: 'Always' },
    status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }] },
  };
  assert.equal(pods['spec.hostNetwork']!(pod), 'true');
  assert.equal(pods['spec.hostNetwork']!({ metadata: {} }), 'false');
  assert.equal(pods['status.podIP']!(pod), '10.0.0.9');
  assert.equal(pods['spec.host']!(pod), 'n1');
  const ev = def('', 'events').fieldSelectors;
  const event: KubeObject = { metadata: {}, involvedObject: { kind: 'Pod', name: 'p' }, reportingComponent: 'kubelet', reason: 'Started', type: 'Normal' };
  assert.equal(ev['involvedObject.kind']!(event), 'Pod');
  assert.equal(ev['source']!(event), 'kubelet');
  assert.equal(ev['source']!({ ...event, source: { component: 'scheduler' } }), 'scheduler');
  assert.equal(def('', 'nodes').fieldSelectors['spec.unschedulable']!({ metadata: {}, spec: { unschedulable: true } }), 'true');
});

test('namespaces: seeds and defaults', () => {
  const ns = def('', 'namespaces');
  assert.deepEqual(
    ns.seed!.map((o) => o.metadata.name).sort(),
    ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
  );
  for (const o of ns.seed!) assert.deepEqual(Object.keys(o.metadata), ['name']);
  const created = defaulted(ns, { metadata: { name: 'team-a', labels: { x: 'y' } } });
  assert.deepEqual(created.metadata.labels, { x: 'y', 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(created.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(created.status, { phase: 'Active' });
  // Extra finalizers on create are kept, "kubernetes" added.
  assert.deepEqual(defaulted(ns, { metadata: { name: 'a' }, spec: { finalizers: ['x.io/y'] } }).spec, { finalizers: ['x.io/y', 'kubernetes'] });
  // The label cannot be changed by users.
  assert.equal(defaulted(ns, { metadata: { name: 'a', labels: { 'kubernetes.io/metadata.name': 'b' } } }).metadata.labels!['kubernetes.io/metadata.name'], 'a');
  // Once deletion has cleared the finalizers, updates do not bring them back.
  const deleting = defaulted(ns, {
    metadata: { name: 'a', resourceVersion: '5', deletionTimestamp: '2026-01-01T00:00:00Z' },
    spec: { finalizers: [] },
    status: { phase: 'Terminating' },
  });
  assert.deepEqual(deleting.spec, { finalizers: [] });
  assert.deepEqual(deleting.status, { phase: 'Terminating' });
  assert.deepEqual(defaulted(ns, { metadata: { name: 'a', resourceVersion: '5' }, spec: { finalizers: [] } }).spec, { finalizers: [] });
});

test('services: defaults with a stable fake cluster IP', () => {
  const svc = def('', 'services');
  const s = defaulted(svc, { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }] } });
  const spec = s.spec as Record<string, unknown>;
  assert.equal(spec.type, 'ClusterIP');
  assert.equal(spec.sessionAffinity, 'None');
  assert.match(spec.clusterIP as string, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(spec.ports, [
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 443, targetPort: 'https', protocol: 'TCP' },
  ]);
  assert.deepEqual(s.status, { loadBalancer: {} });
  // Stable across calls, different per name/namespace, kubernetes gets .1.
  assert.equal(fakeClusterIP('default', 'web'), spec.clusterIP);
  assert.notEqual(fakeClusterIP('other', 'web'), spec.clusterIP);
  assert.equal(fakeClusterIP('default', 'kubernetes'), '10.96.0.1');
  for (let i = 0; i < 200; i++) {
    const ip = fakeClusterIP('ns', `svc-${i}`).split('.').map(Number);
    assert.equal(ip[0], 10);
    assert.ok(ip[1]! >= 96 && ip[1]! <= 111);
    assert.notDeepEqual(ip, [10, 96, 0, 1]);
    assert.notDeepEqual(ip, [10, 96, 0, 0]);
  }
  // A given clusterIP (or None) is kept; ExternalName gets none.
  assert.equal((defaulted(svc, { metadata: { name: 'h' }, spec: { clusterIP: 'None' } }).spec as { clusterIPs: string[] }).clusterIPs[0], 'None');
  const ext = defaulted(svc, { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } }).spec as Record<string, unknown>;
  assert.equal(ext.clusterIP, undefined);
  assert.equal(ext.clusterIPs, undefined);
  const np = defaulted(svc, { metadata: { name: 'n' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }).spec as Record<string, unknown>;
  assert.equal(np.externalTrafficPolicy, 'Cluster');
});

test('services: validation causes', () => {
  const svc = def('', 'services');
  assert.deepEqual(causes(svc, { spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } }), []);
  assert.deepEqual(causes(svc, { spec: { ports: [{ port: 0, protocol: 'TCP' }] } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be between 1 and 65535, inclusive', field: 'spec.ports[0].port' },
  ]);
  assert.deepEqual(causes(svc, { spec: { ports: [{ port: 70000, protocol: 'TCP', targetPort: 70000 }] } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'spec.ports[0].port' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'spec.ports[0].targetPort' },
  ]);
  assert.deepEqual(causes(svc, { spec: {} }), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' }]);
  assert.deepEqual(causes(svc, { spec: { clusterIP: 'None' } }), []);
  assert.deepEqual(
    causes(svc, { spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }] } }).map((c) => [c.field, c.message]),
    [
      ['spec.ports[0].name', 'Required value'],
      ['spec.ports[1].name', 'Required value'],
    ],
  );
  assert.deepEqual(
    causes(svc, { spec: { ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'a', port: 81, protocol: 'HTTP' }] } }),
    [
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.ports[1].name' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"', field: 'spec.ports[1].protocol' },
    ],
  );
  assert.deepEqual(causes(svc, { spec: { type: 'Magic', ports: [{ port: 80, protocol: 'TCP' }] } }), [
    {
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      field: 'spec.type',
    },
  ]);
  assert.deepEqual(causes(svc, { spec: { type: 'ExternalName' } }), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.externalName' }]);
});

test('configmaps and secrets: keys, base64, size, types', () => {
  const cm = def('', 'configmaps');
  assert.deepEqual(causes(cm, { data: { 'app.properties': 'x', KEY_1: 'y' } }), []);
  assert.deepEqual(causes(cm, { data: { 'a b': 'x' } }), [
    {
      reason: 'FieldValueInvalid',
      message:
        "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME' or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      field: 'data[a b]',
    },
  ]);
  assert.deepEqual(causes(cm, { data: { k: 'x' }, binaryData: { k: 'eA==' } }).map((c) => c.message), [
    'Invalid value: "k": duplicate of key present in binaryData',
  ]);
  assert.deepEqual(causes(cm, { data: { k: 'x'.repeat(1024 * 1024 + 1) } }), [
    { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '' },
  ]);
  assert.deepEqual(causes(cm, { immutable: true, data: { k: 'y' } }, { metadata: { name: 'x' }, immutable: true, data: { k: 'x' } }), [
    { reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' },
  ]);

  const secret = def('', 'secrets');
  const s = defaulted(secret, { metadata: { name: 's' }, stringData: { password: 'hunter2' }, data: { user: 'YWRtaW4=' } });
  assert.deepEqual(s, { metadata: { name: 's' }, data: { user: 'YWRtaW4=', password: 'aHVudGVyMg==' }, type: 'Opaque' });
  assert.deepEqual(causes(secret, s), []);
  assert.deepEqual(causes(secret, { type: 'Opaque', data: { 'x y': 'YQ==' } }).map((c) => c.field), ['data[x y]']);
  assert.deepEqual(causes(secret, { type: 'Opaque', data: { k: 'not base64!' } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "<value omitted>": illegal base64 data at input byte 3', field: 'data[k]' },
  ]);
  assert.deepEqual(causes(secret, { type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==' } }), [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'data[tls.key]' },
  ]);
  assert.deepEqual(causes(secret, { type: 'kubernetes.io/service-account-token' }), [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.annotations[kubernetes.io/service-account.name]' },
  ]);
  assert.deepEqual(causes(secret, { type: 'Other' }, { metadata: { name: 'x' }, type: 'Opaque' }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "Other": field is immutable', field: 'type' },
  ]);
});

test('pods: defaults and validation', () => {
  const pods = def('', 'pods');
  const p = defaulted(pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } });
  const spec = p.spec as Record<string, unknown>;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual((spec.containers as unknown[])[0], {
    name: 'web',
    image: 'nginx',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'Always',
  });
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
  // A status already there is kept.
  assert.equal((defaulted(pods, { metadata: { name: 'p' }, spec: {}, status: { phase: 'Running' } }).status as { phase: string }).phase, 'Running');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  assert.equal(podQOSClass({ containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '1' } } }] }), 'Burstable');

  assert.deepEqual(causes(pods, p), []);
  assert.deepEqual(causes(pods, { spec: {} }), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
  assert.deepEqual(
    causes(pods, { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a' }], restartPolicy: 'Sometimes' } }),
    [
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.containers[1].name' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[1].image' },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        field: 'spec.restartPolicy',
      },
    ],
  );
});

test('deployments: defaults and validation', () => {
  const deploy = def('apps', 'deployments');
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  const d = defaulted(deploy, { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template } });
  const spec = d.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal((spec.template as { spec: { restartPolicy: string } }).spec.restartPolicy, 'Always');
  assert.deepEqual(defaulted(deploy, { metadata: { name: 'r' }, spec: { strategy: { type: 'Recreate' } } }).spec!['strategy' as never], { type: 'Recreate' });
  assert.deepEqual(causes(deploy, d), []);

  assert.deepEqual(causes(deploy, { spec: { template } }), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }]);
  assert.deepEqual(causes(deploy, { spec: { selector: { matchLabels: { app: 'db' } }, template } }), [
    {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      field: 'spec.template.metadata.labels',
    },
  ]);
  assert.deepEqual(causes(deploy, { spec: { selector: {}, template } }), [
    {
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      field: 'spec.selector',
    },
  ]);
  assert.deepEqual(causes(deploy, { spec: { replicas: -1, selector: { matchLabels: { app: 'web' } }, template } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
  ]);
  assert.deepEqual(
    causes(deploy, { spec: { selector: { matchLabels: { app: 'web' } }, template: { ...template, spec: { containers: [{ name: 'web', image: 'x' }], restartPolicy: 'Never' } } } }),
    [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "Never": supported values: "Always"', field: 'spec.template.spec.restartPolicy' }],
  );
  const old = structuredClone(d);
  const changed = structuredClone(d);
  (changed.spec as { selector: unknown }).selector = { matchLabels: { app: 'web', tier: 'x' } };
  (changed.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.tier = 'x';
  assert.deepEqual(causes(deploy, changed, old), [
    {
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      field: 'spec.selector',
    },
  ]);
});

test('apiservices: defaults and validation', () => {
  const apis = def('apiregistration.k8s.io', 'apiservices');
  const good: Partial<KubeObject> = {
    metadata: { name: 'v1alpha1.wardle.example.com' },
    spec: { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'wardle', name: 'api' }, insecureSkipTLSVerify: true },
  };
  const d = defaulted(apis, good as KubeObject);
  assert.equal((d.spec as { service: { port: number } }).service.port, 443);
  assert.deepEqual(apis.validate!(d), []);
  // Local APIServices (no service) get no port.
  assert.deepEqual(defaulted(apis, { metadata: { name: 'v1.' }, spec: { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 } }).spec, {
    version: 'v1',
    groupPriorityMinimum: 18000,
    versionPriority: 1,
  });
  assert.deepEqual(apis.validate!(defaulted(apis, { metadata: { name: 'v1.' }, spec: { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 } })), []);

  const bad = apis.validate!({
    metadata: { name: 'wrong' },
    spec: { group: 'wardle.example.com', version: 'v1alpha1', caBundle: 'AAAA', insecureSkipTLSVerify: true },
  });
  assert.deepEqual(bad, [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "wrong": must be `spec.version+"."+spec.group`: "v1alpha1.wardle.example.com"', field: 'metadata.name' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be positive and less than 20000', field: 'spec.groupPriorityMinimum' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be positive and less than 1000', field: 'spec.versionPriority' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: "3 bytes": local APIServices may not have a caBundle', field: 'spec.caBundle' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: true: local APIServices may not have insecureSkipTLSVerify', field: 'spec.insecureSkipTLSVerify' },
  ]);
  const svcBad = apis.validate!({
    metadata: { name: 'v1.x.io' },
    spec: { group: 'x.io', version: 'v1', groupPriorityMinimum: 20001, versionPriority: 1001, service: { port: 70000 }, caBundle: 'AAAA', insecureSkipTLSVerify: true },
  });
  assert.deepEqual(svcBad.map((c) => [c.field, c.message]), [
    ['spec.groupPriorityMinimum', 'Invalid value: 20001: must be positive and less than 20000'],
    ['spec.versionPriority', 'Invalid value: 1001: must be positive and less than 1000'],
    ['spec.service.namespace', 'Required value'],
    ['spec.service.name', 'Required value'],
    ['spec.service.port', 'Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive'],
    ['spec.insecureSkipTLSVerify', 'Invalid value: true: may not be true if caBundle is present'],
  ]);
  assert.deepEqual(
    apis.validate!({ metadata: { name: 'v2.' }, spec: { version: 'v2', groupPriorityMinimum: 1, versionPriority: 1 } }).map((c) => c.field),
    ['spec.group'],
  );
});

test('other kinds: pvc, leases, events, endpoints', () => {
  const pvc = def('', 'persistentvolumeclaims');
  const claim = defaulted(pvc, { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  assert.equal((claim.spec as { volumeMode: string }).volumeMode, 'Filesystem');
  assert.deepEqual(claim.status, { phase: 'Pending' });
  assert.deepEqual(causes(pvc, claim), []);
  assert.deepEqual(causes(pvc, { spec: { accessModes: ['ReadWriteSometimes'] } }), [
    {
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      field: 'spec.accessModes',
    },
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.resources[storage]' },
  ]);
  assert.deepEqual(causes(pvc, { spec: { resources: { requests: { storage: '1Gi' } } } }), [
    { reason: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required', field: 'spec.accessModes' },
  ]);

  const leases = def('coordination.k8s.io', 'leases');
  assert.deepEqual(causes(leases, { spec: { holderIdentity: 'a', leaseDurationSeconds: 0 } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0', field: 'spec.leaseDurationSeconds' },
  ]);

  const ev = def('', 'events');
  assert.deepEqual(causes(ev, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' } }), []);
  assert.deepEqual(causes(ev, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "other": does not match event.namespace', field: 'involvedObject.namespace' },
  ]);
  const evV1 = def('events.k8s.io', 'events');
  assert.deepEqual(
    causes(evV1, {
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'kubelet',
      reportingInstance: 'n1',
      action: 'Pulling',
      reason: 'Pulling',
      type: 'Normal',
    }),
    [],
  );
  assert.deepEqual(
    causes(evV1, { regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, type: 'Odd' }).map((c) => [c.field, c.message]),
    [
      ['eventTime', 'Required value'],
      ['type', 'Invalid value: "": has invalid value: Odd'],
    ],
  );

  const ep = defaulted(def('', 'endpoints'), { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '1.2.3.4' }], ports: [{ port: 80 }] }] });
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '1.2.3.4' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
});

test('every row carries its schema (with the GVK extension), from the one schema source', async () => {
  for (const def of builtinResources) {
    const schema = await def.schema();
    assert.ok(schema, `${def.plural}.${def.group} has a schema`);
    assert.ok(schema.gvk?.some((g) => g.group === def.group && g.version === def.version && g.kind === def.kind), `${def.kind} schema names its GVK`);
  }
});
