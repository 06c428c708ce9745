// Server-side apply and managedFields over HTTPS against a running kage: PATCH application/apply-patch+yaml
// creates (201) and updates (200), the options are validated with the real server's messages (a missing
// fieldManager is 422 Invalid on PatchOptions, force on a non-apply patch too), a body that is not YAML is 400,
// conflicts are 409 with a cause per field, dryRun stores nothing, and every verb records an Update entry for
// its manager (the fieldManager parameter, else the User-Agent's first part).
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

const CMS = '/api/v1/namespaces/default/configmaps';
const APPLY = 'application/apply-patch+yaml';

interface Entry { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string }

function apply(name: string, body: string, query: string) {
  return k.request('PATCH', `${CMS}/${name}${query}`, { body, headers: { 'content-type': APPLY } });
}

function cmYaml(name: string, data: Record<string, string>): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data).map(([a, b]) => `  ${a}: "${b}"`).join('\n')}\n`;
}

test('apply creates (201), then updates (200); JSON bodies work too', async () => {
  const created = await apply('ssa-create', cmYaml('ssa-create', { a: '1' }), '?fieldManager=tool');
  assert.equal(created.status, 201, created.body);
  const obj = created.json();
  assert.deepEqual(obj.data, { a: '1' });
  assert.ok(obj.metadata.uid);
  assert.deepEqual(obj.metadata.managedFields.map((e: Entry) => [e.manager, e.operation, e.apiVersion, e.fieldsType, e.fieldsV1]), [
    ['tool', 'Apply', 'v1', 'FieldsV1', { 'f:data': { 'f:a': {} } }],
  ]);
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-create' }, data: { a: '1', b: '2' } });
  const updated = await apply('ssa-create', json, '?fieldManager=tool');
  assert.equal(updated.status, 200, updated.body);
  assert.deepEqual(updated.json().data, { a: '1', b: '2' });
  assert.notEqual(updated.json().metadata.resourceVersion, obj.metadata.resourceVersion);
});

test('apply without fieldManager → 422 Invalid on PatchOptions, with the real message', async () => {
  const r = await apply('ssa-nofm', cmYaml('ssa-nofm', { a: '1' }), '');
  assert.equal(r.status, 422, r.body);
  assert.deepEqual(r.json(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    reason: 'Invalid',
    details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    code: 422,
  });
  assert.equal((await k.request('GET', `${CMS}/ssa-nofm`)).status, 404);
});

test('options: force on a non-apply patch and an overlong fieldManager are 422; a bad force is 400', async () => {
  await k.request('POST', CMS, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-opts' } } });
  const forced = await k.request('PATCH', `${CMS}/ssa-opts?force=true`, { body: '{}', headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(forced.status, 422, forced.body);
  assert.equal(forced.json().message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  const long = await k.request('POST', `${CMS}?fieldManager=${'x'.repeat(129)}`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-long' } } });
  assert.equal(long.status, 422, long.body);
  assert.match(long.json().message, /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes/);
  const badForce = await apply('ssa-opts', cmYaml('ssa-opts', { a: '1' }), '?fieldManager=x&force=maybe');
  assert.equal(badForce.status, 400, badForce.body);
});

test('bad apply bodies → 400 naming the problem, nothing changed', async () => {
  const notYaml = await apply('ssa-bad', 'apiVersion: v1\nkind: ConfigMap\ndata: [\n  a: b\n', '?fieldManager=x');
  assert.equal(notYaml.status, 400, notYaml.body);
  assert.match(notYaml.json().message, /yaml/i);
  const wrongVersion = await apply('ssa-bad', 'apiVersion: v2\nkind: ConfigMap\nmetadata:\n  name: ssa-bad\n', '?fieldManager=x');
  assert.equal(wrongVersion.status, 400, wrongVersion.body);
  assert.equal(wrongVersion.json().message, 'Incorrect version specified in apply patch. Specified patch version: v2, expected: v1');
  const wrongName = await apply('ssa-bad', cmYaml('other', { a: '1' }), '?fieldManager=x');
  assert.equal(wrongName.status, 400, wrongName.body);
  assert.match(wrongName.json().message, /does not match the name on the URL/);
  const managed = await apply('ssa-bad', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-bad\n  managedFields: []\n', '?fieldManager=x');
  assert.equal(managed.status, 400, managed.body);
  assert.equal(managed.json().message, 'metadata.managedFields must be nil');
  const keyless = await k.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/ssa-bad?fieldManager=x', {
    headers: { 'content-type': APPLY },
    body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa-bad\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n      - image: nginx\n',
  });
  assert.equal(keyless.status, 400, keyless.body);
  assert.match(keyless.json().message, /\.spec\.template\.spec\.containers: element 0: .*omits all key fields \["name"\]/);
  const strict = await apply('ssa-bad', `${cmYaml('ssa-bad', { a: '1' })}bogus: 1\n`, '?fieldManager=x&fieldValidation=Strict');
  assert.equal(strict.status, 400, strict.body);
  assert.match(strict.json().message, /unknown field "bogus"/);
  assert.equal((await k.request('GET', `${CMS}/ssa-bad`)).status, 404);
});

test('conflicts → 409 with a cause per field; force moves ownership; dryRun stores nothing', async () => {
  assert.equal((await apply('ssa-conflict', cmYaml('ssa-conflict', { key: 'one', other: 'x' }), '?fieldManager=alice')).status, 201);
  const conflict = await apply('ssa-conflict', cmYaml('ssa-conflict', { key: 'two' }), '?fieldManager=bob');
  assert.equal(conflict.status, 409, conflict.body);
  assert.deepEqual(conflict.json(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Apply failed with 1 conflict: conflict with "alice": .data.key', reason: 'Conflict',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.key' }] },
    code: 409,
  });
  const dry = await apply('ssa-conflict', cmYaml('ssa-conflict', { key: 'two' }), '?fieldManager=bob&force=true&dryRun=All');
  assert.equal(dry.status, 200, dry.body);
  assert.equal(dry.json().data.key, 'two');
  assert.equal((await k.request('GET', `${CMS}/ssa-conflict`)).json().data.key, 'one');
  const dryCreate = await apply('ssa-dry', cmYaml('ssa-dry', { a: '1' }), '?fieldManager=bob&dryRun=All');
  assert.equal(dryCreate.status, 201, dryCreate.body);
  assert.equal((await k.request('GET', `${CMS}/ssa-dry`)).status, 404);

  const forced = await apply('ssa-conflict', cmYaml('ssa-conflict', { key: 'two' }), '?fieldManager=bob&force=true');
  assert.equal(forced.status, 200, forced.body);
  const mf = new Map<string, Entry>(forced.json().metadata.managedFields.map((e: Entry) => [e.manager, e]));
  assert.deepEqual(mf.get('alice')!.fieldsV1, { 'f:data': { 'f:other': {} } });
  assert.deepEqual(mf.get('bob')!.fieldsV1, { 'f:data': { 'f:key': {} } });
});

test('every verb records an Update entry: the fieldManager parameter, else the User-Agent', async () => {
  const created = await k.request('POST', CMS, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tracked' }, data: { a: '1' } },
    headers: { 'user-agent': 'curl/8.5.0' },
  });
  assert.equal(created.status, 201, created.body);
  const e0 = created.json().metadata.managedFields as Entry[];
  assert.deepEqual(e0.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType, e.fieldsV1]), [['curl', 'Update', 'v1', 'FieldsV1', { 'f:data': { '.': {}, 'f:a': {} } }]]);
  assert.match(e0[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const cur = created.json();
  const put = await k.request('PUT', `${CMS}/tracked?fieldManager=replacer`, { body: { ...cur, data: { a: '1', b: '2' } } });
  assert.equal(put.status, 200, put.body);
  const patched = await k.request('PATCH', `${CMS}/tracked`, {
    body: JSON.stringify({ data: { c: '3' } }), headers: { 'content-type': 'application/merge-patch+json', 'user-agent': 'kubectl/v1.32.0 (linux/amd64)' },
  });
  assert.equal(patched.status, 200, patched.body);
  const mf = new Map<string, Entry>(patched.json().metadata.managedFields.map((e: Entry) => [e.manager, e]));
  assert.deepEqual([...mf.keys()].sort(), ['curl', 'kubectl', 'replacer']);
  assert.deepEqual(mf.get('replacer')!.fieldsV1, { 'f:data': { 'f:b': {} } });
  assert.deepEqual(mf.get('kubectl')!.fieldsV1, { 'f:data': { 'f:c': {} } });

  // A write that changes nothing changes nothing, managedFields included.
  const again = await k.request('PATCH', `${CMS}/tracked?fieldManager=someone`, {
    body: JSON.stringify({ data: { c: '3' } }), headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(again.json().metadata.resourceVersion, patched.json().metadata.resourceVersion);
  assert.deepEqual(again.json().metadata.managedFields, patched.json().metadata.managedFields);

  // dryRun creates answer with managedFields and store nothing.
  const dry = await k.request('POST', `${CMS}?dryRun=All&fieldManager=dry`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: '1' } } });
  assert.equal(dry.status, 201, dry.body);
  assert.equal(dry.json().metadata.managedFields[0].manager, 'dry');
  assert.equal((await k.request('GET', `${CMS}/dry`)).status, 404);
});
