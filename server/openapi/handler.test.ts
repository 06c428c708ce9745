import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIAggregator } from '../../aggregator/openapi-aggregator.js';
import { Registry } from '../registry/registry.js';
import { builtinResources } from '../registry/resources/index.js';
import {
  createOpenAPIHandler,
  oneYearLater,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_LEGACY,
  type OpenAPIHandler,
} from './handler.js';

const NOW = new Date('2026-11-21T03:40:05Z');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(server: Server, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let handler: OpenAPIHandler;
let server: Server;

before(async () => {
  handler = createOpenAPIHandler({ registry: new Registry(builtinResources), now: () => NOW });
  server = createServer(async (req, res) => {
    if (!(await handler.handle(req, res))) {
      res.statusCode = 418;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

after(() => {
  server.close();
});

test('nothing is built until asked; paths() never builds', async () => {
  const fresh = createOpenAPIHandler({ registry: new Registry(builtinResources) });
  assert.equal(fresh.paths().size, 0);
  let changes = 0;
  fresh.onChange(() => changes++);
  assert.equal(fresh.paths().size, 0);
  await fresh.warm();
  assert.equal(changes, 1);
  assert.ok(fresh.paths().has('apis/apps/v1'));
  await Promise.all([fresh.warm(), fresh.warm()]);
  assert.equal(changes, 1, 'built once');
});

test('the index lists every group version with the hash of its document', async () => {
  const res = await get(server, '/openapi/v3');
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-cache, private');
  const index = JSON.parse(res.body) as { paths: Record<string, { serverRelativeURL: string }> };
  const listed = await handler.v3Paths();
  assert.deepEqual(Object.keys(index.paths), listed.map((p) => p.path));
  for (const { path, url } of listed) {
    assert.equal(index.paths[path]!.serverRelativeURL, url);
    const doc = await get(server, url);
    assert.equal(doc.status, 200);
    assert.equal(doc.body, await handler.document(path));
    assert.equal(doc.headers['etag'], `"${new URL(url, 'http://x').searchParams.get('hash')}"`);
    assert.equal(handler.paths().get(path), new URL(url, 'http://x').searchParams.get('hash'));
  }
});

test('a hashed document is immutable for a year; an unhashed one is revalidated', async () => {
  const url = (await handler.v3Paths()).find((p) => p.path === 'apis/apps/v1')!.url;
  const hashed = await get(server, url);
  assert.equal(hashed.headers['cache-control'], 'public, immutable');
  assert.equal(hashed.headers['expires'], 'Sun, 21 Nov 2027 03:40:05 UTC');
  assert.equal(hashed.headers['expires'], oneYearLater(NOW));
  assert.equal(hashed.headers['content-type'], 'application/json');
  assert.equal(hashed.headers['vary'], 'Accept');
  assert.ok(hashed.headers['last-modified']);
  assert.equal(Number(hashed.headers['content-length']), Buffer.byteLength(hashed.body));
  const plain = await get(server, '/openapi/v3/apis/apps/v1');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['cache-control'], 'no-cache, private');
  assert.equal(plain.headers['expires'], undefined);
  assert.equal(plain.headers['etag'], hashed.headers['etag']);
  JSON.parse(plain.body);
});

test('If-None-Match with the ETag gets a 304 without a body', async () => {
  const first = await get(server, '/openapi/v3/api/v1');
  const etag = first.headers['etag']!;
  const again = await get(server, '/openapi/v3/api/v1', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal(again.headers['etag'], etag);
  const weak = await get(server, '/openapi/v3/api/v1', { 'If-None-Match': `"other", W/${etag}` });
  assert.equal(weak.status, 304);
  const other = await get(server, '/openapi/v3/api/v1', { 'If-None-Match': '"other"' });
  assert.equal(other.status, 200);
  const v2 = await get(server, '/openapi/v2');
  const v2again = await get(server, '/openapi/v2', { 'If-None-Match': v2.headers['etag']! });
  assert.equal(v2again.status, 304);
});

test('a stale hash is redirected to the current one', async () => {
  const res = await get(server, '/openapi/v3/apis/apps/v1?hash=0123');
  assert.equal(res.status, 301);
  assert.equal(res.headers['location'], (await handler.v3Paths()).find((p) => p.path === 'apis/apps/v1')!.url);
});

test('/openapi/v2 is JSON or, for what client-go asks, protobuf; anything else gets a 406 Status', async () => {
  const json = await get(server, '/openapi/v2', { Accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.equal(json.headers['content-type'], 'application/json');
  assert.equal(json.headers['cache-control'], 'no-cache, private');
  assert.match(json.headers['etag']!, /^"[0-9A-F]{128}"$/);
  assert.equal((JSON.parse(json.body) as { swagger: string }).swagger, '2.0');
  // What client-go's discovery client sends; answered with the spelling Go's mime parser accepts.
  const pb = await get(server, '/openapi/v2', { Accept: OPENAPI_V2_PROTOBUF });
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['content-type'], OPENAPI_V2_PROTOBUF_LEGACY);
  assert.match(pb.headers['etag']!, /^"[0-9A-F]{128}"$/);
  assert.notEqual(pb.headers['etag'], json.headers['etag']);
  assert.equal(Number(pb.headers['content-length']), (await handler.v2Protobuf()).length);
  const pb304 = await get(server, '/openapi/v2', { Accept: OPENAPI_V2_PROTOBUF, 'If-None-Match': pb.headers['etag']! });
  assert.equal(pb304.status, 304);
  const preferJson = await get(server, '/openapi/v2', { Accept: `${OPENAPI_V2_PROTOBUF};q=0.5, application/json` });
  assert.equal(preferJson.headers['content-type'], 'application/json');
  const any = await get(server, '/openapi/v2', { Accept: '*/*' });
  assert.equal(any.headers['content-type'], 'application/json');
  const html = await get(server, '/openapi/v2', { Accept: 'text/html' });
  assert.equal(html.status, 406);
  const status = JSON.parse(html.body) as { kind: string; reason: string; code: number };
  assert.deepEqual([status.kind, status.reason, status.code], ['Status', 'NotAcceptable', 406]);
  const v3pb = await get(server, '/openapi/v3/api/v1', { Accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' });
  assert.equal(v3pb.status, 406);
});

test('once built, requests are answered synchronously', async () => {
  await handler.warm();
  const answered = await new Promise<boolean | Promise<boolean>>((resolve) => {
    const probe = createServer((req, res) => resolve(handler.handle(req, res)));
    probe.listen(0, '127.0.0.1', () => {
      void get(probe, '/openapi/v3/apis/apps/v1').finally(() => probe.close());
    });
  });
  assert.equal(answered, true);
});

test('HEAD has the headers without the body; other methods and paths are refused', async () => {
  const head = await get(server, '/openapi/v3/api/v1', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.ok(Number(head.headers['content-length']) > 1000);
  const post = await get(server, '/openapi/v3/api/v1', {}, 'POST');
  assert.equal(post.status, 405);
  const missing = await get(server, '/openapi/v3/apis/nope.example.com/v1');
  assert.equal(missing.status, 404);
  assert.equal((JSON.parse(missing.body) as { reason: string }).reason, 'NotFound');
  const elsewhere = await get(server, '/api/v1');
  assert.equal(elsewhere.status, 418, 'not ours');
});

test('behind the aggregator: handleV2 serves v2, builds on the first /openapi/v3 request, and the index merges', async () => {
  const local = createOpenAPIHandler({ registry: new Registry(builtinResources), now: () => NOW });
  const aggregator = new OpenAPIAggregator({
    registry: { remote: () => [], onChange: () => () => undefined },
    fetcher: { get: () => Promise.reject(new Error('no backends here')) },
    local,
    now: () => NOW,
  }).start();
  const chain = createServer(async (req, res) => {
    if (await local.handleV2(req, res)) return;
    if (await aggregator.handle(req, res)) return;
    res.statusCode = 418;
    res.end();
  });
  await new Promise<void>((r) => chain.listen(0, '127.0.0.1', r));
  try {
    assert.equal(aggregator.paths().size, 0, 'nothing built at start');
    const index = await get(chain, '/openapi/v3');
    const paths = (JSON.parse(index.body) as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    assert.deepEqual(Object.keys(paths), (await local.v3Paths()).map((p) => p.path));
    const url = paths['apis/apps/v1']!.serverRelativeURL;
    const doc = await get(chain, url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    assert.equal(doc.body, await local.document('apis/apps/v1'));
    const v2 = await get(chain, '/openapi/v2');
    assert.equal(v2.status, 200);
    assert.equal(v2.body, await local.document('v2'));
  } finally {
    aggregator.stop();
    chain.close();
  }
});
