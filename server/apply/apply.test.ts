// Server-side apply of configurations to objects (the pure part: no server). Expected behaviour follows the
// "Server-Side Apply" documentation (merge strategy, conflicts, force, removal of fields no longer applied,
// moving from client-side apply) and structured-merge-diff's Updater.Apply, with the real server's conflict
// wording ("Apply failed with 1 conflict: conflict with "<manager>" using <apiVersion>: <path>").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { schemaForKind } from '../schema/index.js';
import { applyConfiguration, ApplyConflictError, LAST_APPLIED_ANNOTATION, type ApplyContext } from './apply.js';
import { recordUpdate, type ManagedFieldsEntry } from './managed-fields.js';

const depSchema = schemaForKind('apps', 'v1', 'Deployment')!;
const cmSchema = schemaForKind('', 'v1', 'ConfigMap')!;
const T0 = new Date('2026-11-21T03:40:00Z');
const T1 = new Date('2026-11-21T03:41:00Z');

function depCtx(manager: string, force = false, now = T0): ApplyContext {
  return { schema: depSchema, apiVersion: 'apps/v1', subresource: '', statusSubresource: true, manager, force, now };
}
function cmCtx(manager: string, force = false, now = T0): ApplyContext {
  return { schema: cmSchema, apiVersion: 'v1', subresource: '', statusSubresource: false, manager, force, now };
}

function container(name: string, image: string, extra: Record<string, unknown> = {}) {
  return { name, image, ...extra };
}

function depConfig(spec: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}

function podSpec(containers: unknown[]): Record<string, unknown> {
  return { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } };
}

/** What the server stores: the applied object with server metadata. */
function asStored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '7', creationTimestamp: '2026-11-21T03:39:00Z' } };
}

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return entries(obj).find((e) => e.manager === manager);
}

test('apply to nothing: the configuration is the object, owned by its manager (Apply, no "." for structs)', () => {
  const config = depConfig({ replicas: 2, ...podSpec([container('nginx', 'nginx:1.27', { ports: [{ containerPort: 80 }] })]) });
  const obj = applyConfiguration(undefined, JSON.parse(JSON.stringify(config)) as KubeObject, depCtx('kubectl'));
  const { managedFields, ...meta } = obj.metadata;
  assert.deepEqual({ ...obj, metadata: meta }, config);
  assert.deepEqual(managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-11-21T03:40:00Z', fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {}, 'f:image': {}, 'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    },
  }]);
});

test('apply merges into the live object: maps by key, containers by name (new ones after the live ones they follow), atomic fields replaced', () => {
  const live = asStored(applyConfiguration(undefined, depConfig({
    replicas: 1, ...podSpec([container('a', 'a:1'), container('b', 'b:1', { env: [{ name: 'X', value: '1' }] }), container('c', 'c:1')]),
  }, { app: 'web', tier: 'front' }), depCtx('first')));
  const next = applyConfiguration(live, depConfig({
    selector: { matchLabels: { app: 'web', v: '2' } },
    template: { spec: { containers: [container('b', 'b:2', { env: [{ name: 'Y', value: '2' }] }), container('d', 'd:1')] } },
  }, { extra: 'yes' }), depCtx('second', true));
  assert.deepEqual(next.metadata.labels, { app: 'web', tier: 'front', extra: 'yes' });
  const spec = next['spec'] as { replicas: number; selector: unknown; template: { spec: { containers: { name: string; image: string; env?: unknown }[] } } };
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.selector, { matchLabels: { app: 'web', v: '2' } }); // atomic: replaced whole
  assert.deepEqual(spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['a=a:1', 'b=b:2', 'c=c:1', 'd=d:1']);
  assert.deepEqual(spec.template.spec.containers[1]!.env, [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]);
  assert.equal(next.metadata.uid, 'u-1');
  // The second manager owns what it applied (forced: the selector and b's image move to it); the first keeps the rest.
  const second = JSON.stringify(entry(next, 'second')!.fieldsV1);
  const first = JSON.stringify(entry(next, 'first')!.fieldsV1);
  assert.ok(second.includes('k:{\\"name\\":\\"d\\"}') && second.includes('f:selector'), second);
  assert.ok(!first.includes('f:selector') && first.includes('f:replicas'), first);
});

test('a field the manager applied before and leaves out now is removed, unless another manager owns it', () => {
  const first = asStored(applyConfiguration(undefined, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { keep: '1', drop: '2', shared: '3' },
  }, cmCtx('alice')));
  // bob applies the same value for `shared`: both own it.
  const both = asStored(applyConfiguration(first, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { shared: '3' } }, cmCtx('bob')));
  assert.deepEqual(entries(both).map((e) => e.manager), ['alice', 'bob']);
  const after = applyConfiguration(both, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { keep: '1' } }, cmCtx('alice', false, T1));
  assert.deepEqual(after['data'], { keep: '1', shared: '3' });
  assert.deepEqual(entry(after, 'alice')!.fieldsV1, { 'f:data': { 'f:keep': {} } });
  assert.equal(entry(after, 'alice')!.time, '2026-11-21T03:41:00Z');
  assert.deepEqual(entry(after, 'bob')!.fieldsV1, { 'f:data': { 'f:shared': {} } });

  // A container left out is removed with everything in it.
  const dep = asStored(applyConfiguration(undefined, depConfig(podSpec([container('a', 'a'), container('b', 'b')])), depCtx('kubectl')));
  const fewer = applyConfiguration(dep, depConfig(podSpec([container('a', 'a')])), depCtx('kubectl'));
  const names = (fewer['spec'] as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers.map((c) => c.name);
  assert.deepEqual(names, ['a']);
});

test('a field an Update manager set is kept when the applier stops applying it', () => {
  const live = asStored(applyConfiguration(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, cmCtx('alice')));
  // kubectl edit sets data.a to the same value and adds b: a moves to kubectl-edit.
  const edited: KubeObject = JSON.parse(JSON.stringify({ ...live, data: { a: '2', b: '2' } })) as KubeObject;
  recordUpdate(live, edited, { ...cmCtx('kubectl-edit'), now: T1 });
  const after = applyConfiguration(edited, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, cmCtx('alice', false, T1));
  assert.deepEqual(after['data'], { a: '2', b: '2' });
  assert.equal(entry(after, 'alice'), undefined);
});

test('conflicts: a changed field another manager owns is a 409 naming manager, version and path; the same value is not', () => {
  const created: KubeObject = asStored(depConfig({ replicas: 1, ...podSpec([container('nginx', 'nginx:1.26')]) }));
  recordUpdate(undefined, created, { ...depCtx('kubectl-client-side-apply'), now: T0 });
  const change = depConfig({ replicas: 3 });
  assert.throws(() => applyConfiguration(created, change, depCtx('other')), (err: unknown) => {
    assert.ok(err instanceof ApplyConflictError);
    assert.deepEqual(err.status, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
      code: 409,
    });
    return true;
  });
  // Applying what is already there is no conflict: both own it.
  const same = applyConfiguration(created, depConfig({ replicas: 1 }), depCtx('other'));
  assert.ok(JSON.stringify(entry(same, 'other')!.fieldsV1).includes('f:replicas'));
  assert.ok(JSON.stringify(entry(same, 'kubectl-client-side-apply')!.fieldsV1).includes('f:replicas'));
});

test('several conflicts are grouped by manager in the message, with one cause each', () => {
  const live = asStored(applyConfiguration(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '1' } }, cmCtx('alice')));
  const withBob = asStored(applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { c: '1' } }, cmCtx('bob')));
  try {
    applyConfiguration(withBob, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '2', b: '2', c: '2' } }, cmCtx('carol'));
    assert.fail('no conflict');
  } catch (err) {
    assert.ok(err instanceof ApplyConflictError);
    assert.equal(err.status.message, 'Apply failed with 3 conflicts: conflicts with "alice":\n- .data.a\n- .data.b\nconflicts with "bob":\n- .data.c');
    assert.deepEqual(err.status.details!.causes!.map((c) => `${c.message} ${c.field}`), [
      'conflict with "alice" .data.a', 'conflict with "alice" .data.b', 'conflict with "bob" .data.c',
    ]);
  }
});

test('force: the applier takes the conflicting fields; the others keep the rest', () => {
  const live = asStored(applyConfiguration(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'one', other: 'x' } }, cmCtx('alice')));
  const forced = applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'two' } }, cmCtx('bob', true, T1));
  assert.deepEqual(forced['data'], { key: 'two', other: 'x' });
  assert.deepEqual(entry(forced, 'alice')!.fieldsV1, { 'f:data': { 'f:other': {} } });
  assert.deepEqual(entry(forced, 'bob')!.fieldsV1, { 'f:data': { 'f:key': {} } });
  // Entries: Apply entries sorted by time.
  assert.deepEqual(entries(forced).map((e) => e.manager), ['alice', 'bob']);
});

test('kubectl moving from client-side apply: fields its last-applied annotation still holds are taken without conflict', () => {
  const lastApplied = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations: {} }, data: { a: '1' } };
  const live: KubeObject = asStored({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'cm', annotations: { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(lastApplied)}\n` } },
    data: { a: '1', b: '1' },
  });
  recordUpdate(undefined, live, { ...cmCtx('kubectl-client-side-apply') });
  const next = applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '2' } }, cmCtx('kubectl'));
  assert.deepEqual(next['data'], { a: '2', b: '1' });
  // The annotation follows what kubectl applied now.
  assert.equal(next.metadata.annotations![LAST_APPLIED_ANNOTATION], '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"cm"}}\n');
  // b is not in the annotation: still a conflict.
  assert.throws(
    () => applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { b: '2' } }, cmCtx('kubectl')),
    /conflict with "kubectl-client-side-apply" using v1: \.data\.b/,
  );
  // Another manager gets no such pass.
  assert.throws(() => applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '2' } }, cmCtx('other')), ApplyConflictError);
});

test('an object nobody tracked: what it holds goes to "before-first-apply"', () => {
  const live = asStored({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { x: 'y' } }, data: { a: '1' } });
  assert.throws(() => applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '2' } }, cmCtx('alice')),
    /conflict with "before-first-apply" using v1: \.data\.a/);
  const next = applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { b: '2' } }, cmCtx('alice'));
  assert.deepEqual(entry(next, 'before-first-apply')!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
});

test('status: an apply to the status subresource owns only status, in an entry with subresource "status"', () => {
  const live = asStored(applyConfiguration(undefined, depConfig({ replicas: 1 }), depCtx('kubectl')));
  const next = applyConfiguration(live, { ...depConfig({ replicas: 5 }), status: { replicas: 1 } }, { ...depCtx('ctrl'), subresource: 'status' });
  assert.deepEqual(entry(next, 'ctrl'), {
    manager: 'ctrl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-11-21T03:40:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:replicas': {} } }, subresource: 'status',
  });
  // On the main resource status is nobody's: applying it conflicts with no one and owns nothing there.
  const main = applyConfiguration(live, { ...depConfig({ replicas: 1 }), status: { replicas: 9 } }, depCtx('other'));
  assert.ok(!JSON.stringify(entry(main, 'other')!.fieldsV1).includes('status'));
});

test('bad configurations: managedFields set, list elements without keys or with duplicate keys → 400', () => {
  const bad = (config: KubeObject) => {
    try {
      applyConfiguration(undefined, config, depCtx('kubectl'));
    } catch (err) {
      assert.ok(err instanceof StatusError);
      assert.equal(err.status.code, 400);
      return err.status.message ?? '';
    }
    return assert.fail('applied');
  };
  assert.equal(bad({ ...depConfig({}), metadata: { name: 'web', managedFields: [] } }), 'metadata.managedFields must be nil');
  assert.match(bad(depConfig(podSpec([{ image: 'x' }]))), /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits all key fields \["name"\]/);
  assert.match(bad(depConfig(podSpec([container('a', 'x'), container('a', 'y')]))), /duplicate entries for key \[name="a"\]/);
});

test('an apply that changes nothing keeps the object and the times as they were', () => {
  const live = asStored(applyConfiguration(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, cmCtx('alice')));
  const again = applyConfiguration(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, cmCtx('alice', false, T1));
  assert.deepEqual(again, live);
});
