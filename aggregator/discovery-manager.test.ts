import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { aggregatedDiscovery } from '../server/discovery/aggregated.js';
import { openLevelStore } from '../storage/leveldb-store.js';
import { APISERVICE_PREFIX, APIServiceRegistry } from './apiservice-registry.js';
import { DiscoveryManager } from './discovery-manager.js';
import {
  apiServiceObject,
  discoveryHandler,
  hungHandler,
  MemoryAPIServices,
  referenceJson,
  sendJson,
  slowestCall,
  startBackend,
  testTls,
  TestFetcher,
  waitFor,
  wardleAggregatedItem,
  type TestTls,
} from './discovery-testkit.test.js';

const WARDLE = 'wardle.example.com';
/** groups() must answer from memory: far below this, whatever the backends do. */
const FAST_MS = 5;

let tls: TestTls;
before(async () => {
  tls = await testTls();
});
after(() => tls.cleanup());

function unavailableWardleItem(): any {
  return referenceJson('unavailable-aggregated-discovery-apis.json').items.find((i: any) => i.metadata.name === WARDLE);
}

const unclaimedItem = {
  metadata: { name: 'unclaimed.example.com', creationTimestamp: null },
  versions: [{ version: 'v1', resources: [{ resource: 'things', responseKind: { group: '', version: '', kind: 'Thing' }, scope: 'Cluster', singularResource: 'thing', verbs: ['get'] }], freshness: 'Current' }],
};

function wardleServices(reg: MemoryAPIServices, port: number, extra: { available?: 'True' | 'False' } = {}): void {
  reg.add({ group: WARDLE, version: 'v1alpha1', port, ...extra });
  reg.add({ group: WARDLE, version: 'v1beta1', port, ...extra });
}

function manager(reg: MemoryAPIServices, timeoutMs = 2000, more: Partial<ConstructorParameters<typeof DiscoveryManager>[0]> = {}): DiscoveryManager {
  return new DiscoveryManager({ registry: reg, fetcher: new TestFetcher(tls.ca), discoveryTimeoutMs: timeoutMs, ...more });
}

function wardleItemOf(m: DiscoveryManager): any {
  return JSON.parse(JSON.stringify(aggregatedDiscovery(m.groups()).items.find((i) => i.metadata.name === WARDLE)));
}

test('an aggregated backend: its claimed group versions are Current with its resources, exactly as a real cluster lists them', { timeout: 20_000 }, async (t) => {
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem(), unclaimedItem] }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();

  const groups = m.groups();
  assert.deepEqual(groups.map((g) => g.name), [WARDLE], 'only what APIServices claim');
  assert.deepEqual(groups[0]!.versions.map((v) => [v.version, v.freshness, v.groupPriorityMinimum, v.versionPriority]), [
    ['v1beta1', 'Current', 1000, 15],
    ['v1alpha1', 'Current', 1000, 15],
  ]);
  // Byte for byte (key order included) the item of aggregated-discovery-apis.json.
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));
  // Two APIServices, one backend: one request.
  assert.equal(backend.requests.filter((r) => r.path === '/apis').length, 1);
  const accept = backend.requests[0]!.headers.accept ?? '';
  assert.match(accept, /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList,/);
  assert.ok(accept.endsWith(',application/json'));
  assert.deepEqual(m.status().map((s) => [s.mode, s.ok, s.etag]), [['aggregated', true, '"ETAG1"']]);
});

test('ETag: a refresh sends If-None-Match, and a 304 keeps the cache without any change', { timeout: 20_000 }, async (t) => {
  const notModified = { count: 0 };
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()], etag: 'E1', notModified }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();
  const first = m.groups();
  let changes = 0;
  m.onChange(() => changes++);

  m.refreshAll();
  await m.settled();
  assert.equal(backend.requests.length, 2);
  assert.equal(backend.requests[0]!.headers['if-none-match'], undefined);
  assert.equal(backend.requests[1]!.headers['if-none-match'], '"E1"');
  assert.equal(notModified.count, 1);
  assert.equal(changes, 0);
  assert.equal(m.groups(), first, 'the very same cached answer');
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));

  // A new document (new ETag) is picked up on the next refresh and tells listeners.
  const item = wardleAggregatedItem();
  item.versions[0].resources = [];
  backend.setHandler(discoveryHandler({ items: [item], etag: 'E2' }));
  m.refreshAll();
  await m.settled();
  assert.equal(changes, 1);
  assert.equal(m.groups()[0]!.versions[0]!.resources.length, 0);
  assert.equal(m.status()[0]!.etag, '"E2"');
});

test('groups are ordered by the APIServices\' priorities', { timeout: 20_000 }, async (t) => {
  const res = (kind: string) => [{ resource: `${kind.toLowerCase()}s`, responseKind: { group: '', version: '', kind }, scope: 'Namespaced', singularResource: kind.toLowerCase(), verbs: ['get', 'list'] }];
  const items = [
    { metadata: { name: 'a.example.com' }, versions: [{ version: 'v2', resources: res('A') }, { version: 'v1', resources: res('A') }] },
    { metadata: { name: 'b.example.com' }, versions: [{ version: 'v1', resources: res('B') }] },
    { metadata: { name: 'c.example.com' }, versions: [{ version: 'v1', resources: res('C') }] },
  ];
  const backend = await startBackend(tls, discoveryHandler({ items }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  reg.add({ group: 'a.example.com', version: 'v1', port: backend.port, groupPriorityMinimum: 1500, versionPriority: 20 });
  reg.add({ group: 'a.example.com', version: 'v2', port: backend.port, groupPriorityMinimum: 1500, versionPriority: 10 });
  reg.add({ group: 'b.example.com', version: 'v1', port: backend.port, groupPriorityMinimum: 2000 });
  reg.add({ group: 'c.example.com', version: 'v1', port: backend.port, groupPriorityMinimum: 100 });
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();
  assert.deepEqual(
    m.groups().map((g) => [g.name, g.versions.map((v) => v.version)]),
    [['b.example.com', ['v1']], ['a.example.com', ['v1', 'v2']], ['c.example.com', ['v1']]],
  );
  assert.ok(m.groups().every((g) => g.versions.every((v) => v.freshness === 'Current' && v.resources.length === 1)));

  // A priority change re-orders at once, without waiting for a backend.
  reg.add({ group: 'c.example.com', version: 'v1', port: backend.port, groupPriorityMinimum: 3000 });
  assert.equal(m.groups()[0]!.name, 'c.example.com');
});

test('a legacy-only backend: each group version\'s APIResourceList, converted to the aggregated shape', { timeout: 20_000 }, async (t) => {
  const v1beta1List = {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${WARDLE}/v1beta1`,
    resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], storageVersionHash: 'x' }],
  };
  const backend = await startBackend(tls, discoveryHandler({
    legacyOnly: true,
    legacyLists: {
      [`/apis/${WARDLE}/v1alpha1`]: referenceJson('apis-wardle.example.com-v1alpha1.json'),
      [`/apis/${WARDLE}/v1beta1`]: v1beta1List,
    },
  }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();
  // What the real cluster's aggregated document says for the same server.
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));
  assert.deepEqual(backend.requests.map((r) => r.path).sort(), ['/apis', `/apis/${WARDLE}/v1alpha1`, `/apis/${WARDLE}/v1beta1`]);
  assert.equal(backend.requests.find((r) => r.path !== '/apis')!.headers.accept, 'application/json');
  assert.equal(m.status()[0]!.mode, 'legacy');

  // A backend answering 406 to the aggregated Accept falls back the same way; one failing list is Stale alone.
  backend.setHandler((req, res) => {
    if (req.url === '/apis') return sendJson(res, 406, { kind: 'Status', code: 406 });
    if (req.url === `/apis/${WARDLE}/v1beta1`) return sendJson(res, 200, v1beta1List);
    return sendJson(res, 500, { kind: 'Status', code: 500 });
  });
  m.refreshAll();
  await m.settled();
  assert.deepEqual(m.groups()[0]!.versions.map((v) => [v.version, v.freshness, v.resources.length]), [
    ['v1beta1', 'Current', 1],
    ['v1alpha1', 'Stale', 2],
  ]);
});

test('a hung backend: Stale once the timeout passes, exactly like a real cluster\'s unavailable group; groups() never waits', { timeout: 20_000 }, async (t) => {
  const timeoutMs = 300;
  const backend = await startBackend(tls, hungHandler());
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  const m = manager(reg, timeoutMs).start();
  t.after(() => m.stop());
  const started = Date.now();
  wardleServices(reg, backend.port);
  // Listed (Stale) at once, before the backend said anything.
  assert.deepEqual(m.groups()[0]!.versions.map((v) => v.freshness), ['Stale', 'Stale']);
  assert.ok(slowestCall(() => m.groups()) < FAST_MS);
  await m.settled();
  const took = Date.now() - started;
  assert.ok(took >= timeoutMs - 20 && took < timeoutMs + 1000, `gave up after ${took}ms`);
  assert.ok(backend.requests.length >= 1);
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(unavailableWardleItem()));
  assert.equal(m.status()[0]!.ok, false);
  assert.match(m.status()[0]!.lastError ?? '', /timed out|no answer/);
});

test('a backend that was fine and hangs: Stale within the timeout, keeping its last good resources', { timeout: 20_000 }, async (t) => {
  const timeoutMs = 300;
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()] }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg, timeoutMs).start();
  t.after(() => m.stop());
  await m.settled();
  assert.equal(m.groups()[0]!.versions[0]!.freshness, 'Current');

  backend.setHandler(hungHandler());
  let changes = 0;
  m.onChange(() => changes++);
  const started = Date.now();
  m.refreshAll();
  let worst = 0;
  const took = await waitFor(() => {
    worst = Math.max(worst, slowestCall(() => m.groups(), 5));
    return m.groups()[0]!.versions.every((v) => v.freshness === 'Stale');
  }, timeoutMs + 2000, 'Stale');
  assert.ok(Date.now() - started < timeoutMs + 1000, `Stale after ${took}ms`);
  assert.ok(worst < FAST_MS, `groups() took ${worst}ms`);
  assert.equal(changes, 1);
  const item = wardleItemOf(m);
  const good = wardleAggregatedItem();
  assert.deepEqual(item.versions.map((v: any) => v.resources), good.versions.map((v: any) => v.resources));
  assert.deepEqual(item.versions.map((v: any) => v.freshness), ['Stale', 'Stale']);

  // Back to normal: Current again on the next refresh (failing backends are retried sooner).
  backend.setHandler(discoveryHandler({ items: [wardleAggregatedItem()] }));
  m.refreshAll();
  await waitFor(() => m.groups()[0]!.versions.every((v) => v.freshness === 'Current'), 5000, 'Current again');
});

test('garbage, wrong shapes and errors: Stale, never thrown', { timeout: 20_000 }, async (t) => {
  const answers: Array<[string, (req: IncomingMessage, res: ServerResponse) => void]> = [
    ['invalid JSON', (_q, res) => sendJson(res, 200, '{"kind": "APIGroupDiscoveryList", "items": [', { 'Content-Type': 'application/json' })],
    ['not JSON at all', (_q, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html>hello</html>'); }],
    ['a JSON array', (_q, res) => sendJson(res, 200, [1, 2, 3])],
    ['wrong kind', (_q, res) => sendJson(res, 200, { kind: 'Pod', apiVersion: 'v1' })],
    ['versions not a list', (_q, res) => sendJson(res, 200, { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', items: [{ metadata: { name: WARDLE }, versions: 'nope' }] })],
    ['bad scope', (_q, res) => sendJson(res, 200, { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', items: [{ metadata: { name: WARDLE }, versions: [{ version: 'v1alpha1', resources: [{ resource: 'x', scope: 'Galaxy', verbs: [] }] }] }] })],
    ['unknown apiVersion', (_q, res) => sendJson(res, 200, { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v9', items: [] })],
    ['500', (_q, res) => sendJson(res, 500, { kind: 'Status', code: 500 })],
    ['legacy list of another group version', (req, res) => req.url === '/apis'
      ? sendJson(res, 200, { kind: 'APIGroupList', groups: [] })
      : sendJson(res, 200, { kind: 'APIResourceList', groupVersion: 'other/v1', resources: [] })],
    ['connection cut', (_q, res) => res.socket?.destroy()],
    ['304 out of the blue', (_q, res) => { res.writeHead(304); res.end(); }],
  ];
  const reg = new MemoryAPIServices();
  const ports = new Map<number, string>();
  for (const [what, handler] of answers) {
    const backend = await startBackend(tls, handler);
    t.after(() => backend.close());
    ports.set(backend.port, what);
    reg.add({ group: `g${backend.port}.example.com`, version: 'v1alpha1', port: backend.port });
  }
  const m = manager(reg, 1000).start();
  t.after(() => m.stop());
  await m.settled();
  const groups = m.groups();
  assert.equal(groups.length, answers.length);
  for (const g of groups) {
    const what = ports.get(Number(g.name.slice(1, g.name.indexOf('.'))));
    assert.deepEqual(g.versions.map((v) => [v.freshness, v.resources.length]), [['Stale', 0]], String(what));
  }
  assert.ok(m.status().every((s) => !s.ok && s.lastError), JSON.stringify(m.status()));
});

test('a backend slower than the timeout is Stale; once it is fast again, Current', { timeout: 20_000 }, async (t) => {
  const timeoutMs = 300;
  let delay = timeoutMs + 400;
  const good = discoveryHandler({ items: [wardleAggregatedItem()] });
  const backend = await startBackend(tls, (req, res) => {
    const timer = setTimeout(() => good(req, res), delay);
    res.on('close', () => clearTimeout(timer));
  });
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg, timeoutMs).start();
  t.after(() => m.stop());
  const started = Date.now();
  await m.settled();
  assert.ok(Date.now() - started < timeoutMs + 1000);
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(unavailableWardleItem()));
  delay = 10;
  m.refreshAll();
  await m.settled();
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));
});

test('an APIService whose Available condition is False is Stale without resources, as on a real cluster', { timeout: 20_000 }, async (t) => {
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()] }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port, { available: 'True' });
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));

  wardleServices(reg, backend.port, { available: 'False' });
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(unavailableWardleItem()));
  // Available again: refetched and Current.
  const before = backend.requests.length;
  wardleServices(reg, backend.port, { available: 'True' });
  await m.settled();
  assert.ok(backend.requests.length > before);
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));
});

test('deleting APIServices removes their group versions, then the group and the backend', { timeout: 20_000 }, async (t) => {
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()] }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg).start();
  t.after(() => m.stop());
  await m.settled();
  let changes = 0;
  m.onChange(() => changes++);
  reg.delete(`v1alpha1.${WARDLE}`);
  assert.deepEqual(m.groups().map((g) => [g.name, g.versions.map((v) => v.version)]), [[WARDLE, ['v1beta1']]]);
  reg.delete(`v1beta1.${WARDLE}`);
  assert.deepEqual(m.groups(), []);
  assert.equal(changes, 2);
  assert.deepEqual(m.status(), []);
  await m.settled();
  assert.deepEqual(m.groups(), []);
});

test('50 APIServices, one of them on a hung backend: the others are Current without waiting for it, groups() stays fast', { timeout: 30_000 }, async (t) => {
  const timeoutMs = 3000;
  const items = Array.from({ length: 49 }, (_, i) => ({
    metadata: { name: `g${i}.example.com` },
    versions: [{ version: 'v1', resources: [{ resource: 'things', responseKind: { group: '', version: '', kind: 'Thing' }, scope: 'Namespaced', singularResource: 'thing', verbs: ['get', 'list'] }] }],
  }));
  const healthy = await startBackend(tls, discoveryHandler({ items }));
  const hung = await startBackend(tls, hungHandler());
  t.after(() => Promise.all([healthy.close(), hung.close()]));
  const reg = new MemoryAPIServices();
  const m = manager(reg, timeoutMs).start();
  t.after(() => m.stop());
  const started = Date.now();
  // 49 backends (one per service) on the healthy server, one on the hung one.
  for (let i = 0; i < 49; i++) reg.add({ group: `g${i}.example.com`, version: 'v1', port: healthy.port, serviceName: `svc-${i}`, groupPriorityMinimum: 1000 + i });
  reg.add({ group: 'hung.example.com', version: 'v1', port: hung.port, serviceName: 'hung', groupPriorityMinimum: 5000 });
  assert.equal(m.groups().length, 50);
  let worst = 0;
  await waitFor(() => {
    worst = Math.max(worst, slowestCall(() => m.groups(), 5));
    return m.groups().filter((g) => g.versions[0]!.freshness === 'Current').length === 49;
  }, timeoutMs + 5000, '49 Current');
  const allCurrentAfter = Date.now() - started;
  // The hung backend's refresh is still waiting for its timeout: nobody waited for it.
  const hungStatus = m.status().find((s) => s.backend.includes('/hung:'))!;
  assert.equal(hungStatus.lastError, undefined, `the healthy ones took ${allCurrentAfter}ms`);
  assert.ok(allCurrentAfter < timeoutMs, `the healthy ones waited ${allCurrentAfter}ms`);
  assert.ok(worst < FAST_MS, `groups() took ${worst}ms`);
  assert.deepEqual(m.groups()[0]!.name, 'hung.example.com');
  assert.equal(m.groups()[0]!.versions[0]!.freshness, 'Stale');
  assert.deepEqual(m.groups().slice(1).map((g) => g.name), items.map((i) => i.metadata.name).reverse());
  await m.settled();
  assert.ok(Date.now() - started < timeoutMs + 2000);
  assert.equal(m.groups()[0]!.versions[0]!.freshness, 'Stale');
  assert.equal(healthy.requests.length, 49);
});

test('with the real APIServiceRegistry over LevelDB: created APIServices appear, deleted ones go', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kage-disco-store-'));
  const store = await openLevelStore(dir, { sync: false });
  const registry = await APIServiceRegistry.start(store);
  t.after(async () => {
    registry.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const backend = await startBackend(tls, discoveryHandler({ items: [wardleAggregatedItem()] }));
  t.after(() => backend.close());
  // One APIService exists before the manager starts, one is created after.
  await store.create(`${APISERVICE_PREFIX}v1alpha1.${WARDLE}`, apiServiceObject({ group: WARDLE, version: 'v1alpha1', port: backend.port }));
  const m = new DiscoveryManager({ registry, fetcher: new TestFetcher(tls.ca), discoveryTimeoutMs: 2000 }).start();
  t.after(() => m.stop());
  await store.create(`${APISERVICE_PREFIX}v1beta1.${WARDLE}`, apiServiceObject({ group: WARDLE, version: 'v1beta1', port: backend.port }));
  await waitFor(() => m.groups()[0]?.versions.length === 2 && m.groups()[0]!.versions.every((v) => v.freshness === 'Current'), 5000, 'both versions');
  await m.settled();
  assert.equal(JSON.stringify(wardleItemOf(m)), JSON.stringify(wardleAggregatedItem()));
  await store.delete(`${APISERVICE_PREFIX}v1alpha1.${WARDLE}`);
  await store.delete(`${APISERVICE_PREFIX}v1beta1.${WARDLE}`);
  await waitFor(() => m.groups().length === 0, 5000, 'the group to go');
});

test('periodic refresh, and retries with backoff while a backend fails', { timeout: 20_000 }, async (t) => {
  const backend = await startBackend(tls, (_req, res) => sendJson(res, 503, { kind: 'Status', code: 503 }));
  t.after(() => backend.close());
  const reg = new MemoryAPIServices();
  wardleServices(reg, backend.port);
  const m = manager(reg, 1000, { refreshIntervalMs: 400, retryMinMs: 50, retryMaxMs: 200 }).start();
  t.after(() => m.stop());
  // 50, 100, 200, 200, ... ms apart: several tries in a second.
  await waitFor(() => backend.requests.length >= 5, 3000, 'retries');
  assert.equal(m.groups()[0]!.versions[0]!.freshness, 'Stale');
  assert.ok(m.status()[0]!.failures >= 4);
  backend.setHandler(discoveryHandler({ items: [wardleAggregatedItem()] }));
  await waitFor(() => m.groups()[0]!.versions[0]!.freshness === 'Current', 3000, 'Current');
  const n = backend.requests.length;
  // Healthy: about every 400ms.
  await new Promise((r) => setTimeout(r, 1000));
  const more = backend.requests.length - n;
  assert.ok(more >= 1 && more <= 4, `${more} refreshes in 1s`);
  assert.equal(m.status()[0]!.failures, 0);
});
