// kage's own OpenAPI, over HTTP and through the real kubectl: the /openapi/v3 index and group version documents
// (with the extensions and PATCH/POST/PUT parameters clients read, ETag/304 and the immutable caching of hashed
// URLs, as a real kube-apiserver 1.32 serves them: ../shared/reference/kube-apiserver-1.32/openapi-v3-*),
// /openapi/v2 as JSON, and `kubectl explain` on three kinds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk, startKage, type HttpResponse, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

interface Index {
  paths: Record<string, { serverRelativeURL: string }>;
}
type Json = Record<string, any>;

const HASHED = /^\/openapi\/v3\/(.+)\?hash=([0-9A-F]{128})$/;

async function index(): Promise<Index> {
  const r = await kage.request('GET', '/openapi/v3', { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200, r.body);
  return r.json<Index>();
}

/** The index entry of a group version: its URL and hash. */
async function entryOf(path: string): Promise<{ url: string; hash: string }> {
  const idx = await index();
  const e = idx.paths[path];
  assert.ok(e, `${path} is not in the /openapi/v3 index: ${Object.keys(idx.paths).join(', ')}`);
  const m = HASHED.exec(e.serverRelativeURL);
  assert.ok(m, `serverRelativeURL of ${path}: ${e.serverRelativeURL}`);
  assert.equal(m[1], path);
  return { url: e.serverRelativeURL, hash: m[2]! };
}

function header(r: HttpResponse, name: string): string | undefined {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** A parameter list with $refs resolved (documents may share parameters under components.parameters). */
function paramNames(doc: Json, params: Json[] | undefined): string[] {
  return (params ?? []).map((p) => {
    if (typeof p['$ref'] === 'string') {
      const name = (p['$ref'] as string).replace(/^#\/components\/parameters\//, '');
      return doc['components']?.['parameters']?.[name]?.['name'] as string;
    }
    return p['name'] as string;
  });
}

test('/openapi/v3 index lists api/v1 and apis/apps/v1 with ?hash=', async () => {
  const idx = await index();
  for (const p of ['api/v1', 'apis/apps/v1', 'apis/apiregistration.k8s.io/v1']) {
    assert.match(idx.paths[p]?.serverRelativeURL ?? '', HASHED, `${p} in ${JSON.stringify(Object.keys(idx.paths))}`);
  }
});

test('/openapi/v3/apis/apps/v1: group-version-kind, merge keys, and fieldValidation/dryRun on PATCH, POST and PUT', async () => {
  const { url } = await entryOf('apis/apps/v1');
  const r = await kage.request('GET', url, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200, r.body);
  assert.match(header(r, 'content-type') ?? '', /^application\/json/);
  const doc = r.json<Json>();
  assert.match(String(doc['openapi']), /^3\./);
  const schemas = doc['components']['schemas'] as Json;
  const deployment = schemas['io.k8s.api.apps.v1.Deployment'];
  assert.ok(deployment, Object.keys(schemas).join(', '));
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const containers = schemas['io.k8s.api.core.v1.PodSpec']?.['properties']?.['containers'];
  assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers?.['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers?.['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers?.['x-kubernetes-list-map-keys'], ['name']);

  const item = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.ok(item, Object.keys(doc['paths']).join(', '));
  for (const verb of ['patch', 'put']) {
    const names = paramNames(doc, item[verb]?.['parameters']);
    for (const p of ['fieldValidation', 'dryRun', 'fieldManager']) assert.ok(names.includes(p), `${verb}: ${names.join(', ')}`);
  }
  assert.ok(paramNames(doc, item['patch']['parameters']).includes('force'));
  const patchTypes = Object.keys(item['patch']['requestBody']?.['content'] ?? {});
  for (const t of ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']) {
    assert.ok(patchTypes.includes(t), `PATCH request body types: ${patchTypes.join(', ')}`);
  }
  const post = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments']?.['post'];
  const postNames = paramNames(doc, post?.['parameters']);
  for (const p of ['fieldValidation', 'dryRun']) assert.ok(postNames.includes(p), `post: ${postNames.join(', ')}`);
});

test('/openapi/v3/api/v1 describes ConfigMap with its group-version-kind', async () => {
  const { url } = await entryOf('api/v1');
  const r = await kage.request('GET', url);
  assert.equal(r.status, 200, r.body);
  const doc = r.json<Json>();
  assert.deepEqual(doc['components']['schemas']['io.k8s.api.core.v1.ConfigMap']?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  const names = paramNames(doc, doc['paths']['/api/v1/namespaces/{namespace}/configmaps/{name}']?.['patch']?.['parameters']);
  for (const p of ['fieldValidation', 'dryRun']) assert.ok(names.includes(p), names.join(', '));
});

test('/openapi/v3 documents: hashed URL is public, immutable with ETag = hash; 304 on If-None-Match; stale hash redirects', async () => {
  const { url, hash } = await entryOf('apis/apps/v1');
  const r = await kage.request('GET', url);
  assert.equal(r.status, 200);
  assert.equal(header(r, 'cache-control'), 'public, immutable');
  assert.equal(header(r, 'etag'), `"${hash}"`);
  assert.ok(header(r, 'expires'), 'Expires is set for a hashed URL');

  const again = await kage.request('GET', url, { headers: { 'If-None-Match': `"${hash}"` } });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal(header(again, 'etag'), `"${hash}"`);

  // Without the hash: the same document, not cacheable.
  const plain = await kage.request('GET', '/openapi/v3/apis/apps/v1');
  assert.equal(plain.status, 200);
  assert.equal(header(plain, 'cache-control'), 'no-cache, private');
  assert.equal(header(plain, 'etag'), `"${hash}"`);
  assert.equal(plain.body, r.body);

  // A stale hash sends the client to the current one.
  const stale = await kage.request('GET', `/openapi/v3/apis/apps/v1?hash=${'0'.repeat(128)}`);
  assert.equal(stale.status, 301);
  assert.equal(header(stale, 'location'), url);
});

test('/openapi/v2 is served as JSON, with ETag and 304', async () => {
  const r = await kage.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200);
  assert.match(header(r, 'content-type') ?? '', /^application\/json/);
  const doc = r.json<Json>();
  assert.equal(doc['swagger'], '2.0');
  assert.deepEqual(doc['definitions']['io.k8s.api.apps.v1.Deployment']?.['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const names = paramNames(doc, doc['paths']['/api/v1/namespaces/{namespace}/configmaps/{name}']?.['patch']?.['parameters']);
  for (const p of ['fieldValidation', 'dryRun']) assert.ok(names.includes(p), names.join(', '));
  const etag = header(r, 'etag');
  assert.match(etag ?? '', /^"[0-9A-F]+"$/);
  const again = await kage.request('GET', '/openapi/v2', { headers: { Accept: 'application/json', 'If-None-Match': etag! } });
  assert.equal(again.status, 304);

  // What kubectl asks for first: protobuf, or a clean 406 so that it falls back to JSON.
  const pb = await kage.request('GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
  assert.ok(pb.status === 200 || pb.status === 406, `protobuf Accept → ${pb.status}`);
  if (pb.status === 200) assert.match(header(pb, 'content-type') ?? '', /protobuf/);
});

// ---- kubectl explain (OpenAPI v3 through kubectl's own client) --------------------------------------------

test('kubectl explain configmap prints its fields', async () => {
  const out = await kubectlOk(kage, ['explain', 'configmap']);
  assert.match(out, /^KIND:\s+ConfigMap$/m, out);
  assert.match(out, /^VERSION:\s+v1$/m, out);
  assert.match(out, /^FIELDS:$/m, out);
  assert.match(out, /^\s+data\s+<map\[string\]string>$/m, out);
  assert.match(out, /^\s+binaryData\s+<map\[string\]string>$/m, out);
  assert.match(out, /^\s+immutable\s+<boolean>$/m, out);
  assert.match(out, /^\s+metadata\s+<ObjectMeta>$/m, out);
});

test('kubectl explain deployment.spec.template prints its fields', async () => {
  const out = await kubectlOk(kage, ['explain', 'deployment.spec.template']);
  assert.match(out, /^GROUP:\s+apps$/m, out);
  assert.match(out, /^KIND:\s+Deployment$/m, out);
  assert.match(out, /^FIELD:\s+template <PodTemplateSpec>$/m, out);
  assert.match(out, /^\s+metadata\s+<ObjectMeta>$/m, out);
  assert.match(out, /^\s+spec\s+<PodSpec>$/m, out);
  const containers = await kubectlOk(kage, ['explain', 'deployment.spec.template.spec.containers']);
  assert.match(containers, /^\s+image\s+<string>$/m, containers);
  assert.match(containers, /^\s+name\s+<string> -required-$/m, containers);
});

test('kubectl explain apiservice.spec prints its fields', async () => {
  const out = await kubectlOk(kage, ['explain', 'apiservice.spec']);
  assert.match(out, /^GROUP:\s+apiregistration\.k8s\.io$/m, out);
  assert.match(out, /^KIND:\s+APIService$/m, out);
  assert.match(out, /^\s+groupPriorityMinimum\s+<integer> -required-$/m, out);
  assert.match(out, /^\s+versionPriority\s+<integer> -required-$/m, out);
  for (const f of ['caBundle', 'group', 'insecureSkipTLSVerify', 'service', 'version']) {
    assert.match(out, new RegExp(`^\\s+${f}\\s+<`, 'm'), out);
  }
});
