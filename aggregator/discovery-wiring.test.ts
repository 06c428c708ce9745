import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from '../server/registry/registry.js';
import { builtinResources } from '../server/registry/resources/index.js';
import { DiscoveryManager } from './discovery-manager.js';
import { createAggregatedDiscoveryHandler, type AggregatedDiscoveryHandler } from './discovery-wiring.js';
import {
  discoveryHandler,
  MemoryAPIServices,
  referenceJson,
  startBackend,
  testTls,
  TestFetcher,
  wardleAggregatedItem,
  type TestBackend,
  type TestTls,
} from './discovery-testkit.test.js';

const WARDLE = 'wardle.example.com';
const KUBECTL_132 =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

let tls: TestTls;
let backend: TestBackend;
let reg: MemoryAPIServices;
let manager: DiscoveryManager;
let handler: AggregatedDiscoveryHandler;
let server: Server;
let port: number;

before(async () => {
  tls = await testTls();
  backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()] }));
  reg = new MemoryAPIServices();
  manager = new DiscoveryManager({ registry: reg, fetcher: new TestFetcher(tls.ca), discoveryTimeoutMs: 2000 }).start();
  handler = createAggregatedDiscoveryHandler({ registry: new Registry(builtinResources), serverAddress: () => `127.0.0.1:${port}` }, manager);
  server = createServer((req, res) => {
    if (!handler.handle(req, res)) {
      res.statusCode = 418;
      res.end('proxied');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  handler.disconnect();
  manager.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await backend.close();
  tls.cleanup();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wardleOf(list: { groups?: any[]; items?: any[] }): any {
  return (list.groups ?? list.items ?? []).find((g: any) => (g.name ?? g.metadata?.name) === WARDLE);
}

test('remote groups are listed in /apis (legacy and aggregated) and answered at /apis/<group>; their versions are left to the proxy', { timeout: 20_000 }, async () => {
  const emptyEtag = (await get('/apis', { Accept: KUBECTL_132 })).headers['etag'];
  assert.equal(wardleOf(JSON.parse((await get('/apis')).body)), undefined);

  reg.add({ group: WARDLE, version: 'v1alpha1', port: backend.port, available: 'True' });
  reg.add({ group: WARDLE, version: 'v1beta1', port: backend.port, available: 'True' });
  await manager.settled();

  const legacy = JSON.parse((await get('/apis')).body);
  assert.deepEqual(wardleOf(legacy), wardleOf(referenceJson('apis.json')));
  assert.equal(legacy.groups.at(-1).name, WARDLE, 'groupPriorityMinimum 1000 sorts after every built-in group');

  const aggregated = await get('/apis', { Accept: KUBECTL_132 });
  assert.notEqual(aggregated.headers['etag'], emptyEtag, 'the cached documents were dropped');
  assert.equal(JSON.stringify(wardleOf(JSON.parse(aggregated.body))), JSON.stringify(wardleAggregatedItem()));

  assert.deepEqual(JSON.parse((await get(`/apis/${WARDLE}`)).body), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: WARDLE,
    versions: [
      { groupVersion: `${WARDLE}/v1beta1`, version: 'v1beta1' },
      { groupVersion: `${WARDLE}/v1alpha1`, version: 'v1alpha1' },
    ],
    preferredVersion: { groupVersion: `${WARDLE}/v1beta1`, version: 'v1beta1' },
  });
  // /apis/<group>/<version> of a remote group is not discovery's to answer.
  assert.equal((await get(`/apis/${WARDLE}/v1alpha1`)).status, 418);
  assert.equal((await get(`/apis/${WARDLE}/v1beta1`)).status, 418);
});

test('the preferred version follows versionPriority; groupPriorityMinimum places the group among the built-in ones', { timeout: 20_000 }, async () => {
  reg.add({ group: WARDLE, version: 'v1alpha1', port: backend.port, available: 'True', versionPriority: 30 });
  const group = JSON.parse((await get(`/apis/${WARDLE}`)).body);
  assert.deepEqual(group.preferredVersion, { groupVersion: `${WARDLE}/v1alpha1`, version: 'v1alpha1' });
  assert.deepEqual(group.versions.map((v: any) => v.version), ['v1alpha1', 'v1beta1']);

  reg.add({ group: WARDLE, version: 'v1alpha1', port: backend.port, available: 'True', groupPriorityMinimum: 17900 });
  const names = JSON.parse((await get('/apis')).body).groups.map((g: any) => g.name);
  assert.ok(names.indexOf(WARDLE) >= 0 && names.indexOf(WARDLE) < names.indexOf('apps'), names.join(','));
  assert.ok(names.indexOf(WARDLE) > names.indexOf('apiregistration.k8s.io'));

  reg.add({ group: WARDLE, version: 'v1alpha1', port: backend.port, available: 'True' });
  await manager.settled();
});

test('an unavailable remote group stays listed: Stale in aggregated /apis, both versions in legacy /apis', { timeout: 20_000 }, async () => {
  const before = await get('/apis', { Accept: KUBECTL_132 });
  reg.add({ group: WARDLE, version: 'v1alpha1', port: backend.port, available: 'False' });
  reg.add({ group: WARDLE, version: 'v1beta1', port: backend.port, available: 'False' });
  const after = await get('/apis', { Accept: KUBECTL_132 });
  assert.notEqual(after.headers['etag'], before.headers['etag']);
  const unavailable = referenceJson('unavailable-aggregated-discovery-apis.json');
  assert.equal(JSON.stringify(wardleOf(JSON.parse(after.body))), JSON.stringify(wardleOf(unavailable)));
  assert.deepEqual(wardleOf(JSON.parse((await get('/apis')).body)), wardleOf(referenceJson('unavailable-apis.json')));

  // Gone when the APIServices go.
  reg.delete(`v1alpha1.${WARDLE}`);
  reg.delete(`v1beta1.${WARDLE}`);
  assert.equal(wardleOf(JSON.parse((await get('/apis')).body)), undefined);
  assert.equal((await get(`/apis/${WARDLE}`)).status, 418);
});
