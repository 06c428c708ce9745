import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireReader } from '../protobuf/wire.js';
import { builtinResources } from '../registry/resources/index.js';
import { buildDocuments } from './documents.js';
import { encodeOpenAPIV2 } from './protobuf-v2.js';

/** A decoded message: field number → values (numbers for varints, byte arrays for length-delimited). */
type Fields = Map<number, Array<number | Uint8Array>>;

function decode(bytes: Uint8Array): Fields {
  const r = new WireReader(bytes);
  const out: Fields = new Map();
  while (!r.done) {
    const { field, wire } = r.readTag();
    const v = wire === 0 ? r.readUint64() : wire === 2 ? r.readBytes() : assert.fail(`unexpected wire type ${wire}`);
    let list = out.get(field);
    if (!list) out.set(field, (list = []));
    list.push(v);
  }
  return out;
}

const str = (v: number | Uint8Array | undefined): string => Buffer.from(v as Uint8Array).toString('utf8');
const msg = (v: number | Uint8Array | undefined): Fields => decode(v as Uint8Array);
const one = (m: Fields, f: number): number | Uint8Array | undefined => m.get(f)?.[0];

/** Name → value message of a repeated Named* field. */
function named(m: Fields, f: number): Map<string, Fields> {
  return new Map((m.get(f) ?? []).map((e) => {
    const entry = msg(e);
    return [str(one(entry, 1)), msg(one(entry, 2))];
  }));
}

/** Extension name → parsed value of a schema or operation (NamedAny{name, Any{yaml}}). */
function extensions(m: Fields, f: number): Map<string, unknown> {
  return new Map([...named(m, f)].map(([k, any]) => [k, JSON.parse(str(one(any, 2)))]));
}

const doc = JSON.parse(buildDocuments(builtinResources).v2.text) as Record<string, unknown>;
const bytes = encodeOpenAPIV2(doc);

test('the document header, definitions and their extensions decode as gnostic reads them', () => {
  const d = decode(bytes);
  assert.equal(str(one(d, 1)), '2.0');
  const info = msg(one(d, 2));
  assert.equal(str(one(info, 1)), 'Kubernetes');
  const defs = named(msg(one(d, 9)), 1);
  assert.equal(defs.size, Object.keys(doc['definitions'] as object).length);
  const cm = defs.get('io.k8s.api.core.v1.ConfigMap')!;
  assert.deepEqual(extensions(cm, 31).get('x-kubernetes-group-version-kind'), [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  assert.equal(str(one(msg(one(cm, 22)), 1)), 'object');
  const props = named(msg(one(cm, 25)), 1);
  assert.deepEqual([...props.keys()], ['apiVersion', 'binaryData', 'data', 'immutable', 'kind', 'metadata']);
  assert.equal(str(one(props.get('metadata')!, 1)), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const data = props.get('data')!;
  const valueSchema = msg(one(msg(one(data, 21)), 1));
  assert.equal(str(one(msg(one(valueSchema, 22)), 1)), 'string');
  const containers = named(msg(one(defs.get('io.k8s.api.core.v1.PodSpec')!, 25)), 1).get('containers')!;
  const ext = extensions(containers, 31);
  assert.equal(ext.get('x-kubernetes-patch-merge-key'), 'name');
  assert.equal(ext.get('x-kubernetes-patch-strategy'), 'merge');
  assert.deepEqual(ext.get('x-kubernetes-list-map-keys'), ['name']);
  const items = msg(one(msg(one(containers, 23)), 1));
  assert.equal(str(one(items, 1)), '#/definitions/io.k8s.api.core.v1.Container');
  assert.deepEqual((defs.get('io.k8s.api.core.v1.PodSpec')!.get(19) ?? []).map(str), ['containers']);
});

test('PATCH operations carry their GVK and the fieldValidation query parameter', () => {
  const d = decode(bytes);
  const paths = named(msg(one(d, 8)), 2);
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
  const patch = msg(one(item, 8));
  assert.equal(str(one(patch, 5)), 'patchAppsV1NamespacedDeployment');
  assert.deepEqual((patch.get(7) ?? []).map(str).sort(), [
    'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.deepEqual(extensions(patch, 13).get('x-kubernetes-group-version-kind'), { group: 'apps', kind: 'Deployment', version: 'v1' });
  const queryNames = (patch.get(8) ?? []).flatMap((p) => {
    const parameter = msg(one(msg(p), 1));
    const nonBody = parameter.get(2);
    if (!nonBody) return [];
    const query = one(msg(nonBody[0]), 3);
    return query ? [str(one(msg(query), 4))] : [];
  });
  for (const q of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(queryNames.includes(q), q);
  const body = msg(one(msg(one(msg((patch.get(8) ?? [])[0]), 1)), 1));
  assert.equal(str(one(body, 2)), 'body');
  assert.equal(one(body, 4), 1, 'required');
  // Path-level parameters: name and namespace in the path.
  const pathParams = (item.get(9) ?? []).map((p) => msg(one(msg(one(msg(p), 1)), 2)));
  assert.ok(pathParams.some((np) => np.has(4) && str(one(msg(one(np, 4)), 4)) === 'name'));
});

test('what the encoder does not know is refused, not dropped', () => {
  assert.throws(() => encodeOpenAPIV2({ swagger: '2.0', host: 'x' }), /document has 'host'/);
  assert.throws(() => encodeOpenAPIV2({ definitions: { X: { enum: ['a'] } } }), /X has 'enum'/);
});
