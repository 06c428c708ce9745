// Bad input to PATCH (and create/update with fieldValidation) over plain HTTPS: each gets a 4xx Status whose
// message names the problem, and the stored object is left exactly as it was (same resourceVersion, same
// content). What a real kube-apiserver 1.32 answers is noted where kage is held to it:
//   - a body that is not JSON: 400 BadRequest (merge: "Invalid JSON Patch"; json-patch and strategic: the JSON
//     decoder's error);
//   - an apply body that is not YAML: 400 BadRequest "error decoding YAML: …";
//   - a JSON patch whose `test` fails or whose path does not exist: 422 with json-patch's error
//     ("testing value /data/color failed: test failed", "unable to remove nonexistent key: missing: …");
//   - a strategic merge patch list item without its merge key: "map: map[image:x] does not contain declared merge
//     key: name" — a real server lets that one out as a 500; kage must answer it with a 4xx;
//   - an apply without fieldManager: 422 Invalid, `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required
//     value: is required for apply patch`, with a cause for the field fieldManager;
//   - fieldValidation=Strict: 400 BadRequest `… strict decoding error: unknown field "bogus"` / `duplicate field
//     "…"`; Warn: 2xx with a `Warning: 299 - "unknown field \"bogus\""` header, the field dropped;
//   - an apply conflict: 409 Conflict "Apply failed with 1 conflict: conflict with "<manager>": .data.key", with a
//     FieldManagerConflict cause for the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKage, type HttpResponse, type KageProcess } from './harness.js';

let kage: KageProcess;
const NS = 'patch-errors';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

before(async () => {
  kage = await startKage();
  const r = await kage.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  assert.equal(r.status, 201, r.body);
});

after(async () => {
  await kage?.stop();
});

type Json = Record<string, any>;

let counter = 0;
/** A fresh ConfigMap (its own name per test); returns its path. */
async function newConfigMap(data: Record<string, string> = { color: 'blue', size: '3' }): Promise<string> {
  const name = `cm-${++counter}`;
  const r = await kage.request('POST', CMS, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data } });
  assert.equal(r.status, 201, r.body);
  return `${CMS}/${name}`;
}

/** A fresh Deployment with two containers; returns its path. */
async function newDeployment(): Promise<string> {
  const name = `deploy-${++counter}`;
  const r = await kage.request('POST', DEPLOYS, {
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1.36' }] } },
      },
    },
  });
  assert.equal(r.status, 201, r.body);
  return `${DEPLOYS}/${name}`;
}

async function read(path: string): Promise<Json> {
  const r = await kage.request('GET', path);
  assert.equal(r.status, 200, r.body);
  return r.json<Json>();
}

function patch(path: string, contentType: string, body: string, query = ''): Promise<HttpResponse> {
  return kage.request('PATCH', `${path}${query}`, { body, headers: { 'Content-Type': contentType } });
}

/** The answer is a Status with this code (or one of these codes) whose message matches every pattern. */
function assertStatus(r: HttpResponse, codes: number | number[], ...message: RegExp[]): Json {
  const want = Array.isArray(codes) ? codes : [codes];
  assert.ok(want.includes(r.status), `expected ${want.join(' or ')}, got ${r.status}: ${r.body}`);
  const s = r.json<Json>();
  assert.equal(s['kind'], 'Status', r.body);
  assert.equal(s['status'], 'Failure', r.body);
  assert.equal(s['code'], r.status, r.body);
  for (const m of message) assert.match(String(s['message']), m, r.body);
  return s;
}

/** Runs `bad` on a fresh object and checks that the object is exactly as before (resourceVersion and content). */
async function unchanged(path: string, bad: () => Promise<void>): Promise<void> {
  const before = await read(path);
  await bad();
  const after = await read(path);
  assert.equal(after['metadata']['resourceVersion'], before['metadata']['resourceVersion'], 'resourceVersion changed');
  assert.deepEqual(after, before);
}

// ---- bodies that do not parse -------------------------------------------------------------------------------

for (const type of [MERGE, STRATEGIC, JSON_PATCH]) {
  test(`PATCH ${type} with a body that is not JSON → 400, object unchanged`, async () => {
    const path = await newConfigMap();
    await unchanged(path, async () => {
      const body = type === JSON_PATCH ? '[{"op":"replace","path":"/data/color","value":"red"' : '{"data":{"color":"red"';
      const s = assertStatus(await patch(path, type, body), 400, /json/i);
      assert.equal(s['reason'], 'BadRequest');
    });
  });
}

test('PATCH application/apply-patch+yaml with a body that is not YAML → 400 "error decoding YAML", object unchanged', async () => {
  const path = await newConfigMap();
  await unchanged(path, async () => {
    const s = assertStatus(await patch(path, APPLY, 'apiVersion: v1\nkind: ConfigMap\ndata: [\n  color: red\n', '?fieldManager=e2e'), 400, /yaml/i);
    assert.equal(s['reason'], 'BadRequest');
  });
});

// ---- JSON patches that do not apply -------------------------------------------------------------------------

test('JSON patch whose test op fails → 422 naming the test, object unchanged', async () => {
  const path = await newConfigMap();
  await unchanged(path, async () => {
    const ops = [{ op: 'test', path: '/data/color', value: 'red' }, { op: 'replace', path: '/data/color', value: 'green' }];
    assertStatus(await patch(path, JSON_PATCH, JSON.stringify(ops)), 422, /test/i, /\/data\/color/);
  });
});

test('JSON patch removing a path that does not exist → 422 naming it, object unchanged', async () => {
  const path = await newConfigMap();
  await unchanged(path, async () => {
    const ops = [{ op: 'replace', path: '/data/color', value: 'green' }, { op: 'remove', path: '/data/missing' }];
    assertStatus(await patch(path, JSON_PATCH, JSON.stringify(ops)), 422, /missing/);
  });
});

// ---- strategic merge patch ----------------------------------------------------------------------------------

test('strategic merge patch with a list item lacking its merge key → 4xx naming the key, object unchanged', async () => {
  const path = await newDeployment();
  await unchanged(path, async () => {
    const body = JSON.stringify({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } });
    // A real kube-apiserver answers this with a 500; a 4xx is what the client's mistake deserves.
    assertStatus(await patch(path, STRATEGIC, body), [400, 422], /merge key/, /\bname\b/);
  });
});

// ---- server-side apply --------------------------------------------------------------------------------------

test('apply without fieldManager → 422 Invalid naming fieldManager, object unchanged', async () => {
  const path = await newConfigMap();
  const name = path.split('/').pop()!;
  await unchanged(path, async () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  color: red\n`;
    const s = assertStatus(await patch(path, APPLY, body), 422, /fieldManager/, /required/i);
    assert.equal(s['reason'], 'Invalid');
    assert.ok((s['details']?.['causes'] as Json[] | undefined)?.some((c) => c['field'] === 'fieldManager' && c['reason'] === 'FieldValueRequired'), r2s(s));
  });
});

test('apply that conflicts with another manager → 409 with a cause naming the field and the manager, object unchanged', async () => {
  const name = `cm-${++counter}`;
  const path = `${CMS}/${name}`;
  const body = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: ${v}\n`;
  const first = await patch(path, APPLY, body('one'), '?fieldManager=alice');
  assert.equal(first.status, 201, first.body);
  await unchanged(path, async () => {
    const s = assertStatus(await patch(path, APPLY, body('two'), '?fieldManager=bob'), 409, /conflict/i, /"alice"/, /\.data\.key/);
    assert.equal(s['reason'], 'Conflict');
    const causes = (s['details']?.['causes'] ?? []) as Json[];
    assert.ok(causes.some((c) => c['reason'] === 'FieldManagerConflict' && c['field'] === '.data.key' && /alice/.test(String(c['message']))), r2s(s));
  });
  const forced = await patch(path, APPLY, body('two'), '?fieldManager=bob&force=true');
  assert.equal(forced.status, 200, forced.body);
  assert.equal(forced.json<Json>()['data']['key'], 'two');
});

const r2s = (s: unknown): string => JSON.stringify(s);

// ---- fieldValidation ----------------------------------------------------------------------------------------

const cmBody = (name: string, extra: Json = {}): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { color: 'blue' }, ...extra });

test('fieldValidation=Strict with an unknown field on create → 400 naming it, nothing created', async () => {
  const name = `cm-${++counter}`;
  const r = await kage.request('POST', `${CMS}?fieldValidation=Strict`, { body: cmBody(name, { bogus: 1 }) });
  const s = assertStatus(r, 400, /unknown field "bogus"/);
  assert.equal(s['reason'], 'BadRequest');
  const get = await kage.request('GET', `${CMS}/${name}`);
  assert.equal(get.status, 404);
});

test('fieldValidation=Strict with an unknown field on update → 400 naming it, object unchanged', async () => {
  const path = await newConfigMap();
  const name = path.split('/').pop()!;
  await unchanged(path, async () => {
    const current = await read(path);
    const body = { ...cmBody(name, { bogus: 1 }), metadata: { name, resourceVersion: current['metadata']['resourceVersion'] }, data: { color: 'red' } };
    assertStatus(await kage.request('PUT', `${path}?fieldValidation=Strict`, { body }), 400, /unknown field "bogus"/);
  });
});

for (const type of [MERGE, STRATEGIC]) {
  test(`fieldValidation=Strict with an unknown field in a ${type} patch → 400 naming it, object unchanged`, async () => {
    const path = await newConfigMap();
    await unchanged(path, async () => {
      const body = JSON.stringify({ data: { color: 'red' }, metadata: { bogusMeta: 'x' } });
      assertStatus(await patch(path, type, body, '?fieldValidation=Strict'), 400, /unknown field "metadata\.bogusMeta"/);
    });
  });
}

test('fieldValidation=Warn: 2xx with a Warning header naming the unknown field, which is dropped (create, update, patch)', async () => {
  const name = `cm-${++counter}`;
  const path = `${CMS}/${name}`;
  const warningOf = (r: HttpResponse): string => {
    const w = r.headers['warning'];
    return Array.isArray(w) ? w.join('\n') : (w ?? '');
  };

  const created = await kage.request('POST', `${CMS}?fieldValidation=Warn`, { body: cmBody(name, { bogus: 1 }) });
  assert.equal(created.status, 201, created.body);
  assert.match(warningOf(created), /^299 - ".*unknown field \\"bogus\\".*"$/m);
  assert.equal(created.json<Json>()['bogus'], undefined);

  const current = await read(path);
  const updated = await kage.request('PUT', `${path}?fieldValidation=Warn`, {
    body: { ...cmBody(name, { alsoBogus: true }), metadata: { name, resourceVersion: current['metadata']['resourceVersion'] }, data: { color: 'red' } },
  });
  assert.equal(updated.status, 200, updated.body);
  assert.match(warningOf(updated), /unknown field \\"alsoBogus\\"/);
  assert.equal(updated.json<Json>()['data']['color'], 'red');

  const patched = await patch(path, MERGE, JSON.stringify({ data: { color: 'green' }, spec: { x: 1 } }), '?fieldValidation=Warn');
  assert.equal(patched.status, 200, patched.body);
  assert.match(warningOf(patched), /unknown field \\"spec\\"/);

  const stored = await read(path);
  assert.deepEqual(stored['data'], { color: 'green' });
  for (const k of ['bogus', 'alsoBogus', 'spec']) assert.equal(stored[k], undefined, `${k} was stored`);
});

test('fieldValidation=Strict with duplicate JSON keys → 400 "duplicate field" (create, update, patch), nothing changed', async () => {
  const name = `cm-${++counter}`;
  const dupCreate = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","name":"${name}-2"},"data":{"color":"blue"}}`;
  const created = await kage.request('POST', `${CMS}?fieldValidation=Strict`, { body: dupCreate, headers: { 'Content-Type': 'application/json' } });
  assertStatus(created, 400, /duplicate field "(metadata\.)?name"/);
  for (const n of [name, `${name}-2`]) assert.equal((await kage.request('GET', `${CMS}/${n}`)).status, 404);

  const path = await newConfigMap();
  const existing = path.split('/').pop()!;
  await unchanged(path, async () => {
    const current = await read(path);
    const dupUpdate = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${existing}","resourceVersion":"${current['metadata']['resourceVersion']}"},"data":{"color":"red","color":"green"}}`;
    assertStatus(await kage.request('PUT', `${path}?fieldValidation=Strict`, { body: dupUpdate, headers: { 'Content-Type': 'application/json' } }), 400, /duplicate field "(data\.)?color"/);
    assertStatus(await patch(path, MERGE, '{"data":{"color":"red","color":"green"}}', '?fieldValidation=Strict'), 400, /duplicate field "(data\.)?color"/);
  });
});
