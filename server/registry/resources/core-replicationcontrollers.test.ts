// core/v1 replicationcontrollers: v1 defaults, validation as the real server words it, columns and field selectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { columnDefinitions, tableRow } from '../../table/table.js';
import { replicationcontrollers as rc } from './core-replicationcontrollers.js';

const CONTAINERS = [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }];

function defaulted(obj: Record<string, unknown>): KubeObject {
  const copy = structuredClone({ metadata: { name: 'web', namespace: 'default' }, ...obj }) as KubeObject;
  rc.defaults?.(copy);
  return copy;
}

const messages = (obj: Record<string, unknown>): string[] =>
  (rc.validate?.(defaulted(obj)) ?? []).map((c) => `${c.field}: ${c.message}`);

test('row: core v1, rc, category all, status and scale (Scale with a label-map selector)', () => {
  assert.deepEqual([rc.group, rc.version, rc.kind, rc.plural, rc.namespaced], ['', 'v1', 'ReplicationController', 'replicationcontrollers', true]);
  assert.deepEqual(rc.shortNames, ['rc']);
  assert.deepEqual(rc.categories, ['all']);
  assert.deepEqual(rc.subresources.map((s) => [s.name, s.kind, s.group, s.version, s.mapSelector]), [
    ['scale', 'Scale', 'autoscaling', 'v1', true],
    ['status', 'ReplicationController', undefined, undefined, undefined],
  ]);
  assert.equal(rc.generation, true);
});

test('defaults: selector and labels from the template, one replica, pod template defaults, status.replicas', () => {
  const o = defaulted({ spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: CONTAINERS } } } });
  assert.deepEqual(o.metadata.labels, { app: 'web' });
  const spec = o['spec'] as Record<string, any>;
  assert.deepEqual(spec['selector'], { app: 'web' });
  assert.equal(spec['replicas'], 1);
  assert.equal(spec['template'].spec.restartPolicy, 'Always');
  assert.equal(spec['template'].spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(o['status'], { replicas: 0 });
  // Given values are kept: an explicit selector, labels, and zero replicas.
  const kept = defaulted({
    metadata: { name: 'web', labels: { own: 'yes' } },
    spec: { replicas: 0, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: CONTAINERS } } },
  });
  assert.deepEqual(kept.metadata.labels, { own: 'yes' });
  assert.deepEqual((kept['spec'] as Record<string, unknown>)['selector'], { app: 'web' });
  assert.equal((kept['spec'] as Record<string, unknown>)['replicas'], 0);
  assert.deepEqual(messages(kept as unknown as Record<string, unknown>), []);
});

test('validation: selector, replicas, template', () => {
  assert.deepEqual(messages({ spec: {} }), ['spec.selector: Required value', 'spec.template: Required value']);
  assert.deepEqual(messages({
    spec: { replicas: -1, minReadySeconds: -2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: CONTAINERS } } },
  }), [
    'spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0',
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(messages({
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [], restartPolicy: 'Never', activeDeadlineSeconds: 5 } } },
  }), [
    'spec.template.spec.containers: Required value',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported',
  ]);
  // A template without labels leaves the selector empty.
  assert.deepEqual(messages({ spec: { template: { spec: { containers: CONTAINERS } } } }), ['spec.selector: Required value']);
});

test('columns and field selectors as printers.go and ReplicationControllerToSelectableFields', () => {
  const defs = columnDefinitions(rc);
  assert.deepEqual(defs.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Age', 'string', 0],
    ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
  ]);
  assert.match(defs[1]!.description, /^Replicas is the number of desired replicas/);
  assert.match(defs[2]!.description, /^Replicas is the most recently observed number of replicas/);
  const o = defaulted({
    metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { replicas: 3, template: { metadata: { labels: { tier: 'fe', app: 'web' } }, spec: { containers: CONTAINERS } } },
  });
  o['status'] = { replicas: 2, readyReplicas: 1 };
  assert.deepEqual(tableRow(rc, o, 'None', Date.parse('2026-01-01T00:05:00Z')).cells, [
    'web', 3, 2, 1, '5m', 'web,side', 'nginx:1.27,busybox', 'app=web,tier=fe',
  ]);
  assert.equal(rc.fieldSelectors['status.replicas']?.(o), '2');
  assert.equal(rc.fieldSelectors['status.replicas']?.({ metadata: {} } as KubeObject), '0');
});

test('schema: the selector is an atomic map, status conditions merge by type', async () => {
  const s = (await rc.schema())!;
  assert.deepEqual(s.gvk, [{ group: '', version: 'v1', kind: 'ReplicationController' }]);
  const spec = s.properties!['spec']!;
  assert.equal(spec.properties!['selector']!.mapType, 'atomic');
  assert.equal(spec.properties!['template']!.ref, 'io.k8s.api.core.v1.PodTemplateSpec');
  const conditions = s.properties!['status']!.properties!['conditions']!;
  assert.deepEqual([conditions.patchStrategy, conditions.patchMergeKey, conditions.listType], ['merge', 'type', 'map']);
  assert.deepEqual(s.properties!['status']!.required, ['replicas']);
});
