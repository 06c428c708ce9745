import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { builtinResources } from '../registry/resources/index.js';
import type { ResourceDef } from '../registry/types.js';
import { buildDocuments, openAPIV3Index, type BuiltDocuments } from './documents.js';
import { groupVersionIndexPath, operationGroupVersion, operationTag, PATCH_MEDIA_TYPES } from './operations.js';

// Documents are walked loosely: any JSON.
type Json = Record<string, any>;

let cached: BuiltDocuments | undefined;
const docs = (): BuiltDocuments => (cached ??= buildDocuments(builtinResources));
const v3 = (path: string): Json => JSON.parse(docs().v3.get(path)!.text) as Json;
const v2 = (): Json => JSON.parse(docs().v2.text) as Json;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every "$ref" in a document. */
function refs(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) for (const x of doc) refs(x, out);
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/** What kubectl's QueryParamVerifierV3 does: the first PATCH operation of the GVK decides. */
function supportsQueryParamV3(doc: Json, gvk: { group: string; version: string; kind: string }, param: string): boolean | 'no path' {
  for (const item of Object.values(doc['paths'] as Json)) {
    const op = (item as Json)['patch'];
    if (!op) continue;
    const g = op['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return (op.parameters as Json[]).some((p) => p['name'] === param && p['in'] === 'query');
  }
  return 'no path';
}

/** What kubectl explain's template does: the GVK of the resource's paths, then the schema carrying it. */
function explainSchema(doc: Json, r: ResourceDef): Json | undefined {
  const prefix = r.group ? `/apis/${r.group}` : '/api';
  const candidates = [
    `${prefix}/${r.version}/${r.plural}`,
    `${prefix}/${r.version}/${r.plural}/{name}`,
    `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}`,
    `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}/{name}`,
  ];
  let gvk: Json | undefined;
  for (const c of candidates) {
    const item = doc['paths'][c] as Json | undefined;
    if (!item) continue;
    for (const m of METHODS) if (item[m]?.['x-kubernetes-group-version-kind']) gvk ??= item[m]['x-kubernetes-group-version-kind'];
  }
  if (!gvk) return undefined;
  for (const s of Object.values(doc['components']['schemas'] as Json)) {
    const list = (s as Json)['x-kubernetes-group-version-kind'] as Json[] | undefined;
    if (list?.some((x) => x['group'] === gvk!['group'] && x['version'] === gvk!['version'] && x['kind'] === gvk!['kind'])) return s as Json;
  }
  return undefined;
}

test('one v3 document per served group version, each valid JSON with every $ref resolvable', () => {
  const gvs = new Set(builtinResources.map((r) => groupVersionIndexPath(r.group, r.version)));
  assert.deepEqual([...docs().v3.keys()].sort(), [...gvs].sort());
  for (const path of gvs) {
    const doc = v3(path);
    assert.equal(doc['openapi'], '3.0.0');
    assert.equal(doc['info']['title'], 'Kubernetes');
    const schemas = doc['components']['schemas'] as Json;
    for (const ref of refs(doc)) {
      assert.match(ref, /^#\/components\/schemas\//);
      assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `${path}: ${ref} resolves`);
    }
  }
});

test('every write operation lists dryRun and fieldValidation; patches take the four patch types', () => {
  for (const r of builtinResources) {
    const doc = v3(groupVersionIndexPath(r.group, r.version));
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    if (r.verbs.includes('patch')) {
      assert.equal(supportsQueryParamV3(doc, gvk, 'fieldValidation'), true, `${r.plural} fieldValidation`);
      assert.equal(supportsQueryParamV3(doc, gvk, 'dryRun'), true, `${r.plural} dryRun`);
    }
    for (const [path, item] of Object.entries(doc['paths'] as Json)) {
      for (const m of ['post', 'put', 'patch']) {
        const op = (item as Json)[m];
        if (!op) continue;
        const names = (op.parameters as Json[]).filter((p) => p['in'] === 'query').map((p) => p['name']);
        for (const p of ['dryRun', 'fieldManager', 'fieldValidation']) assert.ok(names.includes(p), `${m} ${path} has ${p}`);
        if (m === 'patch') {
          assert.ok(names.includes('force'), `${path} force`);
          assert.deepEqual(Object.keys(op.requestBody.content).sort(), [...PATCH_MEDIA_TYPES].sort());
          assert.ok(op.requestBody.content['application/strategic-merge-patch+json'], 'kubectl apply checks for it');
        } else {
          assert.equal(op.requestBody.required, true);
        }
      }
    }
  }
});

test('kubectl explain finds every served kind from its paths', () => {
  for (const r of builtinResources) {
    const doc = v3(groupVersionIndexPath(r.group, r.version));
    const s = explainSchema(doc, r);
    assert.ok(s, `${r.group}/${r.version} ${r.plural}`);
    assert.ok(s['properties']['metadata'], `${r.kind} has metadata`);
    assert.ok(s['description'], `${r.kind} has a description`);
  }
});

test('v3 schemas carry the patch and list extensions kubectl reads', () => {
  const apps = v3('apis/apps/v1');
  const schemas = apps['components']['schemas'] as Json;
  const deployment = schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(deployment['properties']['spec']['allOf'], [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  const template = schemas['io.k8s.api.apps.v1.DeploymentSpec']['properties']['template'];
  assert.deepEqual(template['allOf'], [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
  assert.ok(template['description']);
  const containers = schemas['io.k8s.api.core.v1.PodSpec']['properties']['containers'];
  assert.equal(containers['type'], 'array');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.deepEqual(containers['items'], { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec']['required'], ['containers']);
  const volumes = schemas['io.k8s.api.core.v1.PodSpec']['properties']['volumes'];
  assert.equal(volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const ports = schemas['io.k8s.api.core.v1.Container']['properties']['ports'];
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  const meta = schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']['properties'];
  assert.equal(meta['finalizers']['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(meta['finalizers']['x-kubernetes-list-type'], 'set');
  assert.equal(meta['ownerReferences']['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
  assert.equal(schemas['io.k8s.api.core.v1.PodSpec']['properties']['nodeSelector']['x-kubernetes-map-type'], 'atomic');
  // Special forms: strings with a format, or one of two types (explain prints their names).
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time']['format'], 'date-time');
  assert.ok(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['oneOf']);
  assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['type'], undefined);
  // Only what the group version refers to.
  assert.equal(schemas['io.k8s.api.core.v1.ConfigMap'], undefined);
});

test('operations are named and tagged like the real ones', () => {
  assert.equal(operationGroupVersion('', 'v1'), 'CoreV1');
  assert.equal(operationGroupVersion('flowcontrol.apiserver.k8s.io', 'v1'), 'FlowcontrolApiserverV1');
  assert.equal(operationTag('flowcontrol.apiserver.k8s.io', 'v1'), 'flowcontrolApiserver_v1');
  assert.equal(operationTag('apps', 'v1'), 'apps_v1');
  const core = v3('api/v1')['paths'] as Json;
  const item = core['/api/v1/namespaces/{namespace}/configmaps/{name}'];
  assert.equal(item['get']['operationId'], 'readCoreV1NamespacedConfigMap');
  assert.equal(item['put']['operationId'], 'replaceCoreV1NamespacedConfigMap');
  assert.equal(item['patch']['operationId'], 'patchCoreV1NamespacedConfigMap');
  assert.equal(item['delete']['operationId'], 'deleteCoreV1NamespacedConfigMap');
  assert.deepEqual(item['parameters'].map((p: Json) => p['name']), ['name', 'namespace', 'pretty']);
  const coll = core['/api/v1/namespaces/{namespace}/configmaps'];
  assert.equal(coll['get']['x-kubernetes-action'], 'list');
  assert.equal(coll['delete']['operationId'], 'deleteCoreV1CollectionNamespacedConfigMap');
  assert.equal(coll['get']['responses']['200']['content']['application/json']['schema']['$ref'], '#/components/schemas/io.k8s.api.core.v1.ConfigMapList');
  assert.ok(core['/api/v1/configmaps']['get']);
  assert.equal(core['/api/v1/watch/namespaces/{namespace}/configmaps/{name}']['get']['x-kubernetes-action'], 'watch');
  assert.ok(core['/api/v1/namespaces/{namespace}/pods/{name}/status']['patch']);
  assert.equal(core['/api/v1/namespaces/{name}']['delete']['operationId'], 'deleteCoreV1Namespace');
  assert.equal(core['/api/v1/namespaces']['delete'], undefined, 'namespaces have no deletecollection');
  const scale = (v3('apis/apps/v1')['paths'] as Json)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale['patch']['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const reviews = v3('apis/authentication.k8s.io/v1')['paths'] as Json;
  assert.deepEqual(Object.keys(reviews['/apis/authentication.k8s.io/v1/tokenreviews']).sort(), ['parameters', 'post']);
});

test('v2: one Swagger 2.0 document with real definition names and the same extensions', () => {
  const doc = v2();
  assert.equal(doc['swagger'], '2.0');
  const defs = doc['definitions'] as Json;
  for (const ref of refs(doc)) assert.ok(defs[ref.slice('#/definitions/'.length)], `${ref} resolves`);
  assert.deepEqual(defs['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  assert.ok(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.equal(defs['io.k8s.api.core.v1.ConfigMap']['properties']['metadata']['$ref'], '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(defs['io.k8s.api.core.v1.PodSpec']['properties']['containers']['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['type'], 'string');
  assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['format'], 'int-or-string');
  for (const r of builtinResources) {
    const def = Object.values(defs).find((d) => (d as Json)['x-kubernetes-group-version-kind']?.some(
      (g: Json) => g['group'] === r.group && g['version'] === r.version && g['kind'] === r.kind));
    assert.ok(def, `${r.kind} in v2`);
  }
  const patch = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']['patch'];
  assert.deepEqual([...patch['consumes']].sort(), [...PATCH_MEDIA_TYPES].sort());
  const names = patch['parameters'].map((p: Json) => p['name']);
  for (const p of ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(p), p);
  assert.equal(patch['parameters'][0]['in'], 'body');
});

test('hashes are the uppercase SHA-512 of the documents, stable from build to build', () => {
  const again = buildDocuments(builtinResources);
  assert.equal(again.v2.text, docs().v2.text);
  for (const [path, d] of docs().v3) {
    assert.equal(d.hash, createHash('sha512').update(d.text).digest('hex').toUpperCase());
    assert.match(d.hash, /^[0-9A-F]{128}$/);
    assert.equal(again.v3.get(path)!.hash, d.hash);
  }
  const index = openAPIV3Index(docs().v3);
  assert.deepEqual(Object.keys(index.paths), [...docs().v3.keys()].sort());
  assert.equal(index.paths['apis/apps/v1']!.serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${docs().v3.get('apis/apps/v1')!.hash}`);
  // The same shape as the real index.
  assert.match(index.paths['api/v1']!.serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
});
