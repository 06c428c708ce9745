import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryFormatError, legacyToAggregated, parseAggregatedDiscovery, parseJsonObject } from './discovery-documents.js';

test('legacy lists: subresources nest under their resource, a missing parent is made up, order is kept', () => {
  const resources = legacyToAggregated({
    kind: 'APIResourceList',
    groupVersion: 'x.example.com/v1',
    resources: [
      { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'list'], shortNames: ['wd'], categories: ['all'] },
      { name: 'widgets/status', singularName: '', namespaced: true, kind: 'Widget', verbs: ['get', 'patch', 'update'] },
      { name: 'widgets/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get'] },
      { name: 'gadgets/proxy', singularName: '', namespaced: false, kind: '', verbs: null },
      { name: 'alphas', singularName: 'alpha', namespaced: false, kind: 'Alpha', verbs: null },
    ],
  }, 'x.example.com/v1');
  assert.equal(JSON.stringify(resources), JSON.stringify([
    {
      resource: 'widgets', responseKind: { group: '', version: '', kind: 'Widget' }, scope: 'Namespaced', singularResource: 'widget',
      verbs: ['get', 'list'], shortNames: ['wd'], categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Widget' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get'] },
      ],
    },
    { resource: 'alphas', responseKind: { group: '', version: '', kind: 'Alpha' }, scope: 'Cluster', singularResource: 'alpha', verbs: [] },
    {
      resource: 'gadgets', responseKind: { group: '', version: '', kind: '' }, scope: 'Cluster', singularResource: '', verbs: [],
      subresources: [{ subresource: 'proxy', responseKind: { group: '', version: '', kind: '' }, verbs: [] }],
    },
  ]));
});

test('legacy lists: wrong group version, scope mismatch or malformed entries are refused', () => {
  const base = { kind: 'APIResourceList', groupVersion: 'x.example.com/v1' };
  assert.throws(() => legacyToAggregated({ ...base, groupVersion: 'y/v1', resources: [] }, 'x.example.com/v1'), DiscoveryFormatError);
  assert.throws(() => legacyToAggregated({ ...base, kind: 'Pod', resources: [] }, 'x.example.com/v1'), DiscoveryFormatError);
  assert.throws(() => legacyToAggregated({
    ...base,
    resources: [
      { name: 'a', namespaced: true, kind: 'A', verbs: [] },
      { name: 'a/status', namespaced: false, kind: 'A', verbs: [] },
    ],
  }, 'x.example.com/v1'), /scope/);
  assert.throws(() => legacyToAggregated({ ...base, resources: [{ name: 'a', namespaced: 'yes', verbs: [] }] }, 'x.example.com/v1'), DiscoveryFormatError);
  assert.throws(() => legacyToAggregated({ ...base, resources: [{ name: 'a', namespaced: true, verbs: 'get' }] }, 'x.example.com/v1'), DiscoveryFormatError);
  assert.throws(() => legacyToAggregated({ ...base, resources: 'none' }, 'x.example.com/v1'), DiscoveryFormatError);
  assert.deepEqual(legacyToAggregated({ ...base, resources: null }, 'x.example.com/v1'), []);
});

test('aggregated lists: copied field by field in the wire order, unknown fields dropped, v2beta1 accepted', () => {
  const map = parseAggregatedDiscovery({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2beta1',
    metadata: {},
    items: [
      {
        metadata: { name: 'x.example.com', creationTimestamp: null },
        versions: [
          {
            version: 'v1',
            freshness: 'Current',
            resources: [{
              verbs: ['get'], scope: 'Cluster', singularResource: 'thing', resource: 'things', junk: { deep: [1, 2] },
              responseKind: { kind: 'Thing', group: '', version: '', extra: 1 },
              subresources: [{ verbs: null, subresource: 'status', acceptedTypes: [{ group: 'g', version: 'v', kind: 'K' }] }],
            }],
          },
          { version: 'v2' },
        ],
      },
      { metadata: {}, versions: [{ version: 'v1', resources: [] }] },
    ],
  });
  assert.deepEqual([...map.keys()], ['x.example.com/v1', 'x.example.com/v2', '/v1']);
  assert.equal(JSON.stringify(map.get('x.example.com/v1')), JSON.stringify([{
    resource: 'things', responseKind: { group: '', version: '', kind: 'Thing' }, scope: 'Cluster', singularResource: 'thing', verbs: ['get'],
    subresources: [{ subresource: 'status', acceptedTypes: [{ group: 'g', version: 'v', kind: 'K' }], verbs: [] }],
  }]));
  assert.deepEqual(map.get('x.example.com/v2'), []);
});

test('aggregated lists and JSON: what is refused', () => {
  const list = (items: unknown) => ({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', items });
  for (const bad of [
    list('x'),
    list([1]),
    list([{ metadata: { name: 5 }, versions: [] }]),
    list([{ metadata: { name: 'g' }, versions: [{ version: '' }] }]),
    list([{ metadata: { name: 'g' }, versions: [{ version: 'v1', resources: [{ resource: '', scope: 'Cluster', verbs: [] }] }] }]),
    list([{ metadata: { name: 'g' }, versions: [{ version: 'v1', resources: [{ resource: 'r', scope: 'Cluster', verbs: [1] }] }] }]),
    { ...list([]), apiVersion: 'v1' },
  ]) {
    assert.throws(() => parseAggregatedDiscovery(bad as Record<string, unknown>), DiscoveryFormatError, JSON.stringify(bad));
  }
  assert.throws(() => parseJsonObject('{"a":'), DiscoveryFormatError);
  assert.throws(() => parseJsonObject('[1]'), DiscoveryFormatError);
  assert.throws(() => parseJsonObject('null'), DiscoveryFormatError);
  assert.throws(() => parseJsonObject(Buffer.from('\u0000\u00ff')), DiscoveryFormatError);
  assert.deepEqual(parseJsonObject(Buffer.from('{"a":1}')), { a: 1 });
});
