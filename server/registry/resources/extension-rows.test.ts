// The rows an extension API server built on k8s.io/apiserver lists and watches at start: admissionregistration,
// flowcontrol and discovery.k8s.io. Defaults, validation and table cells as data, then served by a running kage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { startTestKage, type TestKage } from '../../auth/harness.test.js';
import { columnDefinitions, tableRow } from '../../table/table.js';
import type { ResourceDef } from '../types.js';
import { builtinResources } from './index.js';

function def(group: string, plural: string): ResourceDef {
  const d = builtinResources.find((r) => r.group === group && r.plural === plural);
  assert.ok(d, `${group}/${plural}`);
  return d;
}

const ADM = 'admissionregistration.k8s.io';
const FC = 'flowcontrol.apiserver.k8s.io';

function defaulted(d: ResourceDef, obj: Record<string, unknown>): KubeObject {
  const copy = structuredClone({ metadata: { name: 'x' }, ...obj }) as KubeObject;
  d.defaults?.(copy);
  return copy;
}

function causes(d: ResourceDef, obj: Record<string, unknown>, old?: KubeObject): StatusCause[] {
  const o = defaulted(d, obj);
  return d.validate ? d.validate(o, old) : [];
}

function messages(cs: StatusCause[]): string[] {
  return cs.map((c) => `${c.field}: ${c.message}`);
}

function headers(d: ResourceDef): string {
  return columnDefinitions(d).filter((c) => c.priority === 0).map((c) => c.name.toUpperCase()).join(' ');
}

function cells(d: ResourceDef, obj: Record<string, unknown>): unknown[] {
  const o = { metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' }, ...obj } as KubeObject;
  return tableRow(d, o, 'None', Date.parse('2026-01-01T01:00:00Z')).cells;
}

const HOOK = {
  name: 'check.example.com',
  clientConfig: { service: { namespace: 'default', name: 'hook' } },
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
};

test('webhook configurations: v1 defaults', () => {
  const v = defaulted(def(ADM, 'validatingwebhookconfigurations'), { webhooks: [structuredClone(HOOK)] });
  assert.deepEqual((v['webhooks'] as unknown[])[0], {
    ...HOOK,
    clientConfig: { service: { namespace: 'default', name: 'hook', port: 443 } },
    rules: [{ ...HOOK.rules[0], scope: '*' }],
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    namespaceSelector: {},
    objectSelector: {},
    timeoutSeconds: 10,
  });
  const m = defaulted(def(ADM, 'mutatingwebhookconfigurations'), { webhooks: [structuredClone(HOOK)] });
  assert.equal((m['webhooks'] as Array<Record<string, unknown>>)[0]!['reinvocationPolicy'], 'Never');
});

test('webhook configurations: validation as v1 create', () => {
  const d = def(ADM, 'validatingwebhookconfigurations');
  assert.deepEqual(causes(d, { webhooks: [HOOK] }), []);
  assert.deepEqual(causes(d, {}), []);
  const { sideEffects: _s, admissionReviewVersions: _a, ...bare } = HOOK;
  assert.deepEqual(messages(causes(d, { webhooks: [{ ...bare, name: 'check', clientConfig: {} }] })), [
    'webhooks[0].name: Invalid value: "check": should be a domain with at least three segments separated by dots',
    'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
    'webhooks[0].clientConfig: Required value: exactly one of url or service is required',
    'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
  ]);
  assert.deepEqual(messages(causes(d, {
    webhooks: [
      { ...HOOK, sideEffects: 'Some', timeoutSeconds: 31, clientConfig: { url: 'http://example.com/x?y=1' } },
      HOOK,
      HOOK,
    ],
  })), [
    'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
    'webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
    'webhooks[0].clientConfig.url: Invalid value: "y=1": query parameters are not permitted in the URL',
    'webhooks[1].name: Duplicate value: "check.example.com"',
    'webhooks[2].name: Duplicate value: "check.example.com"',
  ]);
  // An update keeps what the stored object already had (here: a side effect kage would refuse on create).
  const old = defaulted(d, { webhooks: [{ ...HOOK, sideEffects: 'Some' }] });
  assert.deepEqual(causes(d, { webhooks: [{ ...HOOK, sideEffects: 'Some' }] }, old), []);
  assert.deepEqual(messages(causes(d, { webhooks: [{ ...HOOK, rules: [{ operations: ['*', 'CREATE'] }] }] })), [
    'webhooks[0].rules[0].operations: Invalid value: []string{"*", "CREATE"}: if \'*\' is present, must not specify other operations',
    'webhooks[0].rules[0].apiGroups: Required value',
    'webhooks[0].rules[0].apiVersions: Required value',
    'webhooks[0].rules[0].resources: Required value',
  ]);
});

test('validating admission policies and bindings: defaults and validation', () => {
  const p = def(ADM, 'validatingadmissionpolicies');
  const policy = defaulted(p, {
    spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }, validations: [{ expression: 'true' }] },
  });
  assert.equal((policy['spec'] as Record<string, unknown>)['failurePolicy'], 'Fail');
  assert.deepEqual((policy['spec'] as Record<string, any>)['matchConstraints'], {
    resourceRules: [{ operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], scope: '*' }],
    namespaceSelector: {}, objectSelector: {}, matchPolicy: 'Equivalent',
  });
  assert.deepEqual(p.validate!(policy), []);
  assert.deepEqual(messages(causes(p, { spec: {} })), [
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
  const b = def(ADM, 'validatingadmissionpolicybindings');
  assert.deepEqual(causes(b, { spec: { policyName: 'p', validationActions: ['Deny'] } }), []);
  assert.deepEqual(messages(causes(b, { spec: { validationActions: ['Deny', 'Warn', 'Nope'] } })), [
    'spec.policyName: Required value',
    'spec.validationActions[2]: Unsupported value: "Nope": supported values: "Audit", "Deny", "Warn"',
    'spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn", "Nope"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);
  assert.deepEqual(messages(causes(b, { spec: { policyName: 'p' } })), ['spec.validationActions: Required value: at least one validation action is required']);
});

test('admissionregistration columns as printers.go prints them', () => {
  assert.equal(headers(def(ADM, 'validatingwebhookconfigurations')), 'NAME WEBHOOKS AGE');
  assert.equal(headers(def(ADM, 'mutatingwebhookconfigurations')), 'NAME WEBHOOKS AGE');
  assert.equal(headers(def(ADM, 'validatingadmissionpolicies')), 'NAME VALIDATIONS PARAMKIND AGE');
  assert.equal(headers(def(ADM, 'validatingadmissionpolicybindings')), 'NAME POLICYNAME PARAMREF AGE');
  assert.deepEqual(cells(def(ADM, 'validatingwebhookconfigurations'), { webhooks: [HOOK, HOOK] }), ['x', 2, '60m']);
  assert.deepEqual(cells(def(ADM, 'validatingadmissionpolicies'), {}), ['x', 0, '<unset>', '60m']);
  assert.deepEqual(cells(def(ADM, 'validatingadmissionpolicies'), { spec: { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{}] } }),
    ['x', 1, 'v1/ConfigMap', '60m']);
  const binding = def(ADM, 'validatingadmissionpolicybindings');
  assert.deepEqual(cells(binding, { spec: { policyName: 'p' } }), ['x', 'p', '<unset>', '60m']);
  assert.deepEqual(cells(binding, { spec: { policyName: 'p', paramRef: { name: 'cm', namespace: 'ns' } } }), ['x', 'p', 'ns/cm', '60m']);
  assert.deepEqual(cells(binding, { spec: { policyName: 'p', paramRef: { name: 'cm' } } }), ['x', 'p', '*/cm', '60m']);
  assert.deepEqual(cells(binding, { spec: { policyName: 'p', paramRef: { selector: { matchLabels: { b: '2', a: '1' } } } } }),
    ['x', 'p', '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{},}', '60m']);
});

test('flow schemas: defaults, validation, columns', () => {
  const d = def(FC, 'flowschemas');
  const fs = { spec: { priorityLevelConfiguration: { name: 'workload' } } };
  assert.equal((defaulted(d, fs)['spec'] as Record<string, unknown>)['matchingPrecedence'], 1000);
  assert.deepEqual(causes(d, fs), []);
  assert.deepEqual(messages(causes(d, { spec: { matchingPrecedence: 1, distinguisherMethod: { type: 'ByPod' }, rules: [{}] } })), [
    'spec.matchingPrecedence: Invalid value: 1: only the schema named \'exempt\' may have matchingPrecedence 1',
    'spec.distinguisherMethod.type: Unsupported value: flowcontrol.FlowDistinguisherMethod{Type:"ByPod"}: supported values: "ByNamespace", "ByUser"',
    'spec.priorityLevelConfiguration.name: Required value: must reference a priority level',
    'spec.rules[0].subjects: Required value: subjects must contain at least one value',
    'spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty',
  ]);
  assert.deepEqual(messages(causes(d, { spec: { matchingPrecedence: 10001, priorityLevelConfiguration: { name: 'p' } } })),
    ['spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000']);
  // The mandatory ones are fixed.
  assert.deepEqual(messages(causes({ ...d }, { metadata: { name: 'exempt' }, spec: { priorityLevelConfiguration: { name: 'exempt' }, matchingPrecedence: 2 } })),
    ['spec: Invalid value: flowcontrol.FlowSchemaSpec{...}: spec of \'exempt\' must equal the fixed value']);
  for (const seed of d.seed ?? []) assert.deepEqual(d.validate!(defaulted(d, seed as unknown as Record<string, unknown>)), [], seed.metadata.name);
  assert.equal(headers(d), 'NAME PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL');
  assert.deepEqual(cells(d, { spec: { priorityLevelConfiguration: { name: 'p' }, matchingPrecedence: 500 } }), ['x', 'p', 500, '<none>', '60m', '?']);
  assert.deepEqual(cells(d, {
    spec: { priorityLevelConfiguration: { name: 'p' }, matchingPrecedence: 500, distinguisherMethod: { type: 'ByUser' } },
    status: { conditions: [{ type: 'Dangling', status: 'False' }] },
  }), ['x', 'p', 500, 'ByUser', '60m', 'False']);
});

test('priority level configurations: defaults, validation, columns', () => {
  const d = def(FC, 'prioritylevelconfigurations');
  const limited = { spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } };
  assert.deepEqual((defaulted(d, limited)['spec'] as Record<string, unknown>)['limited'], {
    limitResponse: { type: 'Queue', queuing: { handSize: 8, queues: 64, queueLengthLimit: 50 } },
    nominalConcurrencyShares: 30,
    lendablePercent: 0,
  });
  assert.deepEqual(causes(d, limited), []);
  assert.deepEqual(messages(causes(d, { spec: { type: 'Exempt' } })), ['spec.type: Invalid value: "Exempt": type must be \'Exempt\' if and only if name is \'exempt\'']);
  assert.deepEqual(messages(causes(d, { spec: { type: 'Limited' } })), ['spec.limited: Required value: must not be empty when type is Limited']);
  assert.deepEqual(messages(causes(d, { spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 5 } } } } })),
    ['spec.limited.limitResponse.queuing.handSize: Invalid value: 5: should not be greater than queues (4)']);
  assert.deepEqual(messages(causes(d, { spec: { type: 'Nope' } })), ['spec.type: Unsupported value: "Nope": supported values: "Exempt", "Limited"']);
  for (const seed of d.seed ?? []) assert.deepEqual(d.validate!(defaulted(d, seed as unknown as Record<string, unknown>)), [], seed.metadata.name);
  assert.equal(headers(d), 'NAME TYPE NOMINALCONCURRENCYSHARES QUEUES HANDSIZE QUEUELENGTHLIMIT AGE');
  assert.deepEqual(cells(d, { spec: defaulted(d, limited)['spec'] }), ['x', 'Limited', 30, 64, 8, 50, '60m']);
  assert.deepEqual(cells(d, { spec: { type: 'Exempt' } }), ['x', 'Exempt', '<none>', '<none>', '<none>', '<none>', '60m']);
  assert.deepEqual(cells(d, { spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' } } } }),
    ['x', 'Limited', 5, '<none>', '<none>', '<none>', '60m']);
});

test('endpoint slices: defaults, validation, columns', () => {
  const d = def('discovery.k8s.io', 'endpointslices');
  const eps = { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 443 }] };
  assert.deepEqual(defaulted(d, eps)['ports'], [{ port: 443, name: '', protocol: 'TCP' }]);
  assert.deepEqual(causes(d, eps), []);
  assert.deepEqual(messages(causes(d, { endpoints: [{ addresses: [] }] })), [
    'addressType: Required value',
    'endpoints[0].addresses: Required value: must contain at least 1 address',
  ]);
  assert.deepEqual(messages(causes(d, { addressType: 'IPv4', endpoints: [{ addresses: ['::1'] }], ports: [{ port: 1 }, { port: 2 }] })), [
    'endpoints[0].addresses[0]: Invalid value: "::1": must be a valid IPv4 address',
    'ports[1].name: Duplicate value: ""',
  ]);
  assert.deepEqual(messages(causes(d, { addressType: 'IPX' })), ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']);
  const old = defaulted(d, eps);
  assert.deepEqual(messages(causes(d, { ...eps, addressType: 'IPv6', endpoints: [] }, old)), ['addressType: Invalid value: "IPv6": field is immutable']);
  assert.equal(headers(d), 'NAME ADDRESSTYPE PORTS ENDPOINTS AGE');
  assert.deepEqual(cells(d, { addressType: 'IPv4' }), ['x', 'IPv4', '<unset>', '<unset>', '60m']);
  assert.deepEqual(cells(d, {
    addressType: 'IPv4',
    ports: [{ port: 80 }, { name: 'https' }, {}, { port: 9 }],
    endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4', '10.0.0.5'] }],
  }), ['x', 'IPv4', '80,https,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '60m']);
});

// ---------------------------------------------------------------------------------------------------------------
// Served by a running kage.

let k: TestKage;
before(async () => {
  k = await startTestKage();
});
after(async () => {
  await k?.close();
});

const VWC = `/apis/${ADM}/v1/validatingwebhookconfigurations`;

test('the mandatory flow schemas and priority levels exist from the first start', async () => {
  const fs = await k.request('GET', `/apis/${FC}/v1/flowschemas`);
  assert.equal(fs.status, 200, fs.body);
  // The mandatory two and kube-apiserver's suggested configuration, as a real cluster lists them.
  assert.deepEqual(fs.json().items.map((i: KubeObject) => i.metadata.name), [
    'catch-all', 'endpoint-controller', 'exempt', 'global-default', 'kube-controller-manager', 'kube-scheduler',
    'kube-system-service-accounts', 'probes', 'service-accounts', 'system-leader-election', 'system-node-high', 'system-nodes',
    'workload-leader-election',
  ]);
  const exempt = fs.json().items.find((i: KubeObject) => i.metadata.name === 'exempt');
  assert.equal(exempt.metadata.annotations['apf.kubernetes.io/autoupdate-spec'], 'true');
  assert.equal(exempt.metadata.generation, 1);
  assert.deepEqual(exempt.spec.rules[0].subjects, [{ kind: 'Group', group: { name: 'system:masters' } }]);
  const pl = await k.request('GET', `/apis/${FC}/v1/prioritylevelconfigurations/catch-all`);
  assert.equal(pl.status, 200, pl.body);
  assert.deepEqual(pl.json().spec, { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' }, lendablePercent: 0 } });
  assert.deepEqual(pl.json().status, {});
  const pls = await k.request('GET', `/apis/${FC}/v1/prioritylevelconfigurations`);
  assert.deepEqual(pls.json().items.map((i: KubeObject) => i.metadata.name), [
    'catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low',
  ]);
  const workloadLow = pls.json().items.find((i: KubeObject) => i.metadata.name === 'workload-low');
  assert.equal(workloadLow.metadata.annotations['apf.kubernetes.io/autoupdate-spec'], 'true');
  assert.deepEqual(workloadLow.spec, {
    type: 'Limited',
    limited: { nominalConcurrencyShares: 100, limitResponse: { type: 'Queue', queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } }, lendablePercent: 90 },
  });
  // Every flow schema names a priority level that exists.
  const levels = new Set(pls.json().items.map((i: KubeObject) => i.metadata.name));
  for (const f of fs.json().items) assert.ok(levels.has(f.spec.priorityLevelConfiguration.name), f.metadata.name);
});

test('webhook configurations: create (defaulted), list, get as a Table, watch, delete', async () => {
  const watchEvents: string[] = [];
  const list0 = await k.request('GET', VWC);
  assert.equal(list0.status, 200, list0.body);
  assert.equal(list0.json().kind, 'ValidatingWebhookConfigurationList');
  const rv = list0.json().metadata.resourceVersion as string;
  const watching = new Promise<void>((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: k.kage.port, path: `${VWC}?watch=1&resourceVersion=${rv}&timeoutSeconds=5`,
      headers: { authorization: `Bearer ${k.adminToken}` }, ca: k.caPem, agent: false,
    }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) {
            const ev = JSON.parse(line) as { type: string; object: KubeObject };
            watchEvents.push(`${ev.type} ${ev.object.metadata.name}`);
            if (ev.type === 'DELETED') {
              req.destroy();
              resolve();
            }
          }
        }
      });
      res.on('end', () => resolve());
    });
    req.on('error', (err) => (watchEvents.length ? resolve() : reject(err)));
    req.end();
  });
  const created = await k.request('POST', VWC, {
    body: { apiVersion: `${ADM}/v1`, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'demo' }, webhooks: [HOOK] },
  });
  assert.equal(created.status, 201, created.body);
  const hook = created.json().webhooks[0];
  assert.equal(hook.timeoutSeconds, 10);
  assert.equal(hook.failurePolicy, 'Fail');
  assert.equal(created.json().metadata.generation, 1);
  const table = await k.request('GET', VWC, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  assert.equal(table.status, 200, table.body);
  assert.deepEqual(table.json().columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Webhooks', 'Age']);
  assert.deepEqual(table.json().rows[0].cells.slice(0, 2), ['demo', 1]);
  const invalid = await k.request('POST', VWC, {
    body: { apiVersion: `${ADM}/v1`, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bad' }, webhooks: [{ ...HOOK, sideEffects: undefined }] },
  });
  assert.equal(invalid.status, 422, invalid.body);
  assert.equal(invalid.json().message,
    'ValidatingWebhookConfiguration.admissionregistration.k8s.io "bad" is invalid: webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun');
  const deleted = await k.request('DELETE', `${VWC}/demo`);
  assert.equal(deleted.status, 200, deleted.body);
  await watching;
  assert.deepEqual(watchEvents, ['ADDED demo', 'DELETED demo']);
});

test('endpoint slices: namespaced create and list across namespaces', async () => {
  const created = await k.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    body: {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'api-abc', labels: { 'kubernetes.io/service-name': 'api' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: 8443 }],
    },
  });
  assert.equal(created.status, 201, created.body);
  assert.deepEqual(created.json().ports, [{ name: 'https', port: 8443, protocol: 'TCP' }]);
  const all = await k.request('GET', '/apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dapi');
  assert.equal(all.status, 200, all.body);
  assert.deepEqual(all.json().items.map((i: KubeObject) => `${i.metadata.namespace}/${i.metadata.name}`), ['default/api-abc']);
});

test('the new group versions are discoverable and have Local APIServices', async () => {
  for (const gv of [`${ADM}/v1`, `${FC}/v1`, 'discovery.k8s.io/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1']) {
    const r = await k.request('GET', `/apis/${gv}`);
    assert.equal(r.status, 200, `${gv}: ${r.body}`);
    const [group, version] = gv.split('/');
    const svc = await k.request('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${version}.${group}`);
    assert.equal(svc.status, 200, `${version}.${group}: ${svc.body}`);
  }
});
