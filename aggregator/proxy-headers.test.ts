// Header rules of the proxy, without a network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { backendRequestHeaders, clientResponseHeaders, headerKeyEscape, identityHeaders } from './proxy-headers.js';
import { describeNetworkError } from './network-errors.js';

/** An inbound request as Node presents it: raw headers, and parsed ones (repeated values joined with ", "). */
function fakeRequest(raw: string[], remoteAddress = '::ffff:10.0.0.7'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    headers[k] = headers[k] === undefined ? raw[i + 1]! : `${headers[k]}, ${raw[i + 1]!}`;
  }
  return { rawHeaders: raw, headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

test('extra keys are percent-encoded as client-go does', () => {
  assert.equal(headerKeyEscape('scopes'), 'scopes');
  assert.equal(headerKeyEscape('example.org/foo'), 'example.org%2Ffoo');
  assert.equal(headerKeyEscape('a b%c'), 'a%20b%25c');
  assert.equal(headerKeyEscape('ü'), '%C3%BC');
  assert.deepEqual(identityHeaders({ name: 'jane', groups: ['g1', 'g2'], extra: { 'example.org/scopes': ['a', 'b'] } }), [
    ['X-Remote-User', 'jane'], ['X-Remote-Group', 'g1'], ['X-Remote-Group', 'g2'],
    ['X-Remote-Extra-example.org%2Fscopes', 'a'], ['X-Remote-Extra-example.org%2Fscopes', 'b'],
  ]);
});

test('request headers: credentials, impersonation, inbound identity and hop-by-hop headers are dropped', () => {
  const req = fakeRequest([
    'Authorization', 'Bearer secret', 'Impersonate-User', 'x', 'Impersonate-Extra-Foo', 'y', 'X-Remote-User', 'evil',
    'x-remote-group', 'evil', 'X-Remote-Extra-Foo', 'evil', 'Connection', 'keep-alive, X-Private', 'X-Private', 'p',
    'Keep-Alive', 'timeout=5', 'Te', 'trailers, gzip', 'Accept', 'application/json', 'X-Forwarded-For', '1.2.3.4',
    'Host', 'kage:6443', 'User-Agent', 'kubectl',
  ]);
  const out = backendRequestHeaders(req, { user: { name: 'admin', groups: ['system:masters'] }, backendHost: '127.0.0.1:8443', path: '/apis/g/v//things/', upgrade: false });
  assert.deepEqual(pairsOf(out), [
    ['Host', '127.0.0.1:8443'], ['Accept', 'application/json'], ['User-Agent', 'kubectl'], ['Te', 'trailers'],
    ['X-Forwarded-For', '1.2.3.4, 10.0.0.7'], ['X-Forwarded-Uri', '/apis/g/v/things/'], ['X-Forwarded-Host', '127.0.0.1:8443'],
    ['X-Forwarded-Proto', 'https'], ['X-Remote-User', 'admin'], ['X-Remote-Group', 'system:masters'],
  ]);
  const upgrade = backendRequestHeaders(fakeRequest(['Connection', 'Upgrade', 'Upgrade', 'SPDY/3.1', 'Authorization', 'Bearer x']), {
    user: { name: 'admin', groups: [] }, backendHost: 'h:1', path: '/x', upgrade: true,
  });
  assert.deepEqual(pairsOf(upgrade), [['Host', 'h:1'], ['Connection', 'Upgrade'], ['Upgrade', 'SPDY/3.1'], ['X-Forwarded-For', '10.0.0.7'], ['X-Remote-User', 'admin']]);
});

test('response headers: hop-by-hop and CORS headers are dropped, repeats kept', () => {
  assert.deepEqual(clientResponseHeaders([
    'Content-Type', 'application/json', 'Transfer-Encoding', 'chunked', 'Connection', 'close', 'Access-Control-Allow-Origin', '*',
    'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Warning', '299 - "deprecated"',
  ]), ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Warning', '299 - "deprecated"']);
});

test('network errors are worded as Go words them', () => {
  assert.equal(describeNetworkError({ code: 'ECONNREFUSED', address: '127.0.0.1', port: 8443 }, 'localhost', 8443), 'dial tcp 127.0.0.1:8443: connect: connection refused');
  assert.equal(describeNetworkError({ code: 'ECONNREFUSED', address: '::1', port: 8443 }, 'localhost', 8443), 'dial tcp [::1]:8443: connect: connection refused');
  assert.equal(describeNetworkError({ code: 'ENOTFOUND', hostname: 'nope.invalid' }, 'nope.invalid', 443), 'dial tcp: lookup nope.invalid: no such host');
  assert.equal(describeNetworkError({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'h', 1), 'tls: failed to verify certificate: x509: certificate signed by unknown authority');
  assert.equal(describeNetworkError({ code: 'ECONNRESET', message: 'socket hang up' }, 'h', 1), 'EOF');
  assert.equal(describeNetworkError({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, 'h', 1), 'remote error: tls: unknown certificate authority');
});

function pairsOf(flat: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
