import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../registry/resources/index.js';
import {
  definition,
  definitionName,
  definitions,
  fieldPath,
  patchStrategies,
  property,
  schemaForKind,
  schemaForMessage,
  schemaForObject,
  type TypeSchema,
} from './index.js';
import { parseFacts } from './model.js';

const deployment = (): TypeSchema => {
  const d = schemaForKind('apps', 'v1', 'Deployment');
  assert.ok(d, 'Deployment has a schema');
  return d;
};

test('Deployment containers merge by name, as a list map keyed by name', () => {
  const containers = fieldPath(deployment(), ['spec', 'template', 'spec', 'containers'])!;
  assert.equal(containers.type, 'array');
  assert.equal(containers.patchStrategy, 'merge');
  assert.equal(containers.patchMergeKey, 'name');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  assert.equal(containers.items?.ref, 'io.k8s.api.core.v1.Container');
  assert.deepEqual(containers.items?.required, ['name']);
  // The dotted form and a list index reach the same nodes.
  assert.equal(fieldPath(deployment(), 'spec.template.spec.containers'), containers);
  assert.equal(fieldPath(deployment(), ['spec', 'template', 'spec', 'containers', 0, 'name']), containers.items!.properties!['name']);
});

test('container env, ports, volumeMounts and pod volumes carry their merge keys', () => {
  const container = fieldPath(deployment(), 'spec.template.spec.containers')!.items!;
  const env = container.properties!['env']!;
  assert.deepEqual([env.patchStrategy, env.patchMergeKey, env.listType, env.listMapKeys], ['merge', 'name', 'map', ['name']]);
  const ports = container.properties!['ports']!;
  assert.deepEqual([ports.patchStrategy, ports.patchMergeKey, ports.listType], ['merge', 'containerPort', 'map']);
  assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
  assert.deepEqual(ports.items?.required, ['containerPort']);
  const mounts = container.properties!['volumeMounts']!;
  assert.deepEqual([mounts.patchStrategy, mounts.patchMergeKey], ['merge', 'mountPath']);
  assert.equal(container.properties!['command']!.listType, 'atomic');
  assert.equal(container.properties!['args']!.listType, 'atomic');
  const volumes = fieldPath(deployment(), 'spec.template.spec.volumes')!;
  assert.equal(volumes.patchStrategy, 'merge,retainKeys');
  assert.deepEqual(patchStrategies(volumes), ['merge', 'retainKeys']);
  assert.equal(volumes.patchMergeKey, 'name');
  // VolumeSource is inlined into Volume, as in JSON.
  assert.ok(volumes.items!.properties!['configMap']);
  assert.ok(volumes.items!.properties!['emptyDir']);
  assert.deepEqual(volumes.items!.required, ['name']);
  const strategy = fieldPath(deployment(), 'spec.strategy')!;
  assert.equal(strategy.patchStrategy, 'retainKeys');
});

test('ObjectMeta finalizers, ownerReferences and managedFields have their real patch metadata', () => {
  const meta = schemaForMessage('meta.ObjectMeta')!;
  assert.equal(meta.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const finalizers = meta.properties!['finalizers']!;
  assert.deepEqual([finalizers.patchStrategy, finalizers.patchMergeKey, finalizers.listType], ['merge', undefined, 'set']);
  assert.deepEqual(finalizers.items, { type: 'string' });
  const owners = meta.properties!['ownerReferences']!;
  assert.deepEqual([owners.patchStrategy, owners.patchMergeKey, owners.listType], ['merge', 'uid', 'map']);
  assert.deepEqual(owners.listMapKeys, ['uid']);
  assert.deepEqual(owners.items!.required, ['apiVersion', 'kind', 'name', 'uid']);
  assert.equal(owners.items!.mapType, 'atomic');
  assert.equal(meta.properties!['managedFields']!.listType, 'atomic');
  const labels = meta.properties!['labels']!;
  assert.equal(labels.type, 'object');
  assert.deepEqual(labels.additionalProperties, { type: 'string' });
  assert.equal(labels.mapType, undefined);
  assert.equal(fieldPath(deployment(), 'metadata.finalizers'), finalizers);
});

test('every served kind has a schema with its group/version/kind, lists too', () => {
  for (const r of builtinResources) {
    const s = schemaForKind(r.group, r.version, r.kind);
    assert.ok(s, `${r.group}/${r.version} ${r.kind} has a schema`);
    assert.deepEqual(s.gvk, [{ group: r.group, version: r.version, kind: r.kind }]);
    assert.ok(s.ref, 'named');
    assert.equal(definition(s.ref), s);
    assert.ok(s.description, `${r.kind} has a description`);
    for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(s.properties?.[f], `${r.kind}.${f}`);
    assert.equal(s.properties!['metadata']!.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    if (r.verbs.includes('list')) {
      const list = schemaForKind(r.group, r.version, r.listKind);
      assert.ok(list, `${r.listKind}`);
      assert.deepEqual(list.gvk, [{ group: r.group, version: r.version, kind: r.listKind }]);
      assert.equal(list.properties!['items']!.items!.ref, s.ref);
      assert.equal(list.properties!['metadata']!.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
    }
    for (const sub of r.subresources) {
      assert.ok(schemaForKind(sub.group ?? r.group, sub.version ?? r.version, sub.kind), `${r.plural}/${sub.name}`);
    }
  }
  assert.equal(schemaForKind('autoscaling', 'v1', 'Scale')?.ref, 'io.k8s.api.autoscaling.v1.Scale');
  assert.equal(schemaForKind('', 'v1', 'Status')?.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.Status');
  assert.equal(schemaForKind('apps', 'v1', 'DeleteOptions')?.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  assert.equal(schemaForObject('apps/v1', 'Deployment'), deployment());
  assert.equal(schemaForObject('v1', 'ConfigMap')?.ref, 'io.k8s.api.core.v1.ConfigMap');
  assert.equal(schemaForKind('apps', 'v2', 'Deployment'), undefined);
  assert.equal(schemaForKind('', 'v1', 'Nope'), undefined);
});

test('definitions are named like the real ones', () => {
  const expect = [
    'io.k8s.api.core.v1.ConfigMap',
    'io.k8s.api.core.v1.PodTemplateSpec',
    'io.k8s.api.apps.v1.DeploymentSpec',
    'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceSpec',
    'io.k8s.api.admissionregistration.v1.ValidatingWebhook',
    'io.k8s.api.flowcontrol.v1.FlowSchemaSpec',
    'io.k8s.api.discovery.v1.Endpoint',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  ];
  for (const name of expect) assert.ok(definitions().has(name), name);
  assert.equal(definitionName('core.PodSpec'), 'io.k8s.api.core.v1.PodSpec');
});

test('scalar formats and special forms', () => {
  const d = deployment();
  assert.deepEqual(
    [fieldPath(d, 'spec.replicas')!.type, fieldPath(d, 'spec.replicas')!.format],
    ['integer', 'int32'],
  );
  assert.equal(fieldPath(d, 'metadata.generation')!.format, 'int64');
  const created = fieldPath(d, 'metadata.creationTimestamp')!;
  assert.deepEqual([created.type, created.format, created.special], ['string', 'date-time', 'time']);
  const surge = fieldPath(d, 'spec.strategy.rollingUpdate.maxSurge')!;
  assert.equal(surge.special, 'intorstring');
  assert.equal(surge.type, undefined);
  const limits = fieldPath(d, 'spec.template.spec.containers.resources.limits')!;
  assert.equal(limits.additionalProperties?.special, 'quantity');
  assert.equal(fieldPath(d, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'cpu'])?.special, 'quantity');
  const caBundle = fieldPath(schemaForKind('apiregistration.k8s.io', 'v1', 'APIService')!, 'spec.caBundle')!;
  assert.deepEqual([caBundle.type, caBundle.format], ['string', 'byte']);
  const binary = fieldPath(schemaForKind('', 'v1', 'ConfigMap')!, 'binaryData')!;
  assert.deepEqual(binary.additionalProperties, { type: 'string', format: 'byte' });
  // authentication's extra values are plain string arrays.
  const extra = fieldPath(schemaForKind('authentication.k8s.io', 'v1', 'TokenReview')!, 'status.user.extra')!;
  assert.deepEqual(extra.additionalProperties, { type: 'array', items: { type: 'string' } });
  assert.equal(fieldPath(schemaForKind('', 'v1', 'Pod')!, 'metadata.managedFields.fieldsV1')?.special, 'fieldsv1');
});

test('required fields, atomic structs and atomic maps', () => {
  assert.deepEqual(schemaForMessage('core.PodSpec')!.required, ['containers']);
  assert.deepEqual(schemaForMessage('apiregistration.APIServiceSpec')!.required, ['groupPriorityMinimum', 'versionPriority']);
  assert.deepEqual(schemaForMessage('meta.Condition')!.required, ['lastTransitionTime', 'message', 'reason', 'status', 'type']);
  assert.deepEqual(schemaForMessage('core.ConfigMap')!.required, []);
  const selector = fieldPath(deployment(), 'spec.selector')!;
  assert.equal(selector.mapType, 'atomic');
  assert.equal(selector.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.equal(fieldPath(deployment(), 'spec.template.spec.nodeSelector')!.mapType, 'atomic');
  const service = schemaForKind('', 'v1', 'Service')!;
  const ports = fieldPath(service, 'spec.ports')!;
  assert.deepEqual([ports.patchMergeKey, ports.listMapKeys], ['port', ['port', 'protocol']]);
  const hooks = fieldPath(schemaForKind('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration')!, 'webhooks')!;
  assert.deepEqual([hooks.patchStrategy, hooks.patchMergeKey, hooks.listType], ['merge', 'name', 'map']);
  const endpoints = fieldPath(schemaForKind('discovery.k8s.io', 'v1', 'EndpointSlice')!, 'endpoints')!;
  assert.equal(endpoints.listType, 'atomic');
  // Rule is inlined into RuleWithOperations.
  assert.ok(fieldPath(hooks, 'rules.apiGroups'));
});

test('explain texts: ConfigMap, PodTemplateSpec and APIServiceSpec fields are described', () => {
  const cm = schemaForKind('', 'v1', 'ConfigMap')!;
  for (const f of ['apiVersion', 'binaryData', 'data', 'immutable', 'kind', 'metadata']) {
    assert.ok(cm.properties![f]!.description, `ConfigMap.${f}`);
  }
  const template = fieldPath(deployment(), 'spec.template')!;
  assert.ok(template.description);
  for (const f of ['metadata', 'spec']) assert.ok(template.properties![f]!.description, `PodTemplateSpec.${f}`);
  const spec = fieldPath(schemaForKind('apiregistration.k8s.io', 'v1', 'APIService')!, 'spec')!;
  for (const f of Object.keys(spec.properties!)) assert.ok(spec.properties![f]!.description, `APIServiceSpec.${f}`);
  assert.ok(definition('io.k8s.api.core.v1.PodTemplateSpec')!.description);
});

test('property and fieldPath stop where the schema stops', () => {
  const cm = schemaForKind('', 'v1', 'ConfigMap')!;
  assert.deepEqual(property(cm, 'data'), cm.properties!['data']);
  assert.deepEqual(fieldPath(cm, 'data.anykey'), { type: 'string' });
  assert.equal(fieldPath(cm, 'nope'), undefined);
  assert.equal(fieldPath(cm, 'data.a.b'), undefined);
  assert.equal(fieldPath(cm, ['data', 0]), undefined);
  assert.equal(fieldPath(cm, ''), cm);
  assert.ok(Object.isFrozen(cm) && Object.isFrozen(cm.properties));
});

test('the facts table words are checked', () => {
  assert.deepEqual(parseFacts('x', 'req patch=merge key=name list=map(name,protocol)'), {
    required: true, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name', 'protocol'],
  });
  assert.deepEqual(parseFacts('x', 'map=atomic'), { required: false, mapType: 'atomic' });
  assert.throws(() => parseFacts('x', 'merge'), /unknown word 'merge'/);
});

test('the model reads the same message table the protobuf decoder does, plus its own packages', async () => {
  const { MESSAGES } = await import('../protobuf/schema/index.js');
  const { EXTRA_PACKAGES, PROTOBUF_PACKAGES } = await import('./model.js');
  assert.deepEqual(
    [...new Set([...MESSAGES.keys()].map((id) => id.split('.')[0]))].sort(),
    PROTOBUF_PACKAGES.map((p) => p.alias).sort(),
    'server/schema/model.ts lists the packages of server/protobuf/schema/index.ts',
  );
  for (const id of MESSAGES.keys()) assert.ok(schemaForMessage(id), id);
  for (const p of EXTRA_PACKAGES) {
    for (const name of Object.keys(p.messages)) assert.ok(schemaForMessage(`${p.alias}.${name}`), `${p.alias}.${name}`);
  }
});
