// The proxy's connections to backends: kage's TLS connector (bounded handshake, certificate checks) and the pools.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { BackendPools, loadPoolModule, MAX_POOLS, tlsConnector } from './backend-pools.js';
import { describeNetworkError } from './network-errors.js';
import { createServingCert, createTestCa, type CertAndKey } from './aggregator-testkit.test.js';

let ca: CertAndKey;
let serving: CertAndKey;
let silent: TcpServer;
const silentSockets = new Set<Socket>();
let https: HttpsServer;
let silentPort: number;
let httpsPort: number;

function listen(server: TcpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  await loadPoolModule();
  ca = await createTestCa('pools-ca');
  serving = await createServingCert(ca, 'backend', ['api.wardle.svc']);
  // Accepts TCP connections and never says a word: a TLS handshake with it cannot finish.
  silent = createTcpServer((s) => {
    silentSockets.add(s);
    s.on('error', () => undefined);
  });
  https = createHttpsServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`hello ${req.url ?? ''}`);
  });
  silentPort = await listen(silent);
  httpsPort = await listen(https);
});

after(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  https.closeAllConnections();
  await new Promise<void>((r) => https.close(() => r()));
});

function connectOnce(connector: ReturnType<typeof tlsConnector>, port: number): Promise<{ err: Error | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    connector({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'https:', port: String(port), httpSocket: undefined }, (err, socket) => {
      socket?.destroy();
      resolve({ err, ms: Date.now() - started });
    });
  });
}

test('a backend that never completes the TLS handshake fails with Go\'s "TLS handshake timeout" at the connect deadline', { timeout: 10_000 }, async () => {
  const port = silentPort;
  const connector = tlsConnector({ secureContext: createSecureContext({}), servername: 'api.wardle.svc', rejectUnauthorized: true }, 300);
  const { err, ms } = await connectOnce(connector, port);
  assert.ok(err, 'the connect fails');
  assert.equal((err as NodeJS.ErrnoException).code, 'KAGE_TLS_TIMEOUT');
  assert.equal(describeNetworkError(err, '127.0.0.1', port), 'net/http: TLS handshake timeout');
  assert.ok(ms >= 250 && ms < 3000, `failed after ${ms} ms`);
});

test('the connector verifies the certificate for the service name against the CA, or not with insecureSkipTLSVerify', { timeout: 10_000 }, async () => {
  const port = httpsPort;
  const trusting = tlsConnector({ secureContext: createSecureContext({ ca: ca.certPem }), servername: 'api.wardle.svc', rejectUnauthorized: true }, 5000);
  assert.equal((await connectOnce(trusting, port)).err, null);
  const wrongName = tlsConnector({ secureContext: createSecureContext({ ca: ca.certPem }), servername: 'other.wardle.svc', rejectUnauthorized: true }, 5000);
  const named = (await connectOnce(wrongName, port)).err as NodeJS.ErrnoException;
  assert.equal(named?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal(describeNetworkError(named, '127.0.0.1', port, 'other.wardle.svc'),
    'tls: failed to verify certificate: x509: certificate is valid for api.wardle.svc, not other.wardle.svc');
  const untrusting = tlsConnector({ secureContext: createSecureContext({}), servername: 'api.wardle.svc', rejectUnauthorized: true }, 5000);
  const unknown = (await connectOnce(untrusting, port)).err;
  assert.equal(describeNetworkError(unknown, '127.0.0.1', port), 'tls: failed to verify certificate: x509: certificate signed by unknown authority');
  const insecure = tlsConnector({ secureContext: createSecureContext({}), servername: 'api.wardle.svc', rejectUnauthorized: false }, 5000);
  assert.equal((await connectOnce(insecure, port)).err, null);
});

test('one pool per address, reused; closing the pools lets a request already handed one finish', { timeout: 10_000 }, async () => {
  const port = httpsPort;
  const pools = new BackendPools({ secureContext: createSecureContext({ ca: ca.certPem }), servername: 'api.wardle.svc', rejectUnauthorized: true }, 5000);
  const address = { host: '127.0.0.1', port };
  const pool = pools.poolFor(address);
  assert.equal(pools.poolFor(address), pool, 'the same pool for the same address');
  assert.notEqual(pools.poolFor({ host: 'localhost', port }), pool, 'another address, another pool');
  const first = await pool.request({ path: '/a', method: 'GET' });
  assert.equal(first.statusCode, 200);
  assert.equal(await first.body.text(), 'hello /a');
  pools.close();
  const late = pools.poolFor(address);
  assert.notEqual(late, pool, 'a closed set hands out a fresh pool');
  const answer = await late.request({ path: '/b', method: 'GET' });
  assert.equal(await answer.body.text(), 'hello /b');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(late.closed, true, 'and closes it once the request went out');
});

test('pools of addresses no longer in use do not pile up: beyond the cap the oldest is closed', () => {
  const pools = new BackendPools({ secureContext: createSecureContext({}), servername: 'api.wardle.svc', rejectUnauthorized: true }, 5000);
  const created = [];
  for (let i = 0; i <= MAX_POOLS; i++) created.push(pools.poolFor({ host: `10.0.0.${i % 250}`, port: 1000 + i }));
  assert.equal(created[0]!.closed, true, 'the oldest pool was closed');
  assert.equal(created[1]!.closed, false);
  assert.equal(created[MAX_POOLS]!.closed, false);
  assert.notEqual(pools.poolFor({ host: '10.0.0.0', port: 1000 }), created[0], 'a closed pool is replaced when its address comes back');
  pools.close();
});
