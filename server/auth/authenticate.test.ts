// Authentication: bearer tokens, TokenReview answers, and client certificates signed by kage's CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { API_AUDIENCES, INVALID_BEARER_TOKEN, RequestAuthenticator, StaticTokens, authenticate } from './authenticate.js';
import { AlwaysAllowAuthorizer } from './authorize.js';
import { CREDENTIAL_ID_KEY } from './client-cert.js';
import { otherCa, startTestKage, type TestKage } from './harness.test.js';

function tokens(): StaticTokens {
  const t = new StaticTokens();
  t.add('secret-token', { name: 'admin', groups: ['system:masters'] });
  return t;
}

/** A request as the authenticators see it: headers and a socket (here without TLS). */
function fakeRequest(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

test('bearer tokens: the admin in system:masters plus system:authenticated; anything else is nobody', () => {
  assert.deepEqual(authenticate(fakeRequest({ authorization: 'Bearer secret-token' }), tokens()), {
    name: 'admin', groups: ['system:masters', 'system:authenticated'],
  });
  assert.equal(authenticate(fakeRequest({ authorization: 'Bearer nope' }), tokens()), undefined);
  assert.equal(authenticate(fakeRequest({ authorization: 'Basic abc' }), tokens()), undefined);
  assert.equal(authenticate(fakeRequest({}), tokens()), undefined);
});

test('reviewToken: audience-agnostic tokens are good for the server\'s audiences only', () => {
  const a = new RequestAuthenticator(tokens());
  assert.deepEqual(a.reviewToken('secret-token'), {
    authenticated: true,
    user: { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
    audiences: [...API_AUDIENCES],
  });
  assert.deepEqual(a.reviewToken('secret-token', ['x', API_AUDIENCES[0]!]).audiences, [API_AUDIENCES[0]]);
  assert.deepEqual(a.reviewToken('secret-token', ['x']), { authenticated: false, error: INVALID_BEARER_TOKEN });
  assert.deepEqual(a.reviewToken('wrong'), { authenticated: false, error: INVALID_BEARER_TOKEN });
  // Without API audiences the token is simply checked, and no audiences are reported.
  const none = new RequestAuthenticator(tokens(), []);
  assert.deepEqual(none.reviewToken('secret-token', ['x']), {
    authenticated: true, user: { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
  });
});

test('AlwaysAllow: allowed without a reason, and one rule for everything', () => {
  const a = new AlwaysAllowAuthorizer();
  assert.deepEqual(a.authorize({ user: { name: 'u', groups: [] }, verb: 'delete', resourceRequest: true, resource: 'pods' }), {
    allowed: true, reason: '',
  });
  assert.deepEqual(a.rulesFor({ name: 'u', groups: [] }, 'default'), {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Client certificates, against a running kage.

let k: TestKage;
before(async () => {
  k = await startTestKage();
});
after(async () => {
  await k?.close();
});

const WHOAMI = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const REVIEW = { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' };

test('a client certificate signed by kage\'s CA authenticates as its CN, in its O groups', async () => {
  const cert = await k.issueClientCert('/O=team-a/O=team-b/CN=alice');
  const r = await k.request('POST', WHOAMI, { token: null, cert, body: REVIEW });
  assert.equal(r.status, 201, r.body);
  const info = r.json().status.userInfo;
  assert.equal(info.username, 'alice');
  assert.deepEqual(info.groups, ['team-a', 'team-b', 'system:authenticated']);
  assert.match(info.extra[CREDENTIAL_ID_KEY][0], /^X509SHA256=[0-9a-f]{64}$/);
  // The same certificate reads resources like any user (authorization is AlwaysAllow today).
  const list = await k.request('GET', '/api/v1/namespaces', { token: null, cert });
  assert.equal(list.status, 200, list.body);
});

test('a client certificate without groups: the CN and system:authenticated', async () => {
  const cert = await k.issueClientCert('/CN=bob');
  const r = await k.request('POST', WHOAMI, { token: null, cert, body: REVIEW });
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(r.json().status.userInfo.groups, ['system:authenticated']);
  assert.equal(r.json().status.userInfo.username, 'bob');
});

test('client certificates kage must not trust: another CA, server-only usage, no common name', async () => {
  const foreign = await k.issueClientCert('/CN=mallory', { ca: await otherCa() });
  const r1 = await k.request('POST', WHOAMI, { token: null, cert: foreign, body: REVIEW });
  assert.equal(r1.status, 401, r1.body);
  const serverOnly = await k.issueClientCert('/CN=server', { extendedKeyUsage: 'serverAuth' });
  const r2 = await k.request('POST', WHOAMI, { token: null, cert: serverOnly, body: REVIEW });
  assert.equal(r2.status, 401, r2.body);
  const noCn = await k.issueClientCert('/O=only-org');
  const r3 = await k.request('POST', WHOAMI, { token: null, cert: noCn, body: REVIEW });
  assert.equal(r3.status, 401, r3.body);
  // An untrusted certificate does not stand in the way of a good token.
  const withToken = await k.request('POST', WHOAMI, { cert: foreign, body: REVIEW });
  assert.equal(withToken.status, 201);
  assert.equal(withToken.json().status.userInfo.username, 'admin');
});

test('a trusted certificate wins over a bearer token, as x509 comes before tokens in kube-apiserver', async () => {
  const cert = await k.issueClientCert('/CN=carol');
  const r = await k.request('POST', WHOAMI, { cert, body: REVIEW });
  assert.equal(r.status, 201, r.body);
  assert.equal(r.json().status.userInfo.username, 'carol');
});

test('requests without any credential are still 401, public paths still open', async () => {
  assert.equal((await k.request('GET', '/api/v1/namespaces', { token: null })).status, 401);
  assert.equal((await k.request('GET', '/healthz', { token: null })).status, 200);
});
