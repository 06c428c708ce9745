// Upgraded connections through the aggregator: WebSocket (the ws package on both ends) and a raw SPDY-style
// upgrade, the identity the backend sees, and the answers for upgrades kage does not proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import {
  createServingCert, createTestCa, registerBackend, startBackend, startTestKage, waitForCondition,
  type CertAndKey, type TestBackend, type TestKage,
} from './aggregator-testkit.test.js';

let k: TestKage;
let serving: CertAndKey;
let b: TestBackend;
let wss: WebSocketServer;
const upgrades: IncomingMessage[] = [];

before(async () => {
  k = await startTestKage({ availabilityCheckIntervalMs: 600_000 });
  serving = await createServingCert(await createTestCa('upgrade-ca'), 'backend', ['localhost', '127.0.0.1']);
  b = await startBackend({ serving, frontProxyCaPem: k.frontProxyCaPem });
  wss = new WebSocketServer({ noServer: true });
  // The backend's own upgrade handling: WebSocket echo, a SPDY-ish raw echo, and a refusal.
  b.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades.push(req);
    const upgrade = String(req.headers['upgrade'] ?? '').toLowerCase();
    if (req.url?.includes('forbidden')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope');
      return;
    }
    if (upgrade === 'websocket') {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo: ${String(data)}`));
      });
      return;
    }
    if (upgrade === 'spdy/3.1') {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\nhello');
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('<'), d, Buffer.from('>')])));
      return;
    }
    socket.destroy();
  });
  const name = await registerBackend(k, { group: 'exec.example.com', version: 'v1', port: b.port });
  await waitForCondition(k, name, 'True');
});

after(async () => {
  wss?.close();
  await b?.close();
  await k?.close();
});

test('a WebSocket connection is relayed to the backend with the caller identity, both ways', { timeout: 20_000 }, async () => {
  const ws = new WebSocket(`wss://127.0.0.1:${k.port}/apis/exec.example.com/v1/namespaces/default/things/a/exec?command=ls&command=-l`, {
    ca: k.caPem,
    headers: { Authorization: `Bearer ${k.token}`, 'X-Remote-User': 'mallory', 'Impersonate-User': 'mallory' },
  });
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send('hi'));
    ws.on('message', (data) => {
      replies.push(String(data));
      if (replies.length === 1) ws.send('again');
      else ws.close();
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  assert.deepEqual(replies, ['echo: hi', 'echo: again']);
  const seen = upgrades.at(-1)!;
  assert.equal(seen.url, '/apis/exec.example.com/v1/namespaces/default/things/a/exec?command=ls&command=-l');
  assert.equal(seen.headers['x-remote-user'], 'admin');
  assert.equal(seen.headers['authorization'], undefined);
  assert.equal(seen.headers['impersonate-user'], undefined);
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['host'], `localhost:${b.port}`);
  assert.equal((seen.socket as import('node:tls').TLSSocket).authorized, true, 'the front-proxy client certificate is presented');
});

/** Sends a raw upgrade request to kage and collects what comes back until the connection closes or `until` matches. */
function rawUpgrade(path: string, headers: string[], send?: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: k.port, ca: k.caPem, servername: 'localhost' });
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end; got ${JSON.stringify(got)}`));
    }, 10_000);
    socket.on('secureConnect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${k.port}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
    });
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (send && got.includes('hello') && !got.includes(send)) socket.write(send);
      if (until?.test(got)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('error', () => undefined);
  });
}

test('a SPDY/3.1 upgrade is relayed byte for byte after the backend switches protocols', { timeout: 20_000 }, async () => {
  const got = await rawUpgrade('/apis/exec.example.com/v1/namespaces/default/things/a/portforward',
    [`Authorization: Bearer ${k.token}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: portforward.k8s.io'], 'ping', /<ping>/);
  assert.match(got, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.ok(got.includes('hello<ping>'), got);
  const seen = upgrades.at(-1)!;
  assert.equal(seen.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  assert.equal(seen.headers['x-remote-user'], 'admin');
});

test('a backend refusing the upgrade has its answer passed on', { timeout: 20_000 }, async () => {
  const got = await rawUpgrade('/apis/exec.example.com/v1/forbidden', [`Authorization: Bearer ${k.token}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1']);
  assert.match(got, /^HTTP\/1\.1 403 Forbidden\r\n/);
  assert.ok(got.endsWith('nope'));
});

test('upgrades kage does not proxy get a clean 400, unauthenticated ones 401, and the socket closes', { timeout: 20_000 }, async () => {
  const local = await rawUpgrade('/api/v1/namespaces/default/pods/p/exec?command=ls', [`Authorization: Bearer ${k.token}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1']);
  assert.match(local, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(local, /"reason":"BadRequest"/);
  const anonymous = await rawUpgrade('/apis/exec.example.com/v1/namespaces/default/things/a/exec', ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']);
  assert.match(anonymous, /^HTTP\/1\.1 401 Unauthorized\r\n/);
  assert.match(anonymous, /"reason":"Unauthorized"/);
});

test('an upgrade to an unreachable backend answers 503 "error dialing backend"', { timeout: 20_000 }, async () => {
  const gone = await startBackend({ serving, frontProxyCaPem: k.frontProxyCaPem });
  const name = await registerBackend(k, { group: 'gone-exec.example.com', version: 'v1', port: gone.port, via: 'endpoints' });
  await waitForCondition(k, name, 'True');
  await gone.close();
  const got = await rawUpgrade('/apis/gone-exec.example.com/v1/x/exec', [`Authorization: Bearer ${k.token}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1']);
  assert.match(got, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.ok(got.endsWith(`error dialing backend: dial tcp 127.0.0.1:${gone.port}: connect: connection refused\n`), got);
});
