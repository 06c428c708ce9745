import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../registry/registry.js';
import { aggregatedDiscovery, aggregatedETag, groupsFromRegistry, mergeGroups } from './aggregated.js';
import { goJson } from './encode.js';
import type { APIGroupDiscovery, APIGroupDiscoveryList, APIResourceDiscovery, DiscoveryGroup } from './types.js';
import { apiservices, configmaps, deployments, fixtureRegistry, needsReference, pods, reference, referenceJson } from './fixtures.test.js';

function realResources(file: string, group: string, version: string): APIResourceDiscovery[] {
  const list = referenceJson<APIGroupDiscoveryList>(file);
  const g = list.items.find((i) => (i.metadata.name ?? '') === group);
  const v = g?.versions.find((x) => x.version === version);
  assert.ok(v?.resources, `no ${group}/${version} in ${file}`);
  return v.resources;
}

function find(resources: APIResourceDiscovery[] | undefined, name: string): APIResourceDiscovery {
  const r = resources?.find((x) => x.resource === name);
  assert.ok(r, `no ${name}`);
  return r;
}

function sameJson(actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

/** The sample's groups turned back into inputs (no priorities given: the built-in table must place them). */
function groupsOf(list: APIGroupDiscoveryList): DiscoveryGroup[] {
  return list.items.map((i: APIGroupDiscovery) => ({
    name: i.metadata.name ?? '',
    versions: i.versions.map((v) => ({ version: v.version, resources: v.resources ?? [], freshness: v.freshness ?? 'Current' })),
  }));
}

test('configmaps, deployments and apiservices entries equal the real ones', needsReference, () => {
  const groups = groupsFromRegistry(fixtureRegistry());
  const byName = new Map(groups.map((g) => [g.name, g]));
  sameJson(find(byName.get('')?.versions[0]?.resources, 'configmaps'), find(realResources('aggregated-discovery-api.json', '', 'v1'), 'configmaps'));
  sameJson(find(byName.get('apps')?.versions[0]?.resources, 'deployments'), find(realResources('aggregated-discovery-apis.json', 'apps', 'v1'), 'deployments'));
  sameJson(
    find(byName.get('apiregistration.k8s.io')?.versions[0]?.resources, 'apiservices'),
    find(realResources('aggregated-discovery-apis.json', 'apiregistration.k8s.io', 'v1'), 'apiservices'),
  );
});

test('pods: the real entry restricted to the subresources kage has', needsReference, () => {
  const real = find(realResources('aggregated-discovery-api.json', '', 'v1'), 'pods');
  const ours = find(groupsFromRegistry(new Registry([pods]))[0]?.versions[0]?.resources, 'pods');
  sameJson(ours, { ...real, subresources: real.subresources?.filter((s) => s.subresource === 'status') });
});

test('/api: the core group has no name and its document is exactly the real one, ETag included', needsReference, () => {
  const real = referenceJson<APIGroupDiscoveryList>('aggregated-discovery-api.json');
  const doc = aggregatedDiscovery(groupsOf(real));
  sameJson(doc, real);
  assert.deepEqual(doc.items[0]?.metadata, { creationTimestamp: null });
  assert.equal(goJson(doc, true), reference('aggregated-discovery-api.json'));
  assert.match(reference('aggregated-discovery-api.headers'), new RegExp(`^etag: "${aggregatedETag(doc)}"$`, 'm'));
});

test('/apis: groups and versions come out in the real order, byte for byte, with the real ETag', needsReference, () => {
  const real = referenceJson<APIGroupDiscoveryList>('aggregated-discovery-apis.json');
  const shuffled = groupsOf(real)
    .reverse()
    .map((g) => ({ ...g, versions: [...g.versions].reverse() }));
  const doc = aggregatedDiscovery(shuffled);
  sameJson(doc, real);
  assert.equal(goJson(doc, true), reference('aggregated-discovery-apis.json'));
  assert.match(reference('aggregated-discovery-apis.headers'), new RegExp(`^etag: "${aggregatedETag(doc)}"$`, 'm'));
});

test('built-in groups merged with an aggregated one, as the real /apis for the same groups', needsReference, () => {
  const real = referenceJson<APIGroupDiscoveryList>('aggregated-discovery-apis.json');
  const wardle = groupsOf(real).filter((g) => g.name === 'wardle.example.com');
  const builtins = groupsOf(real).filter((g) => g.name !== 'wardle.example.com');
  const doc = aggregatedDiscovery(mergeGroups(builtins, wardle));
  assert.equal(aggregatedETag(doc), aggregatedETag(real));
});

test('a Stale version has no resources, as the real one once its backend is gone', needsReference, () => {
  const real = referenceJson<APIGroupDiscoveryList>('unavailable-aggregated-discovery-apis.json');
  const wardle: DiscoveryGroup = {
    name: 'wardle.example.com',
    versions: [
      { version: 'v1alpha1', resources: [], freshness: 'Stale' },
      { version: 'v1beta1', resources: [], freshness: 'Stale' },
    ],
  };
  const doc = aggregatedDiscovery([wardle]);
  sameJson(doc.items[0], real.items.find((i) => i.metadata.name === 'wardle.example.com'));
});

test('v2beta1 differs from v2 only in apiVersion; both have the same ETag', () => {
  const groups = groupsFromRegistry(fixtureRegistry()).filter((g) => g.name !== '');
  const v2 = aggregatedDiscovery(groups, 'v2');
  const v2beta1 = aggregatedDiscovery(groups, 'v2beta1');
  assert.equal(v2.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(v2beta1.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.deepEqual({ ...v2beta1, apiVersion: v2.apiVersion }, v2);
  assert.equal(aggregatedETag(v2), aggregatedETag(v2beta1));
  assert.match(aggregatedETag(v2), /^[0-9A-F]{128}$/);
});

test('versions given priorities (an APIService spec) are placed by them', () => {
  const g = (name: string, version: string, groupPriorityMinimum?: number, versionPriority?: number): DiscoveryGroup => ({
    name,
    versions: [{ version, resources: [], freshness: 'Current', groupPriorityMinimum, versionPriority }],
  });
  const doc = aggregatedDiscovery(
    mergeGroups(groupsFromRegistry(new Registry([configmaps, deployments, apiservices])).filter((x) => x.name !== ''), [
      g('low.example.com', 'v1'),
      g('high.example.com', 'v1', 17900, 15),
      g('high.example.com', 'v2', 17900, 5),
    ]),
  );
  assert.deepEqual(
    doc.items.map((i) => [i.metadata.name, i.versions.map((v) => v.version)]),
    [
      ['apiregistration.k8s.io', ['v1']],
      ['high.example.com', ['v1', 'v2']],
      ['apps', ['v1']],
      ['low.example.com', ['v1']],
    ],
  );
});

test('mergeGroups: a later source takes over a group version', () => {
  const builtin = groupsFromRegistry(new Registry([deployments]));
  const stale: DiscoveryGroup = { name: 'apps', versions: [{ version: 'v1', resources: [], freshness: 'Stale' }] };
  const merged = mergeGroups(builtin, [stale]);
  assert.deepEqual(merged, [stale]);
});
