import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../registry/registry.js';
import { goJson } from './encode.js';
import { groupsFromRegistry, mergeGroups } from './groups.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './legacy.js';
import { storageGroupVersionKind, storageVersionHash } from './resources.js';
import type { APIResource, DiscoveryGroup } from './types.js';
import { apiservices, configmaps, deployments, fixtureRegistry, namespaces, needsReference, pods, reference, referenceJson, row } from './fixtures.test.js';

function entry(list: { resources: APIResource[] }, name: string): APIResource {
  const r = list.resources.find((x) => x.name === name);
  assert.ok(r, `no ${name}`);
  return r;
}

/** deepEqual plus key order (what a human diffing the JSON sees). */
function sameJson(actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

test('/api is byte-for-byte what a real server writes (pretty form)', needsReference, () => {
  assert.equal(goJson(apiVersions('127.0.0.1:6443'), true), reference('api.json'));
});

test('/apis/apiregistration.k8s.io/v1 is byte-for-byte what a real server writes', needsReference, () => {
  const list = apiResourceList(new Registry([apiservices]), 'apiregistration.k8s.io', 'v1');
  assert.equal(goJson(list, true), reference('apis-apiregistration.k8s.io-v1.json'));
});

test('/api/v1 entries equal the real ones, with no apiVersion on the list', needsReference, () => {
  const real = referenceJson<{ resources: APIResource[] }>('api-v1.json');
  const list = apiResourceList(fixtureRegistry(), '', 'v1');
  assert.ok(list);
  assert.deepEqual(Object.keys(list), ['kind', 'groupVersion', 'resources']);
  assert.equal(list.groupVersion, 'v1');
  for (const name of ['configmaps', 'namespaces', 'namespaces/status', 'pods', 'pods/status']) {
    sameJson(entry(list, name), entry(real, name));
  }
  // Sorted by name, each resource followed by its subresources.
  assert.deepEqual(
    list.resources.map((r) => r.name),
    ['configmaps', 'namespaces', 'namespaces/status', 'pods', 'pods/status'],
  );
});

test('scale subresources name autoscaling/v1 Scale, as replicationcontrollers/scale does', needsReference, () => {
  const real = referenceJson<{ resources: APIResource[] }>('api-v1.json');
  const list = apiResourceList(fixtureRegistry(), 'apps', 'v1');
  assert.ok(list);
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.groupVersion, 'apps/v1');
  assert.deepEqual(
    list.resources.map((r) => r.name),
    ['deployments', 'deployments/scale', 'deployments/status'],
  );
  const scale = entry(list, 'deployments/scale');
  const rcScale = entry(real, 'replicationcontrollers/scale');
  sameJson(scale, { ...rcScale, name: 'deployments/scale' });
  sameJson(entry(list, 'deployments/status'), { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'] });
  assert.equal(entry(list, 'deployments').storageVersionHash, storageVersionHash('apps', 'v1', 'Deployment'));
});

test('apiResourceList is undefined for a group version the registry does not serve', () => {
  assert.equal(apiResourceList(fixtureRegistry(), 'apps', 'v2'), undefined);
  assert.equal(apiResourceList(fixtureRegistry(), 'batch', 'v1'), undefined);
});

test('storageVersionHash: base64 of the first 8 bytes of sha256(group/version/kind)', () => {
  assert.equal(storageVersionHash('', 'v1', 'ConfigMap'), 'qFsyl6wFWjQ=');
  assert.equal(storageVersionHash('apiregistration.k8s.io', 'v1', 'APIService'), 'InPBPD7+PqM=');
  assert.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
});

test('storage versions: events.k8s.io Events are core Events; the highest-priority version otherwise', () => {
  const events = row({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true });
  assert.deepEqual(storageGroupVersionKind(events), { group: '', version: 'v1', kind: 'Event' });
  const list = apiResourceList(new Registry([events]), 'events.k8s.io', 'v1');
  assert.equal(list?.resources[0]?.storageVersionHash, 'r2yiGXH7wu8=');

  const hpa = (version: string) =>
    row({ group: 'autoscaling', version, kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true });
  const registry = new Registry([hpa('v2'), hpa('v1')]);
  for (const v of ['v1', 'v2']) {
    assert.equal(apiResourceList(registry, 'autoscaling', v)?.resources[0]?.storageVersionHash, storageVersionHash('autoscaling', 'v2', 'HorizontalPodAutoscaler'));
  }
});

/** One minimal row per group version of the real /apis (wardle stays outside: it comes from the aggregator). */
function registryLikeRealApis(): { registry: Registry; wardle: DiscoveryGroup } {
  const apis = referenceJson<{ groups: { name: string; versions: { version: string }[] }[] }>('apis.json');
  const rows = [configmaps];
  let wardle: DiscoveryGroup | undefined;
  // Registration order is deliberately not discovery order.
  for (const g of [...apis.groups].reverse()) {
    if (g.name === 'wardle.example.com') {
      wardle = { name: g.name, versions: g.versions.map((v) => ({ version: v.version, resources: [], freshness: 'Current' })) };
      continue;
    }
    for (const v of g.versions) {
      rows.push(row({ group: g.name, version: v.version, kind: 'Thing', plural: 'things', singular: 'thing', namespaced: true }));
    }
  }
  assert.ok(wardle);
  return { registry: new Registry(rows), wardle };
}

test('/apis lists the groups of a real cluster in the real order', needsReference, () => {
  const { registry, wardle } = registryLikeRealApis();
  const list = apiGroupList(mergeGroups(groupsFromRegistry(registry), [wardle]));
  sameJson(list, referenceJson('apis.json'));
  assert.equal(goJson(list, true), reference('apis.json'));
});

test('/apis/<group>: versions in preference order, the first preferred', () => {
  const hpa = (version: string) =>
    row({ group: 'autoscaling', version, kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true });
  const [group] = groupsFromRegistry(new Registry([hpa('v1'), hpa('v2')]));
  assert.ok(group);
  sameJson(apiGroup(group), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'autoscaling',
    versions: [
      { groupVersion: 'autoscaling/v2', version: 'v2' },
      { groupVersion: 'autoscaling/v1', version: 'v1' },
    ],
    preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
  });
});

test('/apis leaves the core group out', () => {
  const list = apiGroupList(groupsFromRegistry(new Registry([configmaps, namespaces, pods, deployments])));
  assert.deepEqual(list.groups.map((g) => g.name), ['apps']);
});
