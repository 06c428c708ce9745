// Real HTTPS requests to one kage process: Table output, aggregated discovery, watch with initial events and
// bookmarks, health and version — compared with captures from a real kube-apiserver 1.32 where there are some.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKage, uniqueName, within, type KageProcess } from './harness.js';
import { REFERENCE_DIR } from './reference.js';

function reference<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, name), 'utf8')) as T;
}

let kage: KageProcess;

before(async () => {
  // Short bookmark interval so the periodic BOOKMARK test does not wait a minute.
  kage = await startKage({ extraArgs: ['--watch-bookmark-interval', '300ms'] });
});

after(async () => {
  await kage?.stop();
});

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  const res = await kage.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  assert.equal(res.status, 201, res.body);
  return ns;
}

async function createCm(ns: string, name: string, data: Record<string, string> = {}): Promise<{ metadata: { resourceVersion: string } }> {
  const res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data },
  });
  assert.equal(res.status, 201, res.body);
  return res.json();
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Table {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion?: string };
  columnDefinitions: Array<{ name: string; type: string; format: string; description: string; priority: number }>;
  rows: Array<{ cells: unknown[]; object: { kind: string; apiVersion: string; metadata: { name: string; resourceVersion?: string } } }>;
}

test('Table output for namespaces matches the real server\'s columns', async () => {
  const res = await kage.request('GET', '/api/v1/namespaces', { headers: { Accept: TABLE_ACCEPT } });
  assert.equal(res.status, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const table = res.json() as Table;
  const ref = reference<Table>('namespaces-table.json');
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.match(table.metadata.resourceVersion ?? '', /^\d+$/);
  const shape = (cols: Table['columnDefinitions']): unknown => cols.map(({ name, type, format, priority }) => ({ name, type, format, priority }));
  assert.deepEqual(shape(table.columnDefinitions), shape(ref.columnDefinitions));
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Status', 'Age']);
  for (const c of table.columnDefinitions) assert.ok(c.description.length > 0, `column ${c.name} has a description`);
  const names = table.rows.map((r) => r.cells[0]);
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(ns), `row for ${ns}`);
  for (const row of table.rows) {
    assert.equal(row.cells.length, 3);
    assert.equal(row.cells[1], 'Active');
    assert.match(String(row.cells[2]), /^\d+(s|m|h|d)/);
    // includeObject defaults to Metadata: each row carries a PartialObjectMetadata.
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.equal(row.object.apiVersion, 'meta.k8s.io/v1');
    assert.equal(row.object.metadata.name, row.cells[0]);
    assert.equal((row.object as unknown as { spec?: unknown }).spec, undefined);
  }
  // includeObject=None drops the objects; a single object is a one-row table.
  const none = (await kage.request('GET', '/api/v1/namespaces?includeObject=None', { headers: { Accept: TABLE_ACCEPT } })).json() as Table;
  assert.ok(none.rows.every((r) => r.object === undefined || r.object === null), JSON.stringify(none.rows[0]));
  const one = (await kage.request('GET', '/api/v1/namespaces/default', { headers: { Accept: TABLE_ACCEPT } })).json() as Table;
  assert.equal(one.kind, 'Table');
  assert.deepEqual(one.rows.map((r) => r.cells[0]), ['default']);
});

test('Table output for configmaps has Name, Data, Age', async () => {
  const ns = await newNamespace('table');
  await createCm(ns, 'three', { a: '1', b: '2', c: '3' });
  const res = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps`, { headers: { Accept: `${TABLE_ACCEPT},application/json` } });
  assert.equal(res.status, 200, res.body);
  const table = res.json() as Table;
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
  const row = table.rows.find((r) => r.cells[0] === 'three');
  assert.ok(row, res.body);
  assert.equal(row.cells[1], 3);
});

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

test('aggregated discovery: exact Content-Type, ETag and 304 on If-None-Match', async () => {
  for (const path of ['/apis', '/api']) {
    const res = await kage.request('GET', path, { headers: { Accept: `${AGGREGATED},application/json` } });
    assert.equal(res.status, 200, res.body.slice(0, 500));
    assert.equal(res.headers['content-type'], AGGREGATED, path);
    const etag = res.headers['etag'];
    assert.match(String(etag), /^"[0-9A-F]+"$/, `${path} has a quoted ETag`);
    assert.equal(res.headers['vary'], 'Accept');
    assert.equal(res.headers['cache-control'], 'public');
    const doc = res.json() as { kind: string; apiVersion: string; items: Array<{ metadata: { name?: string }; versions: Array<{ version: string; freshness?: string; resources: Array<{ resource: string; scope: string; verbs: string[] }> }> }> };
    assert.equal(doc.kind, 'APIGroupDiscoveryList');
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
    if (path === '/apis') {
      const groups = doc.items.map((g) => g.metadata.name);
      for (const g of ['apiregistration.k8s.io', 'apps', 'events.k8s.io', 'coordination.k8s.io']) assert.ok(groups.includes(g), `/apis lists ${g}: ${groups.join(',')}`);
      const apps = doc.items.find((g) => g.metadata.name === 'apps')!;
      const deployments = apps.versions[0]!.resources.find((r) => r.resource === 'deployments');
      assert.equal(deployments?.scope, 'Namespaced');
      assert.equal(apps.versions[0]!.freshness, 'Current');
    } else {
      assert.equal(doc.items.length, 1);
      const resources = doc.items[0]!.versions[0]!.resources.map((r) => r.resource);
      for (const r of ['configmaps', 'namespaces', 'pods', 'services']) assert.ok(resources.includes(r), `/api lists ${r}`);
      assert.equal(doc.items[0]!.versions[0]!.resources.find((r) => r.resource === 'namespaces')?.scope, 'Cluster');
    }
    // Same document again → same ETag; If-None-Match with it → 304 with no body.
    const again = await kage.request('GET', path, { headers: { Accept: AGGREGATED } });
    assert.equal(again.headers['etag'], etag);
    const cached = await kage.request('GET', path, { headers: { Accept: AGGREGATED, 'If-None-Match': String(etag) } });
    assert.equal(cached.status, 304, cached.body);
    assert.equal(cached.body, '');
    assert.equal(cached.headers['etag'], etag);
    const stale = await kage.request('GET', path, { headers: { Accept: AGGREGATED, 'If-None-Match': '"0000"' } });
    assert.equal(stale.status, 200);
  }
  // v2beta1 is still served, with its own Content-Type.
  const beta = await kage.request('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
  assert.equal(beta.status, 200);
  assert.equal(beta.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  assert.equal((beta.json() as { apiVersion: string }).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  // Without the aggregated Accept, /apis is the legacy APIGroupList.
  const legacy = await kage.request('GET', '/apis');
  assert.equal(legacy.status, 200);
  assert.equal(legacy.headers['content-type'], 'application/json');
  assert.equal((legacy.json() as { kind: string }).kind, 'APIGroupList');
});

interface WatchEvent {
  type: string;
  object: { kind?: string; apiVersion?: string; code?: number; reason?: string; message?: string; metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

test('watch with sendInitialEvents: initial ADDEDs, then a BOOKMARK marking their end, then live events', async () => {
  const ns = await newNamespace('initial');
  const a = await createCm(ns, 'a');
  const b = await createCm(ns, 'b');
  const stream = await kage.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  try {
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^application\/json/);
    await stream.waitForLine((l) => l.includes('"BOOKMARK"'));
    const events = stream.lines.filter(Boolean).map((l) => JSON.parse(l) as WatchEvent);
    const mine = events.filter((e) => e.type !== 'ADDED' || e.object.metadata.name !== 'kube-root-ca.crt');
    assert.deepEqual(mine.map((e) => `${e.type} ${e.type === 'BOOKMARK' ? '' : e.object.metadata.name}`), ['ADDED a', 'ADDED b', 'BOOKMARK ']);
    const bookmark = mine[2]!;
    assert.equal(bookmark.object.kind, 'ConfigMap');
    assert.equal(bookmark.object.apiVersion, 'v1');
    assert.deepEqual(bookmark.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    const bookmarkRv = Number(bookmark.object.metadata.resourceVersion);
    assert.ok(bookmarkRv >= Number(b.metadata.resourceVersion) && bookmarkRv >= Number(a.metadata.resourceVersion), 'bookmark is at or after the initial objects');
    assert.equal(mine[0]!.object.kind, 'ConfigMap');

    const c = await createCm(ns, 'c');
    const line = await stream.waitForLine((l) => l.includes('"name":"c"'));
    const ev = JSON.parse(line) as WatchEvent;
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata.resourceVersion, c.metadata.resourceVersion);
    assert.ok(Number(c.metadata.resourceVersion) > bookmarkRv);
  } finally {
    stream.close();
  }
});

test('allowWatchBookmarks: periodic BOOKMARKs carry the current resourceVersion; without it none come', async () => {
  const ns = await newNamespace('bookmarks');
  const made = await createCm(ns, 'x');
  const rv = made.metadata.resourceVersion;
  const withBookmarks = await kage.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
  const without = await kage.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`);
  try {
    const line = await withBookmarks.waitForLine((l) => l.includes('"BOOKMARK"'), 5000);
    const ev = JSON.parse(line) as WatchEvent;
    assert.equal(ev.object.kind, 'ConfigMap');
    assert.ok(Number(ev.object.metadata.resourceVersion) >= Number(rv), 'a bookmark is never older than where the watch started');
    assert.equal(ev.object.metadata.annotations, undefined, 'periodic bookmarks are not the initial-events-end marker');
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(!without.lines.some((l) => l.includes('BOOKMARK')), 'no bookmarks unless asked for');
  } finally {
    withBookmarks.close();
    without.close();
  }
});

test('watch from a resourceVersion replays later changes, MODIFIED and DELETED included', async () => {
  const ns = await newNamespace('replay');
  const first = await createCm(ns, 'w', { v: '1' });
  const upd = await kage.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/w`, { body: '{"data":{"v":"2"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  assert.equal(upd.status, 200, upd.body);
  const del = await kage.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/w`);
  assert.equal(del.status, 200, del.body);
  const stream = await kage.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=2`);
  try {
    await stream.waitForLine((l) => l.includes('"DELETED"'));
    // kube-root-ca.crt may be published into the new namespace meanwhile, as on a real cluster: only "w" counts.
    const events = stream.lines.filter(Boolean).map((l) => JSON.parse(l) as WatchEvent).filter((e) => e.object.metadata.name === 'w');
    assert.deepEqual(events.map((e) => e.type), ['MODIFIED', 'DELETED']);
    assert.deepEqual((events[0]!.object as unknown as { data: unknown }).data, { v: '2' });
    // timeoutSeconds ends the stream by itself.
    await within(stream.ended, 5000, 'the watch ends after timeoutSeconds=2');
  } finally {
    stream.close();
  }
});

test('/healthz, /livez, /readyz?verbose and /version need no token', async () => {
  const healthz = await kage.request('GET', '/healthz', { token: null });
  assert.equal(healthz.status, 200);
  assert.equal(healthz.body, 'ok');
  const livez = await kage.request('GET', '/livez', { token: null });
  assert.equal(livez.status, 200);
  assert.equal(livez.body, 'ok');
  const readyz = await kage.request('GET', '/readyz?verbose', { token: null });
  assert.equal(readyz.status, 200);
  assert.match(String(readyz.headers['content-type']), /^text\/plain/);
  const lines = readyz.body.trim().split('\n');
  assert.equal(lines.at(-1), 'readyz check passed');
  assert.ok(lines.includes('[+]ping ok'), readyz.body);
  assert.ok(lines.includes('[+]etcd ok'), readyz.body);
  assert.ok(lines.slice(0, -1).every((l) => /^\[\+\][\w:/-]+ ok$/.test(l)), readyz.body);
  const single = await kage.request('GET', '/readyz/ping', { token: null });
  assert.equal(single.status, 200);
  assert.equal(single.body, 'ok');

  const version = await kage.request('GET', '/version', { token: null });
  assert.equal(version.status, 200);
  const v = version.json() as Record<string, string>;
  const ref = reference<Record<string, string>>('version.json');
  assert.deepEqual(Object.keys(v).sort(), Object.keys(ref).sort());
  assert.equal(v['major'], '1');
  assert.equal(v['minor'], '32');
  assert.match(v['gitVersion']!, /^v1\.32\./);
  assert.match(v['platform']!, /^\w+\/\w+$/);
  // Everything else still needs the token.
  const api = await kage.request('GET', '/api', { token: null });
  assert.equal(api.status, 401);
});

test('legacy discovery: /api, /apis/apps, /apis/apps/v1', async () => {
  const api = (await kage.request('GET', '/api')).json() as { kind: string; versions: string[]; serverAddressByClientCIDRs: Array<{ serverAddress: string }> };
  assert.equal(api.kind, 'APIVersions');
  assert.deepEqual(api.versions, ['v1']);
  assert.equal(api.serverAddressByClientCIDRs[0]?.serverAddress, `127.0.0.1:${kage.port}`);
  const group = (await kage.request('GET', '/apis/apps')).json() as { kind: string; name: string; preferredVersion: { groupVersion: string } };
  assert.equal(group.kind, 'APIGroup');
  assert.equal(group.preferredVersion.groupVersion, 'apps/v1');
  const list = (await kage.request('GET', '/apis/apps/v1')).json() as { kind: string; groupVersion: string; resources: Array<{ name: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[] }> };
  assert.equal(list.kind, 'APIResourceList');
  assert.equal(list.groupVersion, 'apps/v1');
  const names = list.resources.map((r) => r.name);
  for (const n of ['deployments', 'deployments/status', 'deployments/scale']) assert.ok(names.includes(n), `apps/v1 lists ${n}`);
  assert.deepEqual(list.resources.find((r) => r.name === 'deployments')?.shortNames, ['deploy']);
  const missing = await kage.request('GET', '/apis/nope.example.com/v1');
  assert.equal(missing.status, 404);
});
