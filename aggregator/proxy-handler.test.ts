// The aggregator's proxy end to end: real kage in-process, real HTTPS extension API servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, get as httpGet, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../server/api/types.js';
import { parseRequestInfo } from '../server/http/request-info.js';
import { openLevelStore } from '../storage/leveldb-store.js';
import { APISERVICE_PREFIX, APIServiceRegistry } from './apiservice-registry.js';
import { BackendTls } from './backend-tls.js';
import { createProxyHandler } from './proxy-handler.js';
import {
  base64, createServingCert, createTestCa, isProbe, kageJson, kageRequest, registerBackend, startBackend,
  startTestKage, waitFor, waitForCondition, type CertAndKey, type TestBackend, type TestKage,
} from './aggregator-testkit.test.js';

const REFERENCE = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'shared', 'reference', 'kube-apiserver-1.32');
const DISCOVERY_TIMEOUT_MS = 2000;

let k: TestKage;
let ca: CertAndKey;
let serving: CertAndKey;
const backends: TestBackend[] = [];

async function backend(handler?: Parameters<typeof startBackend>[0]['handler'], cert: CertAndKey = serving, readBody = true): Promise<TestBackend> {
  const b = await startBackend({ serving: cert, frontProxyCaPem: k.frontProxyCaPem, ...(handler ? { handler } : {}), readBody });
  backends.push(b);
  return b;
}

before(async () => {
  // A long availability interval: conditions change only when objects do, so tests can pin them.
  k = await startTestKage({ discoveryTimeoutMs: DISCOVERY_TIMEOUT_MS, availabilityCheckIntervalMs: 600_000 });
  ca = await createTestCa('test-backend-ca');
  serving = await createServingCert(ca, 'backend', ['localhost', '127.0.0.1']);
});

after(async () => {
  for (const b of backends) await b.close();
  await k?.close();
});

test('GET, POST and query strings reach the backend intact, with the caller identity and not its credentials', { timeout: 30_000 }, async () => {
  const b = await backend((req, res, seen) => {
    if (req.url?.startsWith('/apis/plain.example.com/v1/namespaces/default/things')) {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'X-Backend': 'yes', 'Access-Control-Allow-Origin': '*' });
      res.end(JSON.stringify({ method: req.method, url: req.url, bytes: seen.body.length }));
      return true;
    }
    return false;
  });
  const name = await registerBackend(k, { group: 'plain.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True', 'Passed');

  const query = '?labelSelector=a%3Db%2Cc%21%3Dd&limit=5&x=2&x=1&fieldSelector=';
  const got = await kageRequest(k, 'GET', `/apis/plain.example.com/v1/namespaces/default/things${query}`, {
    headers: {
      'Impersonate-User': 'mallory', 'Impersonate-Group': 'system:masters', 'Impersonate-Extra-Scopes': 'x',
      'X-Remote-User': 'mallory', 'X-Remote-Group': 'evil', 'X-Remote-Extra-Scopes': 'x', 'X-Remote-Uid': '1',
      'X-Forwarded-For': '10.1.2.3', Accept: 'application/json',
    },
  });
  assert.equal(got.status, 200);
  assert.deepEqual(JSON.parse(got.body), { method: 'GET', url: `/apis/plain.example.com/v1/namespaces/default/things${query}`, bytes: 0 });
  assert.equal(got.headers['x-backend'], 'yes');
  assert.equal(got.headers['access-control-allow-origin'], undefined, 'CORS headers of the backend are dropped');

  const seen = b.proxied().at(-1)!;
  assert.equal(seen.authorized, true, 'kage presents a client certificate signed by its front-proxy CA');
  assert.equal(seen.clientCN, 'front-proxy-client');
  const h = seen.headers;
  assert.equal(h['authorization'], undefined);
  for (const name of Object.keys(h)) assert.ok(!name.startsWith('impersonate-'), `${name} must not be forwarded`);
  assert.equal(h['x-remote-user'], 'admin');
  const groups = seen.rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'x-remote-group');
  assert.deepEqual(groups, ['system:masters', 'system:authenticated']);
  assert.equal(h['x-remote-extra-scopes'], undefined);
  assert.equal(h['x-remote-uid'], undefined);
  assert.equal(h['x-forwarded-for'], '10.1.2.3, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'https');
  assert.equal(h['x-forwarded-uri'], '/apis/plain.example.com/v1/namespaces/default/things');
  assert.equal(h['host'], `localhost:${b.port}`);
  assert.equal(h['x-forwarded-host'], `localhost:${b.port}`);
  assert.equal(h['accept'], 'application/json');

  // A body larger than kage's own 3 MiB limit streams through untouched.
  const big = Buffer.alloc(4 * 1024 * 1024, 'a');
  const posted = await kageRequest(k, 'POST', '/apis/plain.example.com/v1/namespaces/default/things', { body: big, headers: { 'Content-Type': 'application/json' } });
  assert.equal(posted.status, 201);
  assert.deepEqual(JSON.parse(posted.body), { method: 'POST', url: '/apis/plain.example.com/v1/namespaces/default/things', bytes: big.length });
  assert.equal(b.proxied().at(-1)!.headers['content-type'], 'application/json');

  // Discovery of the group version goes to the backend too; /apis/<group> does not (discovery answers it).
  const gv = await kageRequest(k, 'GET', '/apis/plain.example.com/v1');
  assert.equal(gv.status, 200);
  assert.equal((JSON.parse(gv.body) as { groupVersion: string }).groupVersion, 'plain.example.com/v1');
  const before = b.proxied().length;
  await kageRequest(k, 'GET', '/apis/plain.example.com');
  assert.equal(b.proxied().length, before, '/apis/<group> is not proxied');
});

test('large responses and watches stream: events arrive before the backend ends the response', { timeout: 30_000 }, async () => {
  let release: (() => void) | undefined;
  const b = await backend((req, res) => {
    if (req.url?.startsWith('/apis/stream.example.com/v1/things?watch=true')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'Thing', metadata: { name: 'a' } } })}\n`);
      release = () => {
        res.write(`${JSON.stringify({ type: 'DELETED', object: { kind: 'Thing', metadata: { name: 'a' } } })}\n`);
        res.end();
      };
      return true;
    }
    if (req.url === '/apis/stream.example.com/v1/things') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
      return true;
    }
    return false;
  });
  const name = await registerBackend(k, { group: 'stream.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True');

  const big = await kageRequest(k, 'GET', '/apis/stream.example.com/v1/things');
  assert.equal(big.status, 200);
  assert.equal(big.body.length, 8 * 1024 * 1024);

  const lines: string[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: k.port, path: '/apis/stream.example.com/v1/things?watch=true', ca: k.caPem, agent: false,
      headers: { Authorization: `Bearer ${k.token}` },
    }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  await waitFor('the first watch event', () => (lines.length >= 1 ? true : undefined), 5000);
  assert.equal((JSON.parse(lines[0]!) as { type: string }).type, 'ADDED');
  assert.ok(release, 'the backend still holds the watch open');
  release!();
  await ended;
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { type: string }).type), ['ADDED', 'DELETED']);
});

test('an unavailable APIService answers 503 "service unavailable" exactly as kube-aggregator does', { timeout: 30_000 }, async () => {
  await kageJson(k, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1alpha1.missing.example.com' },
    spec: { group: 'missing.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'default', name: 'nowhere', port: 443 } },
  });
  await waitForCondition(k, 'v1alpha1.missing.example.com', 'False', 'ServiceNotFound');
  const expectedBody = await readFile(join(REFERENCE, 'unavailable-flunders.json'), 'utf8');
  const expectedHeaders = await readFile(join(REFERENCE, 'unavailable-flunders.headers'), 'utf8');
  for (const path of ['/apis/missing.example.com/v1alpha1/namespaces/default/flunders', '/apis/missing.example.com/v1alpha1']) {
    const got = await kageRequest(k, 'GET', path);
    assert.equal(got.status, 503);
    assert.equal(got.body, expectedBody);
    assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(got.headers['x-content-type-options'], 'nosniff');
    assert.equal(got.headers['cache-control'], 'no-cache, private');
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(expectedBody)));
    for (const line of ['content-type: text/plain; charset=utf-8', 'x-content-type-options: nosniff', `content-length: ${Buffer.byteLength(expectedBody)}`]) {
      assert.ok(expectedHeaders.includes(line), `the reference has ${line}`);
    }
  }
});

test('a backend that refuses connections gives 503 "error trying to reach service"', { timeout: 30_000 }, async () => {
  const b = await backend();
  const port = b.port;
  const name = await registerBackend(k, { group: 'refused.example.com', version: 'v1', port, via: 'endpoints' });
  await waitForCondition(k, name, 'True', 'Passed');
  await b.close();
  const reference = await readFile(join(REFERENCE, 'unavailable-immediate-flunders.json'), 'utf8');
  const got = await kageRequest(k, 'GET', '/apis/refused.example.com/v1/namespaces/default/things');
  assert.equal(got.status, 503);
  assert.equal(got.body, `error trying to reach service: dial tcp 127.0.0.1:${port}: connect: connection refused\n`);
  assert.equal(got.body.replace(/:\d+:/, ':8443:'), reference, 'same wording as the real server');
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(got.headers['x-content-type-options'], 'nosniff');
});

test('a backend redirect is not followed or passed on: 502', { timeout: 30_000 }, async () => {
  const b = await backend((req, res) => {
    if (isProbe(req)) return false;
    res.writeHead(302, { Location: 'https://example.com/elsewhere' });
    res.end();
    return true;
  });
  const name = await registerBackend(k, { group: 'redirect.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True');
  const got = await kageRequest(k, 'GET', '/apis/redirect.example.com/v1/namespaces/default/things');
  assert.equal(got.status, 502);
  assert.equal(got.body, 'the backend attempted to redirect this request, which is not permitted');
  assert.equal(got.headers['location'], undefined);
});

test('TLS: caBundle verification for <service>.<namespace>.svc, wrong CA → 503, insecureSkipTLSVerify', { timeout: 30_000 }, async () => {
  const good = await createServingCert(ca, 'api', ['api-good.default.svc']);
  const b1 = await backend(undefined, good);
  const n1 = await registerBackend(k, { group: 'good-ca.example.com', version: 'v1', port: b1.port, serviceName: 'api-good', caBundle: base64(ca.certPem) });
  await waitForCondition(k, n1, 'True');
  const ok = await kageRequest(k, 'GET', '/apis/good-ca.example.com/v1');
  assert.equal(ok.status, 200);

  const otherCa = await createTestCa('someone-else');
  const b2 = await backend(undefined, await createServingCert(otherCa, 'api', ['api-wrong.default.svc']));
  const n2 = await registerBackend(k, { group: 'wrong-ca.example.com', version: 'v1', port: b2.port, serviceName: 'api-wrong', caBundle: base64(ca.certPem) });
  // The availability probe does not verify certificates (as kube-aggregator's), so this one is Available...
  await waitForCondition(k, n2, 'True');
  // ...but requests through the proxy do verify.
  const bad = await kageRequest(k, 'GET', '/apis/wrong-ca.example.com/v1/things');
  assert.equal(bad.status, 503);
  assert.equal(bad.body, 'error trying to reach service: tls: failed to verify certificate: x509: certificate signed by unknown authority\n');
  assert.equal(b2.proxied().length, 0);

  // Right CA, but the certificate is not for api-nosan.default.svc.
  const b3 = await backend(undefined, serving);
  const n3 = await registerBackend(k, { group: 'wrong-name.example.com', version: 'v1', port: b3.port, serviceName: 'api-nosan', caBundle: base64(ca.certPem) });
  await waitForCondition(k, n3, 'True');
  const wrongName = await kageRequest(k, 'GET', '/apis/wrong-name.example.com/v1/things');
  assert.equal(wrongName.status, 503);
  assert.equal(wrongName.body, 'error trying to reach service: tls: failed to verify certificate: x509: certificate is valid for localhost, 127.0.0.1, not api-nosan.default.svc\n');

  // insecureSkipTLSVerify accepts any certificate.
  const b4 = await backend(undefined, await createServingCert(otherCa, 'whatever', []));
  const n4 = await registerBackend(k, { group: 'insecure.example.com', version: 'v1', port: b4.port, insecureSkipTLSVerify: true });
  await waitForCondition(k, n4, 'True');
  const insecure = await kageRequest(k, 'GET', '/apis/insecure.example.com/v1');
  assert.equal(insecure.status, 200);
  assert.equal(b4.proxied().at(-1)!.clientCN, 'front-proxy-client');
});

test('a hung backend fails group-version discovery within the discovery timeout and blocks nobody else', { timeout: 30_000 }, async () => {
  const hung = await backend((req) => {
    if (isProbe(req)) return false;
    return true; // never answers
  }, serving, false);
  const nHung = await registerBackend(k, { group: 'hung.example.com', version: 'v1', port: hung.port });
  const fine = await backend();
  const nFine = await registerBackend(k, { group: 'fine.example.com', version: 'v1', port: fine.port });
  await waitForCondition(k, nHung, 'True');
  await waitForCondition(k, nFine, 'True');

  const started = Date.now();
  const slow = kageRequest(k, 'GET', '/apis/hung.example.com/v1', { timeoutMs: 10_000 });
  const other = await kageRequest(k, 'GET', '/apis/fine.example.com/v1');
  assert.equal(other.status, 200);
  assert.ok(Date.now() - started < DISCOVERY_TIMEOUT_MS, 'the other group answers while the hung one waits');
  const got = await slow;
  const took = Date.now() - started;
  assert.equal(got.status, 503);
  assert.equal(got.body, 'error trying to reach service: context deadline exceeded\n');
  assert.ok(took >= DISCOVERY_TIMEOUT_MS - 50 && took < DISCOVERY_TIMEOUT_MS + 2000, `took ${took} ms`);
});

test('the backend dying mid-stream ends the client response; the client leaving aborts the backend request', { timeout: 30_000 }, async () => {
  let backendClosed: (() => void) | undefined;
  const closedSeen = new Promise<void>((resolve) => { backendClosed = resolve; });
  const b = await backend((req, res) => {
    if (isProbe(req)) return false;
    if (req.url?.includes('dies')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
      setTimeout(() => req.socket.destroy(), 100);
      return true;
    }
    if (req.url?.includes('stays')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
      res.on('close', () => backendClosed!());
      return true;
    }
    return false;
  });
  const name = await registerBackend(k, { group: 'midstream.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True');

  const outcome = await new Promise<string>((resolve) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: k.port, path: '/apis/midstream.example.com/v1/things?watch=true&dies=1', ca: k.caPem, agent: false,
      headers: { Authorization: `Bearer ${k.token}` },
    }, (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete'));
      res.on('error', () => resolve('error'));
      res.on('close', () => resolve(res.complete ? 'complete' : 'incomplete'));
    });
    req.on('error', () => resolve('error'));
    req.end();
    setTimeout(() => resolve('hung'), 5000);
  });
  assert.notEqual(outcome, 'hung');
  assert.notEqual(outcome, 'complete', 'a cut stream must not look complete');

  const req = httpsRequest({
    host: '127.0.0.1', port: k.port, path: '/apis/midstream.example.com/v1/things?watch=true&stays=1', ca: k.caPem, agent: false,
    headers: { Authorization: `Bearer ${k.token}` },
  });
  req.on('error', () => undefined);
  await new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => resolve())).end());
  req.destroy();
  await Promise.race([closedSeen, new Promise((_, reject) => setTimeout(() => reject(new Error('the backend request was not aborted')), 5000))]);
});

test('an Available APIService whose service cannot be resolved answers 503 service unavailable', { timeout: 30_000 }, async () => {
  // The controller would mark it unavailable at once; drive the handler alone over a store where it is Available.
  const dir = await mkdtemp(join(tmpdir(), 'kage-proxy-unit-'));
  const store = await openLevelStore(join(dir, 'store'));
  const registry = await APIServiceRegistry.start(store);
  const tls = new BackendTls({ certPem: serving.certPem, keyPem: serving.keyPem });
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void Promise.resolve(handler(req, res, { info: parseRequestInfo(req.method ?? 'GET', path, false), query: new URLSearchParams(), path, user: { name: 'u', groups: [] } }))
      .then((claimed: boolean) => { if (!claimed) { res.writeHead(404); res.end('local'); } });
  });
  const handler = createProxyHandler({ apiServices: registry, store, tls });
  try {
    await store.create(`${APISERVICE_PREFIX}v1.noservice.example.com`, {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.noservice.example.com' },
      spec: { group: 'noservice.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'default', name: 'gone', port: 443 } },
      status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }] },
    } as unknown as KubeObject);
    await waitFor('the registry to see it', () => registry.forGroupVersion('noservice.example.com', 'v1'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const get = (path: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    assert.deepEqual(await get('/apis/noservice.example.com/v1/things'), { status: 503, body: 'service unavailable\n' });
    assert.deepEqual(await get('/apis/noservice.example.com'), { status: 404, body: 'local' });
    assert.deepEqual(await get('/apis/other.example.com/v1'), { status: 404, body: 'local' });
  } finally {
    server.close();
    tls.close();
    registry.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('local group versions are not proxied', { timeout: 30_000 }, async () => {
  const got = await kageRequest(k, 'GET', '/api/v1/namespaces/default/configmaps');
  assert.equal(got.status, 200);
  const apps = await kageRequest(k, 'GET', '/apis/apps/v1');
  assert.equal(apps.status, 200);
  assert.equal((JSON.parse(apps.body) as { groupVersion: string }).groupVersion, 'apps/v1');
});

test('a kept-alive connection the backend dropped: a GET is sent again on a new one, a request with a body is not', { timeout: 30_000 }, async () => {
  // The backend answers the first proxied GET of each connection and drops the connection at the second, as a
  // server closing an idle connection just as a request arrives on it does; it drops every POST.
  const perSocket = new WeakMap<object, number>();
  const b = await backend((req, res) => {
    if (isProbe(req) || !(req.url ?? '').includes('/things')) return false;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n >= 2 || req.method === 'POST') {
      req.socket.destroy();
      return true;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ThingList', apiVersion: 'retry.example.com/v1', items: [], metadata: {} }));
    return true;
  });
  const name = await registerBackend(k, { group: 'retry.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True', 'Passed');
  const path = '/apis/retry.example.com/v1/namespaces/default/things';

  assert.equal((await kageRequest(k, 'GET', path)).status, 200);
  const again = await kageRequest(k, 'GET', path);
  assert.equal(again.status, 200, again.body);
  const gets = b.proxied().filter((s) => s.method === 'GET' && s.url.includes('/things'));
  assert.equal(gets.length, 3, 'the second GET was tried on the dropped connection, then on a new one');

  // A request with a body whose connection is dropped is not sent again: the client gets the transport error.
  const post = await kageRequest(k, 'POST', path, { body: JSON.stringify({ kind: 'Thing', metadata: { name: 'x' } }) });
  assert.equal(post.status, 503);
  assert.equal(post.body, 'error trying to reach service: EOF\n');
  assert.equal(b.proxied().filter((s) => s.method === 'POST').length, 1, 'a request with a body is sent once');
});

test('the client\'s ?timeout= shortens the deadline of proxied requests; a malformed one is a 400; watches have none', { timeout: 30_000 }, async () => {
  const b = await backend((req, res) => {
    if (isProbe(req) || !(req.url ?? '').includes('/things')) return false;
    if ((req.url ?? '').includes('watch=true')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"type":"ADDED","object":{"kind":"Thing"}}\n');
      return true;
    }
    // Other requests for things never get an answer.
    return true;
  });
  const name = await registerBackend(k, { group: 'deadline.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True', 'Passed');
  const path = '/apis/deadline.example.com/v1/namespaces/default/things';

  const started = Date.now();
  const timedOut = await kageRequest(k, 'GET', `${path}?timeout=1s`);
  const took = Date.now() - started;
  assert.equal(timedOut.status, 504, timedOut.body);
  const status = JSON.parse(timedOut.body) as { kind: string; reason: string; code: number };
  assert.equal(status.kind, 'Status');
  assert.equal(status.reason, 'Timeout');
  assert.ok(took >= 900 && took < 5000, `answered after ${took} ms`);

  const malformed = await kageRequest(k, 'GET', `${path}?timeout=abc`);
  assert.equal(malformed.status, 400);
  const bad = JSON.parse(malformed.body) as { reason: string; message: string };
  assert.equal(bad.reason, 'BadRequest');
  assert.equal(bad.message, 'invalid timeout specified in the request URL - time: invalid duration "abc"');
  assert.equal(b.proxied().filter((s) => s.url.includes('timeout=abc')).length, 0, 'never reached the backend');

  const watch = await kageRequest(k, 'GET', `${path}?watch=true&timeout=abc`);
  assert.equal(watch.status, 200, 'long-running requests are not subject to the deadline filter');

  const local = await kageRequest(k, 'GET', '/api/v1/namespaces?timeout=5');
  assert.equal(local.status, 400);
  assert.equal((JSON.parse(local.body) as { message: string }).message, 'invalid timeout specified in the request URL - time: missing unit in duration "5"');
});
