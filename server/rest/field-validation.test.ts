import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaForKind } from '../schema/index.js';
import { duplicateJsonKeys, typeErrors, unknownFields } from './field-validation.js';

const deployment = schemaForKind('apps', 'v1', 'Deployment');

test('unknown fields are named by their path, nested and in lists', () => {
  const obj = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', bogus: 1 },
    spec: { replicas: 1, extra: true, template: { spec: { containers: [{ name: 'a', image: 'i', nope: 'x' }] } } },
  };
  assert.deepEqual(unknownFields(obj, deployment).sort(), ['metadata.bogus', 'spec.extra', 'spec.template.spec.containers[0].nope']);
});

test('wrong JSON types are 422 causes naming the field; int-or-string and quantities accept both forms', () => {
  const obj = {
    metadata: { name: 'x', labels: { a: 1 } },
    spec: {
      replicas: 'three',
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { spec: { containers: [{ name: 'a', image: 'i', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: 'nope' }] } },
    },
  };
  const causes = typeErrors(obj, deployment);
  assert.deepEqual(causes.map((c) => c.field).sort(), ['metadata.labels[a]', 'spec.replicas', 'spec.template.spec.containers[0].ports']);
  const replicas = causes.find((c) => c.field === 'spec.replicas')!;
  assert.equal(replicas.message, 'Invalid value: "string": spec.replicas in body must be of type integer: "string"');
});

test('duplicate JSON keys are found at any depth, not confused by strings', () => {
  assert.deepEqual(duplicateJsonKeys('{"a":1,"b":{"c":1,"c":2},"a":3,"s":"{\\"a\\":1,\\"a\\":2}"}'), ['b.c', 'a']);
  assert.deepEqual(duplicateJsonKeys('{"items":[{"x":1},{"x":2}]}'), []);
});
