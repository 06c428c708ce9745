// The BackendFetcher over a real store and a real HTTPS backend (kage's own PKI for the client certificate).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../server/api/types.js';
import { ensurePki } from '../server/pki/certificates.js';
import { openLevelStore } from '../storage/leveldb-store.js';
import type { Store } from '../storage/store.js';
import { apiServiceInfo, type APIServiceInfo } from './apiservice-registry.js';
import { BackendError } from './backend.js';
import { HttpsBackendFetcher } from './backend-fetcher.js';
import { BackendTls } from './backend-tls.js';
import { createServingCert, createTestCa, isProbe, startBackend, type TestBackend } from './aggregator-testkit.test.js';

let dir: string;
let store: Store;
let tls: BackendTls;
let b: TestBackend;

function apiService(name: string, svc: string, port: number): APIServiceInfo {
  return apiServiceInfo({
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
    spec: { group: 'fetch.example.com', version: 'v1', insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'default', name: svc, port } },
    status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }] },
  } as unknown as KubeObject);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kage-fetcher-'));
  const pki = await ensurePki(dir);
  store = await openLevelStore(join(dir, 'store'));
  tls = new BackendTls({ certPem: pki.frontProxyClientCertPem, keyPem: pki.frontProxyClientKeyPem });
  b = await startBackend({
    serving: await createServingCert(await createTestCa('fetch-ca'), 'b', ['localhost']),
    frontProxyCaPem: pki.frontProxyCaCertPem,
    handler: (req, res) => {
      if (req.url === '/hang') return true;
      if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(4096, 'x'));
        return true;
      }
      if (req.url === '/apis' && req.headers['if-none-match'] === '"abc"') {
        res.writeHead(304, { ETag: '"abc"' });
        res.end();
        return true;
      }
      if (req.url === '/apis') {
        res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"abc"' });
        res.end('{"kind":"APIGroupList"}');
        return true;
      }
      return false;
    },
  });
  await store.create('/registry/core/services/default/fetch', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'fetch', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'localhost' },
  } as unknown as KubeObject);
});

after(async () => {
  tls?.close();
  await b?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

test('GETs as system:kube-aggregator with the front-proxy certificate, Accept and If-None-Match', { timeout: 20_000 }, async () => {
  const fetcher = new HttpsBackendFetcher({ store, tls });
  const a = apiService('v1.fetch.example.com', 'fetch', b.port);
  const res = await fetcher.get(a, '/apis', { timeoutMs: 5000, accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), '{"kind":"APIGroupList"}');
  assert.equal(res.headers['etag'], '"abc"');
  const seen = b.seen.at(-1)!;
  assert.ok(isProbe({ headers: seen.headers } as never));
  assert.equal(seen.headers['x-remote-group'], 'system:masters');
  assert.equal(seen.headers['accept'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json');
  assert.equal(seen.authorized, true);
  assert.equal(seen.clientCN, 'front-proxy-client');
  const cached = await fetcher.get(a, '/apis', { timeoutMs: 5000, etag: '"abc"' });
  assert.equal(cached.status, 304);
});

test('timeouts, oversized bodies and unresolvable services reject with BackendError', { timeout: 20_000 }, async () => {
  const fetcher = new HttpsBackendFetcher({ store, tls, maxResponseBytes: 1024 });
  const a = apiService('v1.fetch.example.com', 'fetch', b.port);
  const started = Date.now();
  await assert.rejects(fetcher.get(a, '/hang', { timeoutMs: 300 }), (err: unknown) => {
    assert.ok(err instanceof BackendError);
    assert.equal(err.reason, 'FailedDiscoveryCheck');
    assert.equal(err.message, `Get "https://localhost:${b.port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    return true;
  });
  assert.ok(Date.now() - started < 2000);
  await assert.rejects(fetcher.get(a, '/big', { timeoutMs: 5000 }), /response body too large/);
  await assert.rejects(fetcher.get(apiService('v1.nope.example.com', 'nope', 443), '/apis', { timeoutMs: 1000 }), (err: unknown) => {
    assert.ok(err instanceof BackendError);
    assert.equal(err.reason, 'ServiceNotFound');
    assert.equal(err.message, 'service/nope in "default" is not present');
    return true;
  });
  const aborter = new AbortController();
  const pending = fetcher.getFrom(a, { host: 'localhost', port: b.port }, '/hang', { timeoutMs: 5000, signal: aborter.signal });
  aborter.abort();
  await assert.rejects(pending, /context canceled/);
});
