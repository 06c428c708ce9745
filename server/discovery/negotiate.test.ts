import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedContentType, negotiateDiscovery, parseAccept } from './negotiate.js';

const KUBECTL_132 =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

const root = { aggregated: true };
const other = { aggregated: false };

function kindOf(accept: string | undefined, opts = root): string {
  const n = negotiateDiscovery(accept, opts);
  return n.kind === 'aggregated' ? `aggregated ${n.version}` : n.kind;
}

test("kubectl 1.32's Accept gets aggregated v2 on /api and /apis, legacy JSON elsewhere", () => {
  const n = negotiateDiscovery(KUBECTL_132, root);
  assert.deepEqual(n, { kind: 'aggregated', version: 'v2', contentType: V2, pretty: false });
  assert.equal(kindOf(KUBECTL_132, other), 'legacy');
});

test('v2beta1 alone, or first, gets v2beta1', () => {
  assert.equal(kindOf(V2BETA1), 'aggregated v2beta1');
  assert.equal(kindOf(`${V2BETA1},${V2},application/json`), 'aggregated v2beta1');
  assert.equal(negotiateDiscovery(V2BETA1, root).kind === 'aggregated' && aggregatedContentType('v2beta1'), V2BETA1);
});

test('q-values order the clauses', () => {
  assert.equal(kindOf(`${V2};q=0.5,${V2BETA1}`), 'aggregated v2beta1');
  assert.equal(kindOf(`application/json;q=0.4,${V2};q=0.5`), 'aggregated v2');
  // As in kube-apiserver, any acceptable aggregated clause beats legacy JSON on /api and /apis, whatever
  // their q-values: the aggregated handler is chosen first, among aggregated clauses only.
  assert.equal(kindOf(`${V2};q=0.5,application/json;q=0.9`), 'aggregated v2');
  assert.equal(kindOf(`${V2};q=0.5,application/json;q=0.9`, other), 'legacy');
});

test('plain JSON, wildcards and no Accept at all get the legacy document', () => {
  for (const accept of [undefined, '', 'application/json', '*/*', '*', 'application/*', 'Application/JSON', 'text/html, */*;q=0.1']) {
    assert.equal(kindOf(accept), 'legacy', String(accept));
  }
});

test('protobuf without a JSON alternative is not acceptable; with */* it is JSON', () => {
  const n = negotiateDiscovery('application/vnd.kubernetes.protobuf', root);
  assert.deepEqual(n, { kind: 'not-acceptable', message: 'only the following media types are accepted: application/json' });
  assert.equal(kindOf('application/vnd.kubernetes.protobuf', other), 'not-acceptable');
  assert.equal(kindOf('application/vnd.kubernetes.protobuf, */*'), 'legacy');
  assert.equal(kindOf('application/vnd.kubernetes.protobuf, */*', other), 'legacy');
  assert.equal(kindOf('application/yaml'), 'not-acceptable');
});

test('aggregated protobuf is passed over for aggregated JSON', () => {
  const accept = `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2},application/json`;
  assert.equal(kindOf(accept), 'aggregated v2');
});

test('transformations discovery cannot do are passed over', () => {
  // Only the aggregated kind, in a version that exists.
  assert.equal(kindOf('application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList'), 'not-acceptable');
  assert.equal(kindOf('application/json;as=Table;v=v1;g=meta.k8s.io'), 'not-acceptable');
  assert.equal(kindOf('application/json;as=Table;v=v1;g=meta.k8s.io,application/json'), 'legacy');
  // Aggregated discovery only on /api and /apis.
  assert.equal(kindOf(V2, other), 'not-acceptable');
  // A server version or a non-watch stream cannot be honoured.
  assert.equal(kindOf('application/json;sv=v1'), 'not-acceptable');
  assert.equal(kindOf('application/json;stream=other'), 'not-acceptable');
  assert.equal(kindOf('application/json;stream=watch'), 'legacy');
  assert.equal(kindOf('application/json;foo=bar'), 'legacy');
});

test('q=0 means not acceptable', () => {
  assert.equal(kindOf('application/json;q=0'), 'not-acceptable');
  assert.equal(kindOf(`${V2};q=0,application/json`), 'legacy');
});

test('pretty=1 asks for indented output', () => {
  assert.deepEqual(negotiateDiscovery('application/json;pretty=1', other), { kind: 'legacy', contentType: 'application/json', pretty: true });
  const n = negotiateDiscovery(`${V2};pretty=1`, root);
  assert.ok(n.kind === 'aggregated' && n.pretty);
});

test('parseAccept: q first, then specific before wildcard, else header order', () => {
  const clauses = parseAccept('*/*;q=0.1, text/*, text/html;level=1, application/json;q=0.9, image/png; q="0.9", bad, a/b/c, ;x=1');
  assert.deepEqual(
    clauses.map((c) => `${c.type}/${c.subtype};${c.q}`),
    ['text/html;1', 'text/*;1', 'application/json;0.9', 'image/png;0.9', '*/*;0.1'],
  );
  assert.deepEqual(clauses[0]?.params, { level: '1' });
});

test('parameters: names are case-insensitive, spaces around them ignored', () => {
  const [c] = parseAccept('application/json; G=apidiscovery.k8s.io ; V=v2 ;AS=APIGroupDiscoveryList');
  assert.deepEqual(c?.params, { g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' });
  assert.equal(kindOf('application/json; G=apidiscovery.k8s.io ; V=v2 ;AS=APIGroupDiscoveryList'), 'aggregated v2');
});
