// The virtual create-only kinds against a running kage: TokenReview, SelfSubjectReview and the access reviews
// answer 201 with a status, store nothing, and refuse every other verb.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKage, type TestKage } from '../auth/harness.test.js';

let k: TestKage;
before(async () => {
  k = await startTestKage();
});
after(async () => {
  await k?.close();
});

const AUTHN = '/apis/authentication.k8s.io/v1';
const AUTHZ = '/apis/authorization.k8s.io/v1';

function tokenReview(token: string, audiences?: string[]) {
  return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: { token, ...(audiences ? { audiences } : {}) } };
}

test('TokenReview of the admin token: authenticated admin in system:masters, 201, nothing stored', async () => {
  const r = await k.request('POST', `${AUTHN}/tokenreviews`, { body: tokenReview(k.adminToken) });
  assert.equal(r.status, 201, r.body);
  const tr = r.json();
  assert.equal(tr.kind, 'TokenReview');
  assert.equal(tr.apiVersion, 'authentication.k8s.io/v1');
  assert.deepEqual(Object.keys(tr), ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
  assert.deepEqual(tr.metadata, { creationTimestamp: null });
  assert.deepEqual(tr.status, {
    authenticated: true,
    user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
    audiences: ['https://kubernetes.default.svc.cluster.local'],
  });
  assert.equal(tr.spec.token, k.adminToken);
  // A TokenReview is not a stored object: no uid, no resourceVersion.
  assert.equal(tr.metadata.uid, undefined);
});

test('TokenReview of a bad token: not authenticated, with the error the bearer token authenticator gives', async () => {
  const r = await k.request('POST', `${AUTHN}/tokenreviews`, { body: tokenReview('not-a-token') });
  assert.equal(r.status, 201, r.body);
  // authenticated is omitempty: false is left out, as a real server writes it.
  assert.deepEqual(r.json().status, { user: {}, error: 'invalid bearer token' });
});

test('TokenReview audiences: the server\'s own are found, others are not', async () => {
  const own = await k.request('POST', `${AUTHN}/tokenreviews`, {
    body: tokenReview(k.adminToken, ['other', 'https://kubernetes.default.svc.cluster.local']),
  });
  assert.equal(own.status, 201, own.body);
  assert.equal(own.json().status.authenticated, true);
  assert.deepEqual(own.json().status.audiences, ['https://kubernetes.default.svc.cluster.local']);
  const other = await k.request('POST', `${AUTHN}/tokenreviews`, { body: tokenReview(k.adminToken, ['other']) });
  assert.equal(other.status, 201, other.body);
  assert.deepEqual(other.json().status, { user: {}, error: 'invalid bearer token' });
});

test('TokenReview without a token is a 400 with the real message; YAML bodies are decoded too', async () => {
  const r = await k.request('POST', `${AUTHN}/tokenreviews`, { body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: {} } });
  assert.equal(r.status, 400);
  assert.equal(r.json().message, 'token is required for TokenReview in authentication');
  const yaml = `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${k.adminToken}\n`;
  const y = await k.request('POST', `${AUTHN}/tokenreviews`, { body: yaml, headers: { 'content-type': 'application/yaml' } });
  assert.equal(y.status, 201, y.body);
  assert.equal(y.json().status.user.username, 'admin');
});

test('a body of another kind or version is refused as on a create', async () => {
  const r = await k.request('POST', `${AUTHN}/tokenreviews`, { body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' } });
  assert.equal(r.status, 400);
  assert.match(r.json().message, /cannot be handled as a TokenReview/);
  const v = await k.request('POST', `${AUTHN}/tokenreviews`, { body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1beta1', spec: { token: 'x' } } });
  assert.equal(v.status, 400);
  const bad = await k.request('POST', `${AUTHN}/tokenreviews`, { body: '{not json' });
  assert.equal(bad.status, 400);
});

test('only create: GET, LIST, WATCH, PUT, PATCH and DELETE are 405', async () => {
  for (const [method, path] of [
    ['GET', `${AUTHN}/tokenreviews`],
    ['GET', `${AUTHN}/tokenreviews?watch=1`],
    ['GET', `${AUTHN}/tokenreviews/x`],
    ['PUT', `${AUTHN}/tokenreviews/x`],
    ['PATCH', `${AUTHN}/tokenreviews/x`],
    ['DELETE', `${AUTHN}/tokenreviews/x`],
    ['DELETE', `${AUTHN}/tokenreviews`],
    ['GET', `${AUTHZ}/subjectaccessreviews`],
    ['GET', `${AUTHZ}/namespaces/default/localsubjectaccessreviews`],
  ] as const) {
    const r = await k.request(method, path, method === 'PUT' || method === 'PATCH' ? { body: {}, headers: { 'content-type': 'application/merge-patch+json' } } : {});
    assert.equal(r.status, 405, `${method} ${path}: ${r.body}`);
    assert.equal(r.json().reason, 'MethodNotAllowed');
  }
});

test('SelfSubjectReview (kubectl auth whoami): the caller, with a creation time', async () => {
  const r = await k.request('POST', `${AUTHN}/selfsubjectreviews`, {
    body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'ignored' } },
  });
  assert.equal(r.status, 201, r.body);
  const ssr = r.json();
  assert.deepEqual(Object.keys(ssr), ['kind', 'apiVersion', 'metadata', 'status']);
  assert.match(ssr.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(ssr.metadata.name, undefined);
  assert.deepEqual(ssr.status, { userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });
});

test('SubjectAccessReview: allowed (AlwaysAllow, no reason), spec echoed', async () => {
  const spec = { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' }, user: 'jane', groups: ['dev'] };
  const r = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec },
  });
  assert.equal(r.status, 201, r.body);
  const sar = r.json();
  assert.deepEqual(sar.metadata, { creationTimestamp: null });
  assert.deepEqual(sar.spec, spec);
  assert.deepEqual(sar.status, { allowed: true });
  const nonResource = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' }, groups: ['g'] } },
  });
  assert.equal(nonResource.status, 201, nonResource.body);
  assert.deepEqual(nonResource.json().status, { allowed: true });
});

test('SubjectAccessReview without attributes or subject: 422 Invalid with the real causes', async () => {
  const r = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: {} },
  });
  assert.equal(r.status, 422, r.body);
  assert.deepEqual(r.json(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: '.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]',
    reason: 'Invalid',
    details: {
      group: 'authorization.k8s.io',
      causes: [
        { reason: 'FieldValueInvalid', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified', field: 'spec.resourceAttributes' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified', field: 'spec.user' },
      ],
    },
    code: 422,
  });
});

test('SubjectAccessReview: both attribute kinds, metadata, and selectors without requirements are invalid', async () => {
  const both = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: {
      kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1',
      spec: { user: 'u', resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/x', verb: 'get' } },
    },
  });
  assert.equal(both.status, 422);
  assert.equal(both.json().message,
    '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes');
  const named = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { name: 'x' }, spec: { user: 'u', resourceAttributes: { verb: 'get' } } },
  });
  assert.equal(named.status, 422);
  assert.equal(named.json().details.causes[0].field, 'metadata');
  assert.match(named.json().details.causes[0].message, /^Invalid value: v1\.ObjectMeta\{Name:"x", .*: must be empty$/);
  const sel = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: 'u', resourceAttributes: { verb: 'list', fieldSelector: {} } } },
  });
  assert.equal(sel.status, 422);
  assert.deepEqual(sel.json().details.causes, [{
    reason: 'FieldValueRequired',
    message: 'Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required',
    field: 'spec.resourceAttributes.fieldSelector.requirements',
  }]);
  // kubectl sends "metadata":{"creationTimestamp":null}: that is empty metadata.
  const kubectlStyle = await k.request('POST', `${AUTHZ}/subjectaccessreviews`, {
    body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { user: 'u', resourceAttributes: { verb: 'get' } } },
  });
  assert.equal(kubectlStyle.status, 201, kubectlStyle.body);
});

test('SelfSubjectAccessReview (kubectl auth can-i): allowed for the caller', async () => {
  const r = await k.request('POST', `${AUTHZ}/selfsubjectaccessreviews`, {
    body: {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
    },
  });
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(r.json().status, { allowed: true });
  const empty = await k.request('POST', `${AUTHZ}/selfsubjectaccessreviews`, {
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: {} },
  });
  assert.equal(empty.status, 422);
  // No subject to check for a self review: only the attributes cause.
  assert.deepEqual(empty.json().details.causes.map((c: { field: string }) => c.field), ['spec.resourceAttributes']);
});

test('LocalSubjectAccessReview: takes the URL namespace; attributes must name it; no non-resource attributes', async () => {
  const ok = await k.request('POST', `${AUTHZ}/namespaces/default/localsubjectaccessreviews`, {
    body: { kind: 'LocalSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: 'u', resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } } },
  });
  assert.equal(ok.status, 201, ok.body);
  assert.equal(ok.json().metadata.namespace, 'default');
  assert.deepEqual(ok.json().status, { allowed: true });
  const other = await k.request('POST', `${AUTHZ}/namespaces/default/localsubjectaccessreviews`, {
    body: { kind: 'LocalSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: 'u', resourceAttributes: { namespace: 'kube-system', verb: 'get' } } },
  });
  assert.equal(other.status, 422);
  assert.deepEqual(other.json().details.causes, [{
    reason: 'FieldValueInvalid', message: 'Invalid value: "kube-system": must match metadata.namespace', field: 'spec.resourceAttributes.namespace',
  }]);
  const nonResource = await k.request('POST', `${AUTHZ}/namespaces/default/localsubjectaccessreviews`, {
    body: { kind: 'LocalSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: 'u', nonResourceAttributes: { path: '/x', verb: 'get' } } },
  });
  assert.equal(nonResource.status, 422);
  assert.equal(nonResource.json().details.causes[0].message,
    'Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: disallowed on this kind of request');
  const mismatch = await k.request('POST', `${AUTHZ}/namespaces/default/localsubjectaccessreviews`, {
    body: { kind: 'LocalSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { namespace: 'other' }, spec: { user: 'u', resourceAttributes: { verb: 'get' } } },
  });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json().message, 'the namespace of the provided object does not match the namespace sent on the request');
});

test('SelfSubjectRulesReview (kubectl auth can-i --list): every verb on everything, in a fresh object', async () => {
  const r = await k.request('POST', `${AUTHZ}/selfsubjectrulesreviews`, {
    body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: { namespace: 'default' } },
  });
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(r.json(), {
    kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: {},
    status: {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    },
  });
  const noNamespace = await k.request('POST', `${AUTHZ}/selfsubjectrulesreviews`, {
    body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: {} },
  });
  assert.equal(noNamespace.status, 400);
  assert.equal(noNamespace.json().message, 'no namespace on request');
});

test('reviews need an authenticated caller like every request', async () => {
  const r = await k.request('POST', `${AUTHN}/selfsubjectreviews`, { token: null, body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' } });
  assert.equal(r.status, 401);
});

test('discovery lists the review kinds with the create verb only', async () => {
  const r = await k.request('GET', AUTHZ);
  assert.equal(r.status, 200);
  const resources = r.json().resources as Array<{ name: string; verbs: string[]; namespaced: boolean }>;
  assert.deepEqual(resources.map((x) => [x.name, x.namespaced, x.verbs.join(',')]), [
    ['localsubjectaccessreviews', true, 'create'],
    ['selfsubjectaccessreviews', false, 'create'],
    ['selfsubjectrulesreviews', false, 'create'],
    ['subjectaccessreviews', false, 'create'],
  ]);
  const local = await k.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.authorization.k8s.io');
  assert.equal(local.status, 200, 'a Local APIService is registered for authorization.k8s.io/v1');
});
