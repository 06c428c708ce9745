// The aggregator's proxy against hostile or broken backends: every client gets a clear answer as kube-aggregator
// would give it (503 "error trying to reach service: …" before a response started, a cut connection after), never
// a hang or a crash, and kage keeps serving everything else. The misbehaving backends are raw TLS servers writing
// bytes themselves; they answer discovery (/apis/<group>/<version>, the availability probe) correctly so their
// APIServices become Available, and misbehave on everything else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import {
  createServingCert, createTestCa, kageRequest, registerBackend, resourceList, startBackend, waitForCondition,
  type CertAndKey, type TestBackend, type TestKage, startTestKage,
} from './aggregator-testkit.test.js';

let k: TestKage;
let serving: CertAndKey;
const closers: Array<() => Promise<void>> = [];

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

interface RawBackend {
  port: number;
  /** Proxied requests (not discovery) the backend received. */
  hits: RawRequest[];
  /** When set, connections are closed right after the TLS handshake (before any request is read): FIN or RST. */
  resetOnConnect: false | 'fin' | 'rst';
}

/**
 * A TLS server that answers GET /apis/<g>/<v> (discovery, the availability probe) properly and hands every other
 * request's socket to `misbehave`, which writes whatever it likes.
 */
async function rawBackend(misbehave: (socket: TLSSocket, req: RawRequest) => void): Promise<RawBackend> {
  const sockets = new Set<Socket>();
  const state: RawBackend = { port: 0, hits: [], resetOnConnect: false };
  const server: TlsServer = createTlsServer({ key: serving.keyPem, cert: serving.certPem }, (socket) => {
    socket.on('error', () => undefined);
    if (state.resetOnConnect === 'fin') {
      socket.destroy();
      return;
    }
    if (state.resetOnConnect === 'rst') {
      // RST on the TCP socket under the TLS one.
      const raw = rawSockets.get(socket.remotePort ?? 0);
      if (raw) raw.resetAndDestroy();
      else socket.destroy();
      return;
    }
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const [method = '', path = ''] = lines[0]!.split(' ');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const req = { method, path, headers };
      const m = /^\/apis\/([^/?]+)\/([^/?]+)\/?(\?.*)?$/.exec(path);
      if (method === 'GET' && m) {
        const body = JSON.stringify(resourceList(m[1]!, m[2]!));
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        socket.off('data', onData);
        return;
      }
      if (!path.includes('/things')) {
        // Discovery of the whole server (/apis, /openapi/v3) by kage's discovery manager: a proper 404.
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found');
        socket.off('data', onData);
        return;
      }
      socket.off('data', onData);
      state.hits.push(req);
      misbehave(socket, req);
    };
    socket.on('data', onData);
  });
  const rawSockets = new Map<number, Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    const port = s.remotePort ?? 0;
    rawSockets.set(port, s);
    s.on('error', () => undefined);
    s.on('close', () => { sockets.delete(s); rawSockets.delete(port); });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  }));
  return state;
}

/** Registers a raw backend for `group`/v1 and waits until its APIService is Available. */
async function register(group: string, b: RawBackend): Promise<void> {
  const name = await registerBackend(k, { group, version: 'v1', port: b.port, insecureSkipTLSVerify: true });
  await waitForCondition(k, name, 'True', 'Passed');
}

/** kage still answers: /healthz and a local list. */
async function assertKageAlive(): Promise<void> {
  const h = await kageRequest(k, 'GET', '/healthz', { timeoutMs: 3000 });
  assert.equal(h.status, 200);
  assert.equal(h.body, 'ok');
  const cms = await kageRequest(k, 'GET', '/api/v1/namespaces/default/configmaps', { timeoutMs: 3000 });
  assert.equal(cms.status, 200);
}

type Outcome =
  | { kind: 'complete'; status: number; body: string; ms: number }
  | { kind: 'cut'; status: number; body: string; ms: number; why: string }
  | { kind: 'error'; why: string; ms: number }
  | { kind: 'hung'; ms: number };

/** One GET to kage, telling a complete response from one whose connection was cut, or no answer within `limitMs`. */
function outcomeOf(path: string, limitMs: number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = httpsRequest({
      host: '127.0.0.1', port: k.port, path, ca: k.caPem, agent: false, headers: { Authorization: `Bearer ${k.token}` },
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      const cut = (why: string): void => settle({ kind: 'cut', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started, why });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.complete) settle({ kind: 'complete', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started });
        else cut('ended incomplete');
      });
      res.on('aborted', () => cut('aborted'));
      res.on('error', (err) => cut(err.message));
      res.on('close', () => cut(res.complete ? 'closed' : 'closed incomplete'));
    });
    req.on('error', (err) => settle({ kind: 'error', why: err.message, ms: Date.now() - started }));
    req.end();
    const timer = setTimeout(() => settle({ kind: 'hung', ms: Date.now() - started }), limitMs);
  });
}

before(async () => {
  // A long availability interval: the backends are probed when registered, and not again while they misbehave.
  k = await startTestKage({ availabilityCheckIntervalMs: 600_000 });
  const ca = await createTestCa('hostile-backend-ca');
  serving = await createServingCert(ca, 'backend', ['localhost', '127.0.0.1']);
});

after(async () => {
  for (const close of closers) await close();
  await k?.close();
});

test('a backend answering bytes that are not HTTP: 503 malformed HTTP response', { timeout: 20_000 }, async () => {
  const b = await rawBackend((socket) => socket.end('garbage\r\n\r\n'));
  await register('garbage.example.com', b);
  const got = await kageRequest(k, 'GET', '/apis/garbage.example.com/v1/namespaces/default/things', { timeoutMs: 5000 });
  assert.equal(got.status, 503);
  assert.equal(got.body, 'error trying to reach service: net/http: HTTP/1.x transport connection broken: malformed HTTP response\n');
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(got.headers['x-content-type-options'], 'nosniff');
  assert.equal(b.hits.length, 1, 'a malformed answer is not retried');
  await assertKageAlive();
});

test('response headers larger than 10 MiB (Go\'s transport limit): 503, and kage stays up', { timeout: 20_000 }, async () => {
  const b = await rawBackend((socket) => {
    const huge = 'x'.repeat(11 * 1024 * 1024);
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Huge: ${huge}\r\nContent-Length: 2\r\n\r\n{}`);
  });
  await register('bigheaders.example.com', b);
  const got = await kageRequest(k, 'GET', '/apis/bigheaders.example.com/v1/namespaces/default/things', { timeoutMs: 5000 });
  assert.equal(got.status, 503);
  assert.equal(got.body, 'error trying to reach service: net/http: server response headers exceeded 10485760 bytes; aborted\n');
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(got.headers['x-huge'], undefined);
  await assertKageAlive();
});

test('a body shorter than its Content-Length, then the backend closes: the client response is cut, not complete', { timeout: 20_000 }, async (t) => {
  const b = await rawBackend((socket) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"kind":"ThingList"');
  });
  await register('short.example.com', b);
  const o = await outcomeOf('/apis/short.example.com/v1/namespaces/default/things', 5000);
  t.diagnostic(`short body: ${JSON.stringify(o)}`);
  assert.notEqual(o.kind, 'hung', 'the client gets an answer');
  assert.notEqual(o.kind, 'complete', `a truncated body must not look complete: ${JSON.stringify(o)}`);
  if (o.kind === 'cut') {
    assert.equal(o.status, 200);
    assert.ok(o.body.length < 1000);
  }
  await assertKageAlive();
});

test('headers sent, then the body stalls on a short GET with ?timeout=1s: the client connection is cut in time', { timeout: 20_000 }, async (t) => {
  const b = await rawBackend((socket) => {
    // A chunked body: one chunk, then nothing, ever.
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n');
  });
  await register('stall.example.com', b);
  const o = await outcomeOf('/apis/stall.example.com/v1/namespaces/default/things?timeout=1s', 8000);
  t.diagnostic(`stalled chunked body: ${JSON.stringify(o)}`);
  assert.notEqual(o.kind, 'hung', 'the deadline cuts the response');
  assert.notEqual(o.kind, 'complete', `a cut response must not look complete: ${JSON.stringify(o)}`);
  assert.equal(o.kind, 'cut', JSON.stringify(o));
  if (o.kind === 'cut') {
    assert.equal(o.status, 200, 'the response had started');
    assert.equal(o.body, '{"a":');
  }
  assert.ok(o.ms >= 900 && o.ms < 4000, `cut after ${o.ms} ms`);

  // Same with a sized body whose headers went out: the head may not even reach the client, but it never hangs.
  const sized = await rawBackend((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
  });
  await register('stall-sized.example.com', sized);
  const o2 = await outcomeOf('/apis/stall-sized.example.com/v1/namespaces/default/things?timeout=1s', 8000);
  t.diagnostic(`stalled sized body: ${JSON.stringify(o2)}`);
  assert.notEqual(o2.kind, 'hung');
  assert.notEqual(o2.kind, 'complete', JSON.stringify(o2));
  assert.ok(o2.ms >= 900 && o2.ms < 4000, `cut after ${o2.ms} ms`);
  await assertKageAlive();
});

test('a backend resetting the connection right after the TLS handshake: 503 EOF / connection reset', { timeout: 20_000 }, async (t) => {
  const b = await rawBackend(() => assert.fail('no request is read'));
  await register('reset.example.com', b);
  b.resetOnConnect = 'fin';
  const got = await kageRequest(k, 'GET', '/apis/reset.example.com/v1/namespaces/default/things', { timeoutMs: 5000 });
  assert.equal(got.status, 503);
  assert.match(got.body, /^error trying to reach service: (EOF|read tcp [\w.:[\]]+:\d+: read: connection reset by peer)\n$/);
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  t.diagnostic(`FIN after handshake: ${got.status} ${JSON.stringify(got.body)}`);

  // A true RST (not a FIN) gets the same kind of answer.
  const rst = await rawBackend(() => assert.fail('no request is read'));
  await register('rst.example.com', rst);
  rst.resetOnConnect = 'rst';
  const got2 = await kageRequest(k, 'GET', '/apis/rst.example.com/v1/namespaces/default/things', { timeoutMs: 5000 });
  assert.equal(got2.status, 503);
  assert.match(got2.body, /^error trying to reach service: (EOF|read tcp [\w.:[\]]+:\d+: read: connection reset by peer)\n$/);
  t.diagnostic(`RST after handshake: ${got2.status} ${JSON.stringify(got2.body)}`);
  await assertKageAlive();
});

test('100 concurrent requests to a hung backend with ?timeout=2s all get 504 in time; another group keeps answering', { timeout: 30_000 }, async () => {
  const hung = await rawBackend(() => undefined); // reads the request, never answers
  await register('hung100.example.com', hung);
  const fine: TestBackend = await startBackend({ serving, frontProxyCaPem: k.frontProxyCaPem });
  closers.push(() => fine.close());
  const fineName = await registerBackend(k, { group: 'healthy.example.com', version: 'v1', port: fine.port, insecureSkipTLSVerify: true });
  await waitForCondition(k, fineName, 'True', 'Passed');

  const started = Date.now();
  const all = Promise.all(Array.from({ length: 100 }, (_, i) =>
    kageRequest(k, 'GET', `/apis/hung100.example.com/v1/namespaces/default/things?timeout=2s&n=${i}`, { timeoutMs: 8000 })));
  // Meanwhile the healthy group and kage itself answer promptly.
  let healthy = 0;
  while (Date.now() - started < 1500) {
    const t = Date.now();
    const ok = await kageRequest(k, 'GET', '/apis/healthy.example.com/v1/namespaces/default/things', { timeoutMs: 3000 });
    assert.equal(ok.status, 404, 'the healthy backend answers (its default 404 for things)');
    const disc = await kageRequest(k, 'GET', '/apis/healthy.example.com/v1', { timeoutMs: 3000 });
    assert.equal(disc.status, 200);
    assert.ok(Date.now() - t < 1000, 'promptly');
    healthy++;
  }
  assert.ok(healthy >= 3, `healthy requests answered meanwhile: ${healthy}`);
  const results = await all;
  const took = Date.now() - started;
  for (const r of results) {
    assert.equal(r.status, 504, r.body);
    const s = JSON.parse(r.body) as { kind: string; reason: string; code: number };
    assert.equal(s.kind, 'Status');
    assert.equal(s.reason, 'Timeout');
    assert.equal(s.code, 504);
  }
  assert.ok(took >= 1900 && took < 5000, `all answered after ${took} ms`);
  assert.equal(hung.hits.length, 100, 'every request reached the backend');
  await assertKageAlive();
});
