// Update rules of the generic store: what the status subresource keeps from a write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { builtinResources } from '../registry/resources/index.js';
import { prepareForUpdate } from './strategy.js';

const flowschemas = builtinResources.find((r) => r.plural === 'flowschemas')!;

const stored: KubeObject = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema',
  metadata: {
    name: 'fs', uid: 'u', generation: 1, resourceVersion: '7', labels: { a: '1' },
    managedFields: [{ manager: 'creator', operation: 'Update', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
  },
  spec: { priorityLevelConfiguration: { name: 'p' }, matchingPrecedence: 500 },
};

test('status: only status and managedFields come from the write; the rest of metadata and spec are the stored ones', () => {
  const applied = [
    ...stored.metadata.managedFields as object[],
    { manager: 'consumer', operation: 'Apply', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
  ];
  const next = structuredClone(stored);
  next.metadata.labels = { a: '2' };
  next.metadata.managedFields = applied;
  (next['spec'] as Record<string, unknown>)['matchingPrecedence'] = 1;
  next['status'] = { conditions: [{ type: 'Dangling', status: 'False' }] };
  const out = prepareForUpdate(flowschemas, next, stored, 'status');
  assert.deepEqual(out['status'], next['status']);
  assert.deepEqual(out.metadata.managedFields, applied);
  assert.deepEqual(out.metadata.labels, { a: '1' });
  assert.deepEqual(out['spec'], stored['spec']);
});

test('status: a write without managedFields leaves them to be recorded from the stored object', () => {
  const next = structuredClone(stored);
  delete next.metadata.managedFields;
  next['status'] = {};
  assert.equal(prepareForUpdate(flowschemas, next, stored, 'status').metadata.managedFields, undefined);
});
