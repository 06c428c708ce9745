import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

test('namespaced object path', () => {
  const i = parseRequestInfo('GET', '/api/v1/namespaces/default/configmaps/foo', false);
  assert.equal(i.isResourceRequest, true);
  assert.deepEqual([i.verb, i.group, i.version, i.namespace, i.resource, i.name, i.subresource], ['get', '', 'v1', 'default', 'configmaps', 'foo', '']);
});

test('collections: list, watch, create, deletecollection', () => {
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/default/configmaps', false).verb, 'list');
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/default/configmaps', true).verb, 'watch');
  assert.equal(parseRequestInfo('POST', '/api/v1/namespaces/default/configmaps', false).verb, 'create');
  assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/default/configmaps', false).verb, 'deletecollection');
  assert.equal(parseRequestInfo('GET', '/api/v1/configmaps', false).namespace, '');
});

test('group resources and subresources', () => {
  const i = parseRequestInfo('PUT', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', false);
  assert.deepEqual([i.verb, i.group, i.version, i.namespace, i.resource, i.name, i.subresource], ['update', 'apps', 'v1', 'ns1', 'deployments', 'web', 'scale']);
});

test('namespaces themselves, and their status subresource', () => {
  const ns = parseRequestInfo('GET', '/api/v1/namespaces/foo', false);
  assert.deepEqual([ns.resource, ns.name, ns.namespace], ['namespaces', 'foo', 'foo']);
  const st = parseRequestInfo('PUT', '/api/v1/namespaces/foo/status', false);
  assert.deepEqual([st.resource, st.name, st.subresource], ['namespaces', 'foo', 'status']);
});

test('legacy /watch/ prefix', () => {
  const i = parseRequestInfo('GET', '/api/v1/watch/namespaces/default/configmaps', false);
  assert.deepEqual([i.verb, i.namespace, i.resource], ['watch', 'default', 'configmaps']);
});

test('discovery and other paths are not resource requests', () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/healthz', '/']) {
    assert.equal(parseRequestInfo('GET', p, false).isResourceRequest, false, p);
  }
});

test('a malformed percent-encoding does not throw', () => {
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/%zz/configmaps', false).isResourceRequest, false);
});
