// Real HTTPS requests to one kage process for every Status error it answers, compared with what a real
// kube-apiserver 1.32 answers (../shared/reference/kube-apiserver-1.32/status-*.json where one was captured).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKage, uniqueName, type HttpResponse, type KageProcess } from './harness.js';
import { REFERENCE_DIR } from './reference.js';

function reference(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, name), 'utf8')) as Record<string, unknown>;
}

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

interface Status {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

/** Asserts res is a Failure Status with this code and reason; returns it. */
function assertStatus(res: HttpResponse, code: number, reason: string): Status {
  assert.equal(res.status, code, `HTTP status; body: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `content-type of a Status; body: ${res.body}`);
  const s = res.json() as Status;
  assert.equal(s.kind, 'Status', res.body);
  assert.equal(s.apiVersion, 'v1', res.body);
  assert.deepEqual(s.metadata, {}, res.body);
  assert.equal(s.status, 'Failure', res.body);
  assert.equal(s.reason, reason, res.body);
  assert.equal(s.code, code, res.body);
  assert.equal(typeof s.message, 'string', res.body);
  assert.ok(s.message.length > 10, `a meaningful message: ${res.body}`);
  return s;
}

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  const res = await kage.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  assert.equal(res.status, 201, res.body);
  return ns;
}

function configMap(ns: string, name: string, data: Record<string, string> = { a: '1' }): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

test('404 NotFound for a missing configmap has the real server\'s exact shape', async () => {
  const res = await kage.request('GET', '/api/v1/namespaces/default/configmaps/does-not-exist');
  assertStatus(res, 404, 'NotFound');
  assert.deepEqual(res.json(), reference('status-404.json'));
  // A missing group resource names the group too.
  const dep = await kage.request('GET', '/apis/apps/v1/namespaces/default/deployments/nope');
  const s = assertStatus(dep, 404, 'NotFound');
  assert.equal(s.message, 'deployments.apps "nope" not found');
  assert.deepEqual(s.details, { name: 'nope', group: 'apps', kind: 'deployments' });
  // An unknown path is a 404 too.
  const unknown = await kage.request('GET', '/api/v1/namespaces/default/widgets');
  assertStatus(unknown, 404, 'NotFound');
});

test('409 AlreadyExists on a second create has the real server\'s exact shape', async () => {
  const ns = await newNamespace('exists');
  const first = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'conflict-demo') });
  assert.equal(first.status, 201, first.body);
  const second = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'conflict-demo', { b: '2' }) });
  assertStatus(second, 409, 'AlreadyExists');
  assert.deepEqual(second.json(), reference('status-409-alreadyexists.json'));
  // The first object is untouched.
  const got = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps/conflict-demo`);
  assert.deepEqual((got.json() as { data: unknown }).data, { a: '1' });
});

test('409 Conflict on a PUT with a stale resourceVersion has the real server\'s exact message', async () => {
  const ns = await newNamespace('conflict');
  const created = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'conflict-demo') });
  assert.equal(created.status, 201, created.body);
  const obj = created.json() as { metadata: { resourceVersion: string }; data: Record<string, string> };
  const staleRv = obj.metadata.resourceVersion;
  const update1 = await kage.request('PUT', `/api/v1/namespaces/${ns}/configmaps/conflict-demo`, { body: { ...obj, data: { a: '2' } } });
  assert.equal(update1.status, 200, update1.body);
  assert.ok(Number((update1.json() as { metadata: { resourceVersion: string } }).metadata.resourceVersion) > Number(staleRv));
  const update2 = await kage.request('PUT', `/api/v1/namespaces/${ns}/configmaps/conflict-demo`, { body: { ...obj, data: { a: '3' } } });
  assertStatus(update2, 409, 'Conflict');
  assert.deepEqual(update2.json(), reference('status-409-conflict.json'));
  const got = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps/conflict-demo`);
  assert.deepEqual((got.json() as { data: unknown }).data, { a: '2' }, 'the stale write changed nothing');
});

test('422 Invalid with causes for a bad name', async () => {
  const ns = await newNamespace('invalid');
  const res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'Bad_Name') });
  const s = assertStatus(res, 422, 'Invalid');
  const why = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  assert.equal(s.message, `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${why}`);
  assert.deepEqual(s.details, {
    name: 'Bad_Name',
    kind: 'ConfigMap',
    causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${why}`, field: 'metadata.name' }],
  });
  // Nothing was stored.
  const got = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps/Bad_Name`);
  assert.equal(got.status, 404, got.body);
  // A missing name is Invalid too (metadata.name: Required value).
  const noName = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } });
  const s2 = assertStatus(noName, 422, 'Invalid');
  assert.ok(s2.details?.causes?.some((c) => c.field === 'metadata.name' && c.reason === 'FieldValueRequired'), noName.body);
});

test('400 BadRequest for a malformed JSON body', async () => {
  const ns = await newNamespace('badjson');
  const res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
    body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":',
    headers: { 'Content-Type': 'application/json' },
  });
  assertStatus(res, 400, 'BadRequest');
  const notObject = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: '[1,2,3]', headers: { 'Content-Type': 'application/json' } });
  assertStatus(notObject, 400, 'BadRequest');
  const list = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
  assert.equal(list.status, 200, list.body);
  assert.deepEqual((list.json() as { items: unknown[] }).items.filter((i) => (i as { metadata: { name: string } }).metadata.name !== 'kube-root-ca.crt'), []);
});

test('400 BadRequest (not 500) for a non-numeric resourceVersion query', async () => {
  for (const path of [
    '/api/v1/namespaces/default/configmaps?resourceVersion=abc',
    '/api/v1/namespaces/default/configmaps?resourceVersion=-1',
    '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc',
    '/api/v1/namespaces?resourceVersion=1x&limit=1',
  ]) {
    const res = await kage.request('GET', path);
    const s = assertStatus(res, 400, 'BadRequest');
    assert.match(s.message, /resourceVersion|resource version/i, `${path}: ${res.body}`);
  }
  // A bad limit is a client error too.
  const limit = await kage.request('GET', '/api/v1/namespaces?limit=abc');
  assertStatus(limit, 400, 'BadRequest');
});

// A real server has no route for these (go-restful answers 405) and says:
const METHOD_NOT_ALLOWED = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405,
};

test('405 MethodNotAllowed for PUT on a collection', async () => {
  const put = await kage.request('PUT', '/api/v1/namespaces/default/configmaps', { body: configMap('default', 'x') });
  assertStatus(put, 405, 'MethodNotAllowed');
  assert.deepEqual(put.json(), METHOD_NOT_ALLOWED);
  const patch = await kage.request('PATCH', '/api/v1/namespaces/default/configmaps', { body: '{}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  assertStatus(patch, 405, 'MethodNotAllowed');
});

test('405 MethodNotAllowed for POST on a named object', async () => {
  const post = await kage.request('POST', '/api/v1/namespaces/default/configmaps/x', { body: configMap('default', 'x') });
  assertStatus(post, 405, 'MethodNotAllowed');
  assert.deepEqual(post.json(), METHOD_NOT_ALLOWED);
  const postNs = await kage.request('POST', '/api/v1/namespaces/default', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } });
  assertStatus(postNs, 405, 'MethodNotAllowed');
  // And nothing was created by either.
  const got = await kage.request('GET', '/api/v1/namespaces/default/configmaps/x');
  assert.equal(got.status, 404, got.body);
});

test('406 NotAcceptable when only protobuf is accepted', async () => {
  const res = await kage.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
  const s = assertStatus(res, 406, 'NotAcceptable');
  assert.match(s.message, /application\/json/, 'the message names what is accepted');
  const single = await kage.request('GET', '/api/v1/namespaces/default', { headers: { Accept: 'text/html' } });
  assertStatus(single, 406, 'NotAcceptable');
  // With JSON as a fallback the request works.
  const ok = await kage.request('GET', '/api/v1/namespaces/default', { headers: { Accept: 'application/vnd.kubernetes.protobuf, application/json' } });
  assert.equal(ok.status, 200, ok.body);
  assert.match(String(ok.headers['content-type']), /^application\/json/);
});

test('415 UnsupportedMediaType for a PATCH with Content-Type text/plain', async () => {
  const ns = await newNamespace('media');
  const created = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'p') });
  assert.equal(created.status, 201, created.body);
  const res = await kage.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/p`, {
    body: '{"data":{"a":"2"}}',
    headers: { 'Content-Type': 'text/plain' },
  });
  const s = assertStatus(res, 415, 'UnsupportedMediaType');
  assert.match(s.message, /application\/merge-patch\+json/, 'the message lists the accepted patch types');
  const got = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps/p`);
  assert.deepEqual((got.json() as { data: unknown }).data, { a: '1' }, 'nothing was patched');
  // A create with an unknown body type is 415 too.
  const post = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: 'name: x', headers: { 'Content-Type': 'text/plain' } });
  assertStatus(post, 415, 'UnsupportedMediaType');
});

test('413 RequestEntityTooLarge for a 4 MiB body, and the server still answers afterwards', async () => {
  const ns = await newNamespace('huge');
  const big = JSON.stringify(configMap(ns, 'huge', { blob: 'x'.repeat(4 * 1024 * 1024) }));
  let res: HttpResponse;
  try {
    res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: big, headers: { 'Content-Type': 'application/json' }, timeoutMs: 30_000 });
  } catch (err) {
    assert.fail(`the 4 MiB request got no HTTP answer: ${(err as Error).message}`);
  }
  const s = assertStatus(res, 413, 'RequestEntityTooLarge');
  assert.match(s.message, /limit is 3145728/);
  const after = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps/huge`);
  assert.equal(after.status, 404, after.body);
  const health = await kage.request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.body, 'ok');
  // Just under the limit is accepted (a real server takes up to 3 MiB per request; objects up to ~1.5 MiB in etcd).
  const fine = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap(ns, 'big-ok', { blob: 'y'.repeat(512 * 1024) }) });
  assert.equal(fine.status, 201, fine.body.slice(0, 500));
});

test('401 Unauthorized Status without a token and with a wrong token', async () => {
  const expected = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
  const none = await kage.request('GET', '/api/v1/namespaces', { token: null });
  assertStatus(none, 401, 'Unauthorized');
  assert.deepEqual(none.json(), expected);
  const wrong = await kage.request('GET', '/api/v1/namespaces', { token: 'not-the-admin-token' });
  assertStatus(wrong, 401, 'Unauthorized');
  assert.deepEqual(wrong.json(), expected);
  const almost = await kage.request('GET', '/api/v1/namespaces', { token: `${kage.token}x` });
  assert.equal(almost.status, 401, almost.body);
  const discovery = await kage.request('GET', '/apis', { token: null });
  assert.equal(discovery.status, 401, discovery.body);
  const write = await kage.request('POST', '/api/v1/namespaces', { token: null, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: uniqueName('anon') } } });
  assertStatus(write, 401, 'Unauthorized');
  // kubectl with a wrong token says so.
  const r = await kage.kubectl(['get', 'ns', '--token=wrong']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: You must be logged in to the server/);
});

test('404 NotFound for namespaces when creating in a missing namespace', async () => {
  const missing = uniqueName('missing');
  const res = await kage.request('POST', `/api/v1/namespaces/${missing}/configmaps`, { body: configMap(missing, 'orphan') });
  const s = assertStatus(res, 404, 'NotFound');
  assert.equal(s.message, `namespaces "${missing}" not found`);
  assert.deepEqual(s.details, { name: missing, kind: 'namespaces' });
  const dep = await kage.request('POST', `/apis/apps/v1/namespaces/${missing}/deployments`, {
    body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
  });
  const s2 = assertStatus(dep, 404, 'NotFound');
  assert.equal(s2.message, `namespaces "${missing}" not found`);
});

test('400 BadRequest when the body\'s namespace does not match the URL', async () => {
  const ns = await newNamespace('mismatch');
  const res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap('default', 'elsewhere') });
  const s = assertStatus(res, 400, 'BadRequest');
  assert.match(s.message, /the namespace of the provided object does not match the namespace sent on the request/);
});

test('400 BadRequest for a continue token that is not a valid token', async () => {
  const res = await kage.request('GET', '/api/v1/namespaces?limit=1&continue=garbage');
  // A real server: 400 "invalid continue token: …".
  const s = assertStatus(res, 400, 'BadRequest');
  assert.match(s.message, /continue/);
});

test('YAML request bodies create and replace objects (application/yaml)', async () => {
  const name = uniqueName('yaml');
  const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: hello\n`;
  const created = await kage.request('POST', '/api/v1/namespaces/default/configmaps', { body: yaml, headers: { 'Content-Type': 'application/yaml' } });
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json().data.greeting, 'hello');
  const replaced = await kage.request('PUT', `/api/v1/namespaces/default/configmaps/${name}`, {
    body: yaml.replace('hello', 'bye'), headers: { 'Content-Type': 'application/yaml' },
  });
  assert.equal(replaced.status, 200, replaced.body);
  assert.equal(replaced.json().data.greeting, 'bye');
  const bad = await kage.request('POST', '/api/v1/namespaces/default/configmaps', { body: 'a: [unclosed', headers: { 'Content-Type': 'application/yaml' } });
  assert.equal(bad.status, 400, bad.body);
  assert.equal(bad.json().reason, 'BadRequest');
});

test('schema type errors are 422 Invalid with a cause naming the field path (create and patch)', async () => {
  const name = uniqueName('typed');
  const bad = await kage.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 'three', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    },
  });
  assert.equal(bad.status, 422, bad.body);
  const status = bad.json();
  assert.equal(status.reason, 'Invalid');
  assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field), ['spec.replicas']);
  assert.match(status.message, /spec\.replicas in body must be of type integer/);

  const cm = await kage.request('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'x' } } });
  assert.equal(cm.status, 201, cm.body);
  const patched = await kage.request('PATCH', `/api/v1/namespaces/default/configmaps/${name}`, {
    body: '{"data":{"a":5}}', headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  assert.equal(patched.status, 422, patched.body);
  assert.equal(patched.json().details.causes[0].field, 'data[a]');
  const after = (await kage.request('GET', `/api/v1/namespaces/default/configmaps/${name}`)).json();
  assert.equal(after.data.a, 'x', 'the stored object is unchanged');
  assert.equal(after.metadata.resourceVersion, cm.json().metadata.resourceVersion);
});
