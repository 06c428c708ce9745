import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REFERENCE_DIR } from '../e2e/reference.js';
import { OpenAPIAggregator, type OpenAPIAggregatorOptions, type OpenAPIV3LocalSource } from './openapi-aggregator.js';
import { expiresOneYearAfter, hashOf } from './openapi-index.js';
import {
  hungHandler,
  MemoryAPIServices,
  referenceJson,
  sendJson,
  startBackend,
  testTls,
  TestFetcher,
  waitFor,
  type TestBackend,
  type TestTls,
} from './discovery-testkit.test.js';

const WARDLE = 'wardle.example.com';
const NOW = new Date('2026-11-21T03:40:05Z');

/** The wardle entries of a real cluster's /openapi/v3 index. */
function realWardlePaths(): Record<string, { serverRelativeURL: string }> {
  const index = referenceJson('openapi-v3-index.json');
  return Object.fromEntries(Object.entries(index.paths).filter(([k]) => k.includes(WARDLE))) as Record<string, { serverRelativeURL: string }>;
}

/** Headers of a captured response, lowercased, the first value of each. */
function referenceHeaders(name: string): { status: number; headers: Record<string, string> } {
  const lines = readFileSync(join(REFERENCE_DIR, name), 'utf8').split(/\r?\n/).filter(Boolean);
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).trim().toLowerCase();
    headers[k] ??= line.slice(i + 1).trim();
  }
  return { status, headers };
}

/**
 * A backend serving OpenAPI v3 like kube-openapi's handler3: an index (with an ETag), documents with their
 * hash as ETag, 301 to the current hash for a stale one, 304 for a matching If-None-Match. The hashes are
 * those of the real wardle server, plus paths no APIService claims here.
 */
function openapiBackend(opts: { indexRequests?: { count: number; notModified: number } } = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const hashes = new Map<string, string>();
  for (const [k, v] of Object.entries(realWardlePaths())) hashes.set(k, hashOf(v.serverRelativeURL));
  hashes.set('version', 'VERSIONHASH');
  hashes.set('apis/other.example.com/v1', 'OTHERHASH');
  return (req, res) => {
    const [path, query = ''] = (req.url ?? '').split('?');
    if (path === '/openapi/v3') {
      if (opts.indexRequests) opts.indexRequests.count++;
      if (req.headers['if-none-match'] === '"IDX"') {
        if (opts.indexRequests) opts.indexRequests.notModified++;
        res.writeHead(304, { ETag: '"IDX"' });
        res.end();
        return;
      }
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [k, h] of hashes) paths[k] = { serverRelativeURL: `/openapi/v3/${k}?hash=${h}` };
      sendJson(res, 200, { paths }, { ETag: '"IDX"' });
      return;
    }
    const key = path!.slice('/openapi/v3/'.length);
    const hash = hashes.get(key);
    if (!path!.startsWith('/openapi/v3/') || hash === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    const asked = new URLSearchParams(query).get('hash');
    if (asked && asked !== hash) {
      res.writeHead(301, { Location: `/openapi/v3/${key}?hash=${hash}`, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<a href="/openapi/v3/${key}?hash=${hash}">Moved Permanently</a>.\n`);
      return;
    }
    if (req.headers['if-none-match'] === `"${hash}"`) {
      res.writeHead(304, { ETag: `"${hash}"` });
      res.end();
      return;
    }
    const headers: Record<string, string> = { ETag: `"${hash}"`, 'Last-Modified': 'Sat, 21 Nov 2026 03:39:50 GMT' };
    if (asked) Object.assign(headers, { 'Cache-Control': 'public, immutable', Expires: 'whatever the backend says' });
    if ((req.headers.accept ?? '').includes('protobuf')) {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' });
      res.end(Buffer.from([0, 1, 2, 255]));
      return;
    }
    sendJson(res, 200, { openapi: '3.0.0', info: { title: 'Kubernetes', version: key }, paths: {} }, headers);
  };
}

let tls: TestTls;
before(async () => {
  tls = await testTls();
});
after(() => tls.cleanup());

interface Kage {
  agg: OpenAPIAggregator;
  reg: MemoryAPIServices;
  get(path: string, headers?: Record<string, string>, method?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
}

async function kage(t: { after(fn: () => unknown): void }, opts: Partial<OpenAPIAggregatorOptions> = {}, reg = new MemoryAPIServices()): Promise<Kage> {
  const agg = new OpenAPIAggregator({ registry: reg, fetcher: new TestFetcher(tls.ca), indexTimeoutMs: 2000, now: () => NOW, ...opts }).start();
  const server: Server = createServer((req, res) => {
    void Promise.resolve(agg.handle(req, res)).then((handled) => {
      if (!handled) {
        res.statusCode = 418;
        res.end('not mine');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  t.after(async () => {
    agg.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    agg,
    reg,
    get(path, headers = {}, method = 'GET') {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers, method, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    },
  };
}

function wardleServices(reg: MemoryAPIServices, port: number, available: 'True' | 'False' = 'True'): void {
  reg.add({ group: WARDLE, version: 'v1alpha1', port, available });
  reg.add({ group: WARDLE, version: 'v1beta1', port, available });
}

async function wardleBackend(t: { after(fn: () => unknown): void }, handler = openapiBackend()): Promise<TestBackend> {
  const backend = await startBackend(tls, handler);
  t.after(() => backend.close());
  return backend;
}

test('the index lists the claimed group versions (and group) of available backends, pointing at kage, as a real cluster does', { timeout: 20_000 }, async (t) => {
  const backend = await wardleBackend(t);
  const k = await kage(t);
  const empty = await k.get('/openapi/v3');
  assert.equal(empty.status, 200);
  assert.deepEqual(JSON.parse(empty.body.toString()), { paths: {} });

  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  const r = await k.get('/openapi/v3');
  assert.equal(r.status, 200);
  const real = referenceHeaders('openapi-v3-index.headers');
  assert.equal(r.headers['content-type'], real.headers['content-type']);
  assert.equal(r.headers['cache-control'], real.headers['cache-control']);
  assert.ok(r.headers['last-modified']);
  // Exactly the wardle entries of the real index: "version" and the unclaimed group are left out.
  assert.equal(r.body.toString(), JSON.stringify({ paths: realWardlePaths() }));
  assert.equal(Number(r.headers['content-length']), r.body.length);
  assert.equal((await k.get('/openapi/v3', {}, 'HEAD')).body.length, 0);
});

test('a document with the current hash: proxied with its ETag and type, cached immutably for a year', { timeout: 20_000 }, async (t) => {
  const backend = await wardleBackend(t);
  const k = await kage(t);
  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  const url = realWardlePaths()[`apis/${WARDLE}/v1alpha1`]!.serverRelativeURL;
  const r = await k.get(url, { Accept: 'application/json' });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body.toString()).info, { title: 'Kubernetes', version: `apis/${WARDLE}/v1alpha1` });
  const real = referenceHeaders('openapi-v3-wardle-v1alpha1.headers').headers;
  for (const h of ['etag', 'content-type', 'vary', 'last-modified']) assert.equal(r.headers[h], real[h], h);
  assert.equal(r.headers['cache-control'], 'public, immutable');
  assert.equal(r.headers['expires'], 'Sun, 21 Nov 2027 03:40:05 UTC');
  assert.equal(r.headers['expires'], real['expires'], 'the same clock gives the same Expires as the real one');
  assert.equal(Number(r.headers['content-length']), r.body.length);
  // The backend was asked for the same path and query, with the client's Accept.
  const seen = backend.requests.at(-1)!;
  assert.equal(seen.path, url);
  assert.equal(seen.headers.accept, 'application/json');

  // Without a hash: not cacheable.
  const plain = await k.get(`/openapi/v3/apis/${WARDLE}/v1alpha1`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['cache-control'], 'no-cache, private');
  assert.equal(plain.headers['expires'], undefined);
  assert.equal(plain.headers['etag'], real['etag']);

  // If-None-Match: 304 from the backend, passed on.
  const again = await k.get(url, { 'If-None-Match': String(real['etag']) });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers['etag'], real['etag']);
  assert.equal(again.headers['cache-control'], 'public, immutable');

  // Another representation (protobuf) comes through untouched.
  const pb = await k.get(url, { Accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' });
  assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf');
  assert.deepEqual([...pb.body], [0, 1, 2, 255]);
});

test('a stale hash gets the backend\'s redirect to the current one', { timeout: 20_000 }, async (t) => {
  const backend = await wardleBackend(t);
  const k = await kage(t);
  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  const r = await k.get(`/openapi/v3/apis/${WARDLE}/v1beta1?hash=OLD`);
  assert.equal(r.status, 301);
  assert.equal(r.headers['location'], realWardlePaths()[`apis/${WARDLE}/v1beta1`]!.serverRelativeURL);
  assert.equal(r.headers['cache-control'], 'no-cache, private');
});

test('unknown paths, /openapi/v2 and other methods: Status errors; other paths are not ours', { timeout: 20_000 }, async (t) => {
  const backend = await wardleBackend(t);
  const k = await kage(t);
  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  for (const path of ['/openapi/v3/apis/nothere.example.com/v1', '/openapi/v3/version', '/openapi/v3/apis/other.example.com/v1', '/openapi/v3/', '/openapi/v2', '/openapi/v2?timeout=32s']) {
    const r = await k.get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
    });
  }
  const post = await k.get(`/openapi/v3/apis/${WARDLE}/v1alpha1`, {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(JSON.parse(post.body.toString()).reason, 'MethodNotAllowed');
  assert.equal((await k.get('/openapi/v3x')).status, 418);
  assert.equal((await k.get('/apis')).status, 418);
  assert.equal(backend.requests.filter((r) => r.path !== '/openapi/v3').length, 0, 'nothing was proxied');
});

test('index ETag: refreshes send If-None-Match; a 304 keeps the index', { timeout: 20_000 }, async (t) => {
  const indexRequests = { count: 0, notModified: 0 };
  const backend = await wardleBackend(t, openapiBackend({ indexRequests }));
  const k = await kage(t);
  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  const first = (await k.get('/openapi/v3')).body.toString();
  const before = { ...indexRequests };
  k.agg.refreshAll();
  await k.agg.settled();
  assert.equal(indexRequests.count, before.count + 1);
  assert.equal(indexRequests.notModified, before.notModified + 1);
  assert.equal(backend.requests.at(-1)!.headers['if-none-match'], '"IDX"');
  assert.equal((await k.get('/openapi/v3')).body.toString(), first);
});

test('unavailable, hung or deleted backends: left out of the index, which never waits', { timeout: 20_000 }, async (t) => {
  const timeoutMs = 400;
  const good = await wardleBackend(t);
  const hung = await wardleBackend(t, hungHandler());
  const k = await kage(t, { indexTimeoutMs: timeoutMs, documentTimeoutMs: timeoutMs });
  wardleServices(k.reg, good.port);
  k.reg.add({ group: 'hung.example.com', version: 'v1', port: hung.port });
  const started = Date.now();
  const r = await k.get('/openapi/v3');
  assert.ok(Date.now() - started < 100, 'answered from memory');
  assert.equal(r.status, 200);
  await k.agg.settled();
  assert.ok(Date.now() - started < timeoutMs + 1000);
  assert.deepEqual(Object.keys(JSON.parse((await k.get('/openapi/v3')).body.toString()).paths), Object.keys(realWardlePaths()));

  // A backend that hangs after its index was fetched: its documents time out as a 503.
  good.setHandler(hungHandler());
  const t0 = Date.now();
  const doc = await k.get(`/openapi/v3/apis/${WARDLE}/v1alpha1`);
  assert.equal(doc.status, 503);
  assert.equal(JSON.parse(doc.body.toString()).reason, 'ServiceUnavailable');
  assert.ok(Date.now() - t0 < timeoutMs + 1000);
  good.setHandler(openapiBackend());

  // Available False: gone from the index, its documents 404.
  wardleServices(k.reg, good.port, 'False');
  assert.deepEqual(JSON.parse((await k.get('/openapi/v3')).body.toString()), { paths: {} });
  assert.equal((await k.get(`/openapi/v3/apis/${WARDLE}/v1alpha1`)).status, 404);
  wardleServices(k.reg, good.port, 'True');
  await waitFor(() => k.agg.paths().size === 3, 5000, 'listed again');

  // Deleted: gone.
  k.reg.delete(`v1alpha1.${WARDLE}`);
  assert.deepEqual([...k.agg.paths().keys()].sort(), [`apis/${WARDLE}`, `apis/${WARDLE}/v1beta1`]);
  k.reg.delete(`v1beta1.${WARDLE}`);
  assert.equal(k.agg.paths().size, 0);
});

test('local documents (kage\'s own, later) are listed and served beside the backends\'; an APIService takes a path over', { timeout: 20_000 }, async (t) => {
  const backend = await wardleBackend(t);
  const served: string[] = [];
  let listener: (() => void) | undefined;
  const paths = new Map([['api/v1', 'CORE'], ['version', 'V'], [`apis/${WARDLE}/v1alpha1`, 'LOCAL-WARDLE']]);
  const local: OpenAPIV3LocalSource = {
    paths: () => paths,
    serve(req, res, path) {
      served.push(`${req.url} ${path}`);
      sendJson(res, 200, { local: path });
    },
    onChange(l) {
      listener = l;
      return () => (listener = undefined);
    },
  };
  const k = await kage(t, { local });
  const index = () => k.get('/openapi/v3').then((r) => JSON.parse(r.body.toString()).paths as Record<string, { serverRelativeURL: string }>);
  assert.deepEqual(await index(), {
    'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=CORE' },
    [`apis/${WARDLE}/v1alpha1`]: { serverRelativeURL: `/openapi/v3/apis/${WARDLE}/v1alpha1?hash=LOCAL-WARDLE` },
    version: { serverRelativeURL: '/openapi/v3/version?hash=V' },
  });
  const r = await k.get('/openapi/v3/api/v1?hash=CORE');
  assert.deepEqual(JSON.parse(r.body.toString()), { local: 'api/v1' });
  assert.deepEqual(served, ['/openapi/v3/api/v1?hash=CORE api/v1']);

  wardleServices(k.reg, backend.port);
  await k.agg.settled();
  const merged = await index();
  assert.equal(merged[`apis/${WARDLE}/v1alpha1`]!.serverRelativeURL, realWardlePaths()[`apis/${WARDLE}/v1alpha1`]!.serverRelativeURL);
  assert.ok(merged['api/v1'] && merged['version'] && merged[`apis/${WARDLE}/v1beta1`]);

  paths.set('apis/apps/v1', 'APPS');
  listener?.();
  assert.equal((await index())['apis/apps/v1']!.serverRelativeURL, '/openapi/v3/apis/apps/v1?hash=APPS');
});

test('expiresOneYearAfter writes Go\'s RFC1123 in UTC', () => {
  assert.equal(expiresOneYearAfter(new Date('2026-11-21T03:40:05Z')), 'Sun, 21 Nov 2027 03:40:05 UTC');
  assert.equal(expiresOneYearAfter(new Date('2024-02-29T00:00:09Z')), 'Sat, 01 Mar 2025 00:00:09 UTC');
});
