// Field sets: what server-side apply owns of an object, in the FieldsV1 form a real kube-apiserver writes.
// Expected sets follow structured-merge-diff's rules (typed.ToFieldSet): leaves, map entries, list elements
// and empty/null fields are paths; a struct field holding something is there only through what it holds;
// lists with keys (or a strategic merge key) are keyed by `k:{…}` with the keys sorted, sets by `v:…`, atomic
// lists and structs are leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../../e2e/reference.js';
import { schemaForKind } from '../schema/index.js';
import {
  compareElements, FieldSet, FieldSetError, fieldSetOf, keyElement, pathString, shapeOf, valueElement,
} from './field-set.js';

const deploymentSchema = schemaForKind('apps', 'v1', 'Deployment')!;

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['example.com/keep'] },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: {},
            },
            { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

test('the field set of a Deployment: containers by name, ports by containerPort+protocol, env by name', () => {
  const set = fieldSetOf(deployment(), deploymentSchema);
  assert.deepEqual(set.toFieldsV1(), {
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': {
      'f:finalizers': { 'v:"example.com/keep"': {} },
      'f:labels': { 'f:app': {} },
      'f:name': {},
    },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:env': {
                'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:valueFrom': { 'f:fieldRef': {} } },
              },
              'f:image': {},
              'f:name': {},
              'f:ports': {
                // Keys sorted by name; the protocol key defaults to TCP; elements in value order (53 before 80).
                'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
              },
              'f:resources': {},
            },
            'k:{"name":"sidecar"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} },
          },
          'f:tolerations': {},
        },
      },
    },
  });
  assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']));
  assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}']));
  // A struct field that holds something is not a path of its own; a map entry is.
  assert.ok(!set.has(['f:spec']));
  assert.ok(set.has(['f:metadata', 'f:labels', 'f:app']));
  assert.ok(!set.has(['f:metadata', 'f:labels']));
});

test('fieldSetOf: null and empty fields are paths; undeclared fields are leaves', () => {
  const set = fieldSetOf({ metadata: { labels: {}, annotations: null }, spec: { template: { spec: { nodeSelector: { a: 'b' } } } } }, deploymentSchema);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(set.has(['f:metadata', 'f:annotations']));
  // nodeSelector is an atomic map: owned as a whole.
  assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:nodeSelector']));
  assert.ok(!set.has(['f:spec', 'f:template', 'f:spec', 'f:nodeSelector', 'f:a']));
  const odd = fieldSetOf({ spec: { bogus: { x: 1 } } }, deploymentSchema);
  assert.deepEqual(odd.toFieldsV1(), { 'f:spec': { 'f:bogus': {} } });
});

test('fieldSetOf: duplicated list elements are owned as a whole; keyless elements are errors naming the path', () => {
  const dup = fieldSetOf({ spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } } } }, deploymentSchema);
  assert.deepEqual(dup.toFieldsV1(), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': {} } } } } });
  assert.throws(
    () => fieldSetOf({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deploymentSchema),
    (err: unknown) => err instanceof FieldSetError && err.message.startsWith('.spec.template.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"]'),
  );
});

test('schema shapes: listType, merge keys, atomic structs and maps', () => {
  const podSpec = schemaForKind('', 'v1', 'Pod')!.properties!['spec']!;
  assert.equal(shapeOf(podSpec.properties!['containers']).kind, 'list');
  assert.deepEqual(shapeOf(podSpec.properties!['containers']).keys, ['name']);
  assert.equal(shapeOf(podSpec.properties!['tolerations']).kind, 'leaf');
  assert.equal(shapeOf(podSpec.properties!['nodeSelector']).kind, 'leaf');
  const container = podSpec.properties!['containers']!.items!;
  assert.deepEqual(shapeOf(container.properties!['ports']).keys, ['containerPort', 'protocol']);
  assert.equal(shapeOf(container.properties!['args']).kind, 'leaf');
  const meta = schemaForKind('', 'v1', 'ConfigMap')!.properties!['metadata']!;
  assert.equal(shapeOf(meta.properties!['finalizers']).kind, 'set');
  assert.equal(shapeOf(meta.properties!['labels']).kind, 'map');
  assert.equal(shapeOf(meta.properties!['ownerReferences']).kind, 'list');
  assert.equal(shapeOf(deploymentSchema.properties!['spec']!.properties!['selector']).kind, 'leaf');
  assert.equal(shapeOf(meta.properties!['creationTimestamp']).kind, 'leaf');
});

/** Every fieldsV1 value in the reference captures of a real kube-apiserver. */
function capturedFieldsV1(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const collect = (where: string, obj: unknown) => {
    const items = (obj as { items?: unknown[] }).items ?? [obj];
    for (const item of items) {
      const mf = (item as { metadata?: { managedFields?: { fieldsV1?: unknown }[] } }).metadata?.managedFields ?? [];
      for (const e of mf) if (e.fieldsV1) out.push({ where, text: JSON.stringify(e.fieldsV1) });
    }
  };
  for (const file of ['namespaces-list.json', 'apiservices-list.json', 'flunders-list.json']) {
    collect(file, JSON.parse(readFileSync(join(REFERENCE_DIR, file), 'utf8')));
  }
  for (const file of ['watch-configmaps.jsonl', 'watch-flunders.jsonl']) {
    for (const line of readFileSync(join(REFERENCE_DIR, file), 'utf8').split('\n')) {
      if (line.trim()) collect(file, (JSON.parse(line) as { object: unknown }).object);
    }
  }
  return out;
}

test('FieldsV1 round trip: every captured fieldsV1 reads and writes back byte for byte', () => {
  const captured = capturedFieldsV1();
  assert.ok(captured.length >= 10, `only ${captured.length} captured fieldsV1 values`);
  for (const { where, text } of captured) {
    const set = FieldSet.fromFieldsV1(JSON.parse(text));
    assert.equal(JSON.stringify(set.toFieldsV1()), text, where);
    assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set), where);
  }
  const cm = FieldSet.fromFieldsV1({ 'f:data': { '.': {}, 'f:a': {} } });
  assert.deepEqual(cm.paths().map(pathString), ['.data', '.data.a']);
});

test('FieldsV1 reading: keys canonicalized, unknown element types skipped, malformed input refused', () => {
  const set = FieldSet.fromFieldsV1({ 'f:spec': { 'k:{"protocol":"TCP", "containerPort":80}': {}, 'x:what': {} } });
  assert.deepEqual(set.toFieldsV1(), { 'f:spec': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } });
  assert.throws(() => FieldSet.fromFieldsV1({ 'k:{nope': {} }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1({ f: {} }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1([]), FieldSetError);
});

test('element order: fields, then keys, then values, then indexes; keys and values by value', () => {
  const sorted = ['i:1', 'v:"b"', 'k:{"port":443}', 'f:z', 'v:2', 'k:{"port":80}', 'f:a', 'i:0', 'v:10'].sort(compareElements);
  assert.deepEqual(sorted, ['f:a', 'f:z', 'k:{"port":80}', 'k:{"port":443}', 'v:2', 'v:10', 'v:"b"', 'i:0', 'i:1']);
  assert.equal(keyElement([['protocol', 'TCP'], ['containerPort', 80]]), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(valueElement('kubernetes'), 'v:"kubernetes"');
});

test('paths print as the real server prints them in conflicts', () => {
  assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']), '.spec.containers[name="a"].image');
  assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
  assert.equal(pathString(['f:list', 'i:3']), '.list[3]');
});

test('set operations: union, intersection, difference, recursive difference', () => {
  const a = FieldSet.of(['f:data', 'f:a'], ['f:data', 'f:b'], ['f:data'], ['f:spec', 'f:x']);
  const b = FieldSet.of(['f:data', 'f:b'], ['f:spec', 'f:y'], ['f:data']);
  assert.deepEqual(a.union(b).paths().map(pathString), ['.data', '.data.a', '.data.b', '.spec.x', '.spec.y']);
  assert.deepEqual(a.intersection(b).paths().map(pathString), ['.data', '.data.b']);
  assert.deepEqual(a.difference(b).paths().map(pathString), ['.data.a', '.spec.x']);
  // A path of the other set takes everything below it away.
  assert.deepEqual(a.recursiveDifference(FieldSet.of(['f:data'])).paths().map(pathString), ['.spec.x']);
  assert.deepEqual(a.difference(FieldSet.of(['f:data'])).paths().map(pathString), ['.data.a', '.data.b', '.spec.x']);
  assert.ok(a.difference(a).isEmpty());
  assert.ok(a.intersection(new FieldSet()).isEmpty());
  assert.ok(a.union(new FieldSet()).equals(a));
  // Operations leave their inputs alone.
  assert.deepEqual(a.paths().map(pathString), ['.data', '.data.a', '.data.b', '.spec.x']);
  assert.ok(!new FieldSet().has([]));
});

test('set operations that change nothing return the set itself (encoded forms are reused by identity)', () => {
  const a = FieldSet.of(['f:data', 'f:a'], ['f:spec', 'f:x', 'f:y']);
  assert.equal(a.union(FieldSet.of(['f:data', 'f:a'])), a);
  assert.equal(a.union(new FieldSet()), a);
  assert.equal(a.difference(FieldSet.of(['f:other'], ['f:spec', 'f:z'])), a);
  assert.equal(a.recursiveDifference(FieldSet.of(['f:status'])), a);
  const d = a.difference(FieldSet.of(['f:spec', 'f:x', 'f:y']));
  assert.notEqual(d, a);
  assert.deepEqual(d.paths().map(pathString), ['.data.a']);
  assert.equal(d.child('f:data'), a.child('f:data'));
});
