// Service → address resolution against a real store, including EndpointSlices written straight to storage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../server/api/types.js';
import { openLevelStore } from '../storage/leveldb-store.js';
import type { Store } from '../storage/store.js';
import { BackendError } from './backend.js';
import { BackendResolver, resolveBackend, resolveBackends } from './service-resolver.js';

let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kage-resolver-'));
  store = await openLevelStore(join(dir, 'store'));
});

after(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

function put(key: string, obj: Record<string, unknown>): Promise<unknown> {
  return store.create(key, obj as unknown as KubeObject);
}

function service(ns: string, name: string, spec: Record<string, unknown>): Promise<unknown> {
  return put(`/registry/core/services/${ns}/${name}`, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
}

async function rejectsWith(p: Promise<unknown>, reason: string, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof BackendError, String(err));
    assert.equal(err.reason, reason);
    assert.equal(err.message, message);
    return true;
  });
}

test('ExternalName services resolve to their externalName at the APIService port', async () => {
  await service('ext', 'api', { type: 'ExternalName', externalName: 'localhost' });
  assert.deepEqual(await resolveBackend(store, { namespace: 'ext', name: 'api', port: 8443 }), { host: 'localhost', port: 8443 });
});

test('missing service, missing port, missing endpoints, endpoints without the port name', async () => {
  await rejectsWith(resolveBackend(store, { namespace: 'none', name: 'api', port: 443 }), 'ServiceNotFound', 'service/api in "none" is not present');
  await service('ns1', 'api', { type: 'ClusterIP', ports: [{ name: 'web', port: 80, targetPort: 8080 }] });
  await rejectsWith(resolveBackend(store, { namespace: 'ns1', name: 'api', port: 443 }), 'ServicePortError', 'service/api in "ns1" is not listening on port 443');
  await rejectsWith(resolveBackend(store, { namespace: 'ns1', name: 'api', port: 80 }), 'EndpointsNotFound', 'cannot find endpoints for service/api in "ns1"');
  await put('/registry/core/endpoints/ns1/api', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'ns1' },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'other', port: 9000 }] }, { notReadyAddresses: [{ ip: '127.0.0.2' }], ports: [{ name: 'web', port: 8080 }] }],
  });
  await rejectsWith(resolveBackend(store, { namespace: 'ns1', name: 'api', port: 80 }), 'MissingEndpoints', 'endpoints for service/api in "ns1" have no addresses with port name "web"');
});

test('Endpoints: ready addresses on the named port, loopback allowed, picked at random', async () => {
  await service('ns2', 'api', { type: 'ClusterIP', ports: [{ name: 'https', port: 443, targetPort: 6443 }] });
  await put('/registry/core/endpoints/ns2/api', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'ns2' },
    subsets: [
      { addresses: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }], notReadyAddresses: [{ ip: '127.0.0.9' }], ports: [{ name: 'https', port: 6443 }, { name: 'metrics', port: 9090 }] },
    ],
  });
  const all = await resolveBackends(store, { namespace: 'ns2', name: 'api', port: 443 });
  assert.deepEqual(all, [{ host: '127.0.0.1', port: 6443 }, { host: '127.0.0.2', port: 6443 }]);
  const picked = new Set<string>();
  for (let i = 0; i < 60; i++) picked.add((await resolveBackend(store, { namespace: 'ns2', name: 'api', port: 443 })).host);
  assert.deepEqual([...picked].sort(), ['127.0.0.1', '127.0.0.2']);
});

test('EndpointSlices are used when there is no Endpoints object: ready endpoints, port by name', async () => {
  await service('ns3', 'api', { type: 'ClusterIP', ports: [{ port: 443, targetPort: 7443 }] });
  const slice = (name: string, svc: string, endpoints: unknown[], ports: unknown[]): Promise<unknown> => put(`/registry/discovery.k8s.io/endpointslices/ns3/${name}`, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'ns3', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4', endpoints, ports,
  });
  await slice('other-abc', 'other', [{ addresses: ['127.0.0.5'] }], [{ name: '', port: 7443 }]);
  await rejectsWith(resolveBackend(store, { namespace: 'ns3', name: 'api', port: 443 }), 'EndpointsNotFound', 'cannot find endpoints for service/api in "ns3"');
  await slice('api-1', 'api', [{ addresses: ['127.0.0.3'], conditions: { ready: false } }], [{ name: '', port: 7443 }]);
  await rejectsWith(resolveBackend(store, { namespace: 'ns3', name: 'api', port: 443 }), 'MissingEndpoints', 'endpointslices for service/api in "ns3" have no addresses with port name ""');
  await slice('api-2', 'api', [{ addresses: ['127.0.0.1'], conditions: { ready: true } }, { addresses: ['127.0.0.4'] }], [{ name: '', port: 7443 }, { name: 'x', port: 1 }]);
  assert.deepEqual(await resolveBackends(store, { namespace: 'ns3', name: 'api', port: 443 }), [{ host: '127.0.0.1', port: 7443 }, { host: '127.0.0.4', port: 7443 }]);
});

test('BackendResolver remembers a resolution until the next write to the store, and never a failure', async () => {
  const resolver = new BackendResolver(store);
  const ref = { namespace: 'ns-memo', name: 'api', port: 443 };
  await assert.rejects(resolver.resolve(ref), /service\/api in "ns-memo" is not present/);
  assert.equal(resolver.cached(ref), undefined, 'a failure is not remembered');
  await service('ns-memo', 'api', { ports: [{ name: 'https', port: 443 }] });
  const endpointsKey = '/registry/core/endpoints/ns-memo/api';
  const endpoints = (ip: string): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'ns-memo' },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port: 8443 }] }],
  });
  await put(endpointsKey, endpoints('10.0.0.1'));
  assert.equal(resolver.cached(ref), undefined, 'nothing resolved yet');
  assert.deepEqual(await resolver.resolve(ref), [{ host: '10.0.0.1', port: 8443 }]);
  assert.deepEqual(resolver.cached(ref), [{ host: '10.0.0.1', port: 8443 }], 'remembered');
  assert.deepEqual(resolver.cached({ ...ref, port: 80 }), undefined, 'per port');
  const current = (await store.get(endpointsKey))!;
  await store.update(endpointsKey, endpoints('10.0.0.2') as unknown as KubeObject, current.revision);
  assert.equal(resolver.cached(ref), undefined, 'a write makes it stale');
  assert.deepEqual(await resolver.resolve(ref), [{ host: '10.0.0.2', port: 8443 }]);
});
