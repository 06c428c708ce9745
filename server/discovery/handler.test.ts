import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDiscoveryHandler, type DiscoveryHandler } from './handler.js';
import type { APIGroupDiscoveryList, DiscoveryGroup } from './types.js';
import { fixtureRegistry } from './fixtures.test.js';

const KUBECTL_132 =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

let extra: DiscoveryGroup[] = [];
let handler: DiscoveryHandler;
let server: Server;
let port: number;

before(async () => {
  handler = createDiscoveryHandler({ registry: fixtureRegistry(), serverAddress: () => `127.0.0.1:${port}`, extraGroups: () => extra });
  server = createServer((req, res) => {
    if (!handler.handle(req, res)) {
      res.statusCode = 404;
      res.setHeader('X-Not-Discovery', '1');
      res.end('not discovery');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const get = (path: string, headers: Record<string, string> = {}) => call('GET', path, headers);

test('GET /api: legacy APIVersions with the server address', async () => {
  const r = await get('/api');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['cache-control'], 'no-cache, private');
  assert.equal(r.headers['etag'], undefined);
  assert.equal(r.body, JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] }));
  assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
  assert.equal((await get('/api/')).body, r.body);
  assert.equal((await get('/api?timeout=32s')).body, r.body);
});

test("GET /api with kubectl's Accept: aggregated v2 with ETag, Vary and public caching", async () => {
  const r = await get('/api', { Accept: KUBECTL_132 });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], V2);
  assert.equal(r.headers['vary'], 'Accept');
  assert.equal(r.headers['cache-control'], 'public');
  assert.match(String(r.headers['etag']), /^"[0-9A-F]{128}"$/);
  const doc = JSON.parse(r.body) as APIGroupDiscoveryList;
  assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(doc.items.length, 1);
  assert.deepEqual(doc.items[0]?.metadata, { creationTimestamp: null });
  assert.deepEqual(doc.items[0]?.versions[0]?.resources?.map((x) => x.resource), ['configmaps', 'namespaces', 'pods']);
});

test('GET /apis aggregated, then 304 Not Modified for the same ETag', async () => {
  const r = await get('/apis', { Accept: KUBECTL_132 });
  assert.equal(r.status, 200);
  const doc = JSON.parse(r.body) as APIGroupDiscoveryList;
  assert.deepEqual(doc.items.map((i) => i.metadata.name), ['apiregistration.k8s.io', 'apps']);
  const etag = String(r.headers['etag']);

  const again = await get('/apis', { Accept: KUBECTL_132, 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal(again.headers['etag'], etag);
  assert.equal(again.headers['vary'], 'Accept');
  assert.equal(again.headers['cache-control'], 'public');

  const other = await get('/apis', { Accept: KUBECTL_132, 'If-None-Match': '"0000"' });
  assert.equal(other.status, 200);
  assert.equal(other.body, r.body);

  // /api and /apis have different documents, so different ETags.
  assert.notEqual((await get('/api', { Accept: V2 })).headers['etag'], etag);
});

test('v2beta1: its own Content-Type and apiVersion, the same ETag', async () => {
  const v2 = await get('/apis', { Accept: V2 });
  const r = await get('/apis', { Accept: V2BETA1 });
  assert.equal(r.headers['content-type'], V2BETA1);
  assert.equal((JSON.parse(r.body) as APIGroupDiscoveryList).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.equal(r.headers['etag'], v2.headers['etag']);
});

test('GET /apis legacy: APIGroupList in discovery order', async () => {
  const r = await get('/apis/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['cache-control'], 'no-cache, private');
  const list = JSON.parse(r.body) as { kind: string; apiVersion: string; groups: { name: string; preferredVersion: unknown }[] };
  assert.equal(list.kind, 'APIGroupList');
  assert.equal(list.apiVersion, 'v1');
  assert.deepEqual(list.groups.map((g) => g.name), ['apiregistration.k8s.io', 'apps']);
});

test('GET /apis/<group> and /apis/<group>/<version>, /api/v1', async () => {
  const group = JSON.parse((await get('/apis/apps')).body);
  assert.deepEqual(group, {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'apps',
    versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
  });
  assert.deepEqual(JSON.parse((await get('/apis/apps/')).body), group);

  const apps = JSON.parse((await get('/apis/apps/v1')).body);
  assert.equal(apps.apiVersion, 'v1');
  assert.deepEqual(apps.resources.map((r: { name: string }) => r.name), ['deployments', 'deployments/scale', 'deployments/status']);

  const core = await get('/api/v1', { Accept: KUBECTL_132 });
  assert.equal(core.headers['content-type'], 'application/json');
  const list = JSON.parse(core.body);
  assert.deepEqual(Object.keys(list), ['kind', 'groupVersion', 'resources']);
});

test('paths that are not discovery, or unknown groups and versions, are left alone', async () => {
  for (const path of ['/healthz', '/apis/batch', '/apis/apps/v2', '/apis/batch/v1', '/api/v2', '/apis//v1', '/apis/apps/v1/deployments', '/apisx', '/']) {
    const r = await get(path);
    assert.equal(r.headers['x-not-discovery'], '1', path);
  }
  // Methods do not matter for paths that are not ours.
  assert.equal((await call('POST', '/apis/batch/v1')).headers['x-not-discovery'], '1');
});

test('other methods get 405 MethodNotAllowed', async () => {
  for (const [method, path] of [['POST', '/apis'], ['PUT', '/api/v1'], ['DELETE', '/apis/apps'], ['PATCH', '/apis/apps/v1'], ['POST', '/api']]) {
    const r = await call(method!, path!);
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(
      r.body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405}',
    );
  }
});

test('HEAD: the headers of a GET, no body', async () => {
  const g = await get('/apis', { Accept: V2 });
  const h = await call('HEAD', '/apis', { Accept: V2 });
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.equal(h.headers['etag'], g.headers['etag']);
  assert.equal(h.headers['content-length'], String(Buffer.byteLength(g.body)));
});

test('protobuf-only Accept: 406 NotAcceptable; with */* it is JSON', async () => {
  const r = await get('/apis', { Accept: 'application/vnd.kubernetes.protobuf' });
  assert.equal(r.status, 406);
  assert.deepEqual(JSON.parse(r.body), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'only the following media types are accepted: application/json',
    reason: 'NotAcceptable',
    code: 406,
  });
  assert.equal((await get('/apis/apps/v1', { Accept: 'application/vnd.kubernetes.protobuf' })).status, 406);
  const ok = await get('/apis', { Accept: 'application/vnd.kubernetes.protobuf, */*' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'application/json');
});

test('pretty output for ?pretty=true and for curl', async () => {
  const compact = (await get('/apis/apps')).body;
  const pretty = (await get('/apis/apps?pretty=true')).body;
  assert.equal(pretty, JSON.stringify(JSON.parse(compact), null, 2));
  assert.equal((await get('/apis/apps', { 'User-Agent': 'curl/8.5.0' })).body, pretty);
  assert.equal((await get('/apis/apps?pretty=false', { 'User-Agent': 'curl/8.5.0' })).body, compact);
  // The ETag is the document's, however it is printed.
  const a = await get('/apis', { Accept: V2 });
  const b = await get('/apis?pretty=1', { Accept: V2 });
  assert.notEqual(a.body, b.body);
  assert.equal(a.headers['etag'], b.headers['etag']);
});

test('extra groups are merged in after invalidate(), and their versions left to their server', async () => {
  const before = await get('/apis', { Accept: V2 });
  extra = [
    {
      name: 'wardle.example.com',
      versions: [
        { version: 'v1alpha1', resources: [], freshness: 'Current' },
        {
          version: 'v1beta1',
          freshness: 'Current',
          resources: [{ resource: 'flunders', responseKind: { group: '', version: '', kind: 'Flunder' }, scope: 'Namespaced', singularResource: 'flunder', verbs: ['get', 'list'] }],
        },
      ],
    },
    // An aggregated server taking over a built-in group version.
    { name: 'apps', versions: [{ version: 'v1', resources: [], freshness: 'Stale' }] },
  ];
  try {
    // Cached until invalidated.
    assert.equal((await get('/apis', { Accept: V2 })).headers['etag'], before.headers['etag']);
    handler.invalidate();
    const r = await get('/apis', { Accept: V2 });
    assert.notEqual(r.headers['etag'], before.headers['etag']);
    const doc = JSON.parse(r.body) as APIGroupDiscoveryList;
    assert.deepEqual(
      doc.items.map((i) => [i.metadata.name, i.versions.map((v) => `${v.version} ${v.freshness}`)]),
      [
        ['apiregistration.k8s.io', ['v1 Current']],
        ['apps', ['v1 Stale']],
        ['wardle.example.com', ['v1beta1 Current', 'v1alpha1 Current']],
      ],
    );
    const legacy = JSON.parse((await get('/apis')).body);
    assert.deepEqual(legacy.groups.map((g: { name: string }) => g.name), ['apiregistration.k8s.io', 'apps', 'wardle.example.com']);
    assert.deepEqual(JSON.parse((await get('/apis/wardle.example.com')).body).preferredVersion, { groupVersion: 'wardle.example.com/v1beta1', version: 'v1beta1' });
    assert.equal((await get('/apis/wardle.example.com/v1beta1')).headers['x-not-discovery'], '1');
    assert.equal((await get('/apis/apps/v1')).headers['x-not-discovery'], '1');
  } finally {
    extra = [];
    handler.invalidate();
  }
  assert.equal((await get('/apis', { Accept: V2 })).headers['etag'], before.headers['etag']);
});
