// managedFields for non-apply writes (operation Update), as a real kube-apiserver 1.32 records them. The
// expected entries of creates are the ones in the reference captures (a ConfigMap created with curl and with
// `kubectl create`, a Namespace's labels and spec.finalizers); ownership moves follow structured-merge-diff's
// Updater.Update: changed fields go to the writer and leave everyone else, removed fields leave everyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { schemaForKind } from '../schema/index.js';
import {
  capUpdateManagers, decodeManagedFields, encodeManagedFields, ManagedFieldsError, managerFromUserAgent, managerIdentity,
  managerOf, recordUpdate, type ManagedFieldsEntry, type WriteContext,
} from './managed-fields.js';
import { FieldSet } from './field-set.js';

const cmSchema = schemaForKind('', 'v1', 'ConfigMap')!;
const depSchema = schemaForKind('apps', 'v1', 'Deployment')!;
const nsSchema = schemaForKind('', 'v1', 'Namespace')!;

const T0 = new Date('2026-11-21T03:39:53.512Z');
const T1 = new Date('2026-11-21T03:40:10Z');

function cmCtx(manager: string, now = T0, extra: Partial<WriteContext> = {}): WriteContext {
  return { schema: cmSchema, apiVersion: 'v1', subresource: '', statusSubresource: false, manager, now, ...extra };
}

function stored(meta: Record<string, unknown>, rest: Record<string, unknown> = {}): KubeObject {
  return {
    kind: 'ConfigMap', apiVersion: 'v1',
    metadata: { name: 'cm', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-11-21T03:39:53Z', ...meta },
    ...rest,
  };
}

function created(data: Record<string, string>, manager: string, now = T0): KubeObject {
  const obj = stored({}, { data });
  recordUpdate(undefined, obj, cmCtx(manager, now));
  return obj;
}

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return obj.metadata.managedFields as ManagedFieldsEntry[];
}

test('create: one Update entry owning what the object sets, as the captured ConfigMap created with curl', () => {
  const obj = created({ a: '1' }, managerOf(null, 'curl/8.5.0'));
  assert.deepEqual(obj.metadata.managedFields, [
    { manager: 'curl', operation: 'Update', apiVersion: 'v1', time: '2026-11-21T03:39:53Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } },
  ]);
  // managedFields come last in metadata, as Go writes ObjectMeta.
  assert.equal(Object.keys(obj.metadata).at(-1), 'managedFields');
});

test('create: labels and value structs as the real server writes them (Namespace, Deployment)', () => {
  const ns: KubeObject = {
    kind: 'Namespace', apiVersion: 'v1',
    metadata: { name: 'team', uid: 'u', creationTimestamp: '2026-11-21T03:39:49Z', labels: { 'kubernetes.io/metadata.name': 'team' } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  };
  recordUpdate(undefined, ns, { schema: nsSchema, apiVersion: 'v1', subresource: '', statusSubresource: true, manager: 'kubectl-create', now: T0 });
  assert.deepEqual(entries(ns)[0]!.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {} } }, 'f:spec': { 'f:finalizers': {} } });

  const dep: KubeObject = {
    kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    },
    status: {},
  };
  recordUpdate(undefined, dep, { schema: depSchema, apiVersion: 'apps/v1', subresource: '', statusSubresource: true, manager: 'kubectl-create', now: T0 });
  assert.deepEqual(entries(dep)[0]!.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {}, 'f:selector': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {}, 'f:image': {}, 'f:name': {},
              'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            },
          },
        },
      },
    },
  });
});

test('update: changed and added fields move to the writer, removed fields leave everyone', () => {
  const live = created({ a: '1', b: '2', c: '3' }, 'kubectl-create');
  const next = stored({ managedFields: live.metadata.managedFields }, { data: { a: 'changed', b: '2', d: '4' } });
  recordUpdate(live, next, cmCtx('kubectl-edit', T1));
  const byManager = new Map(entries(next).map((e) => [e.manager, e]));
  assert.deepEqual(byManager.get('kubectl-create')!.fieldsV1, { 'f:data': { '.': {}, 'f:b': {} } });
  assert.equal(byManager.get('kubectl-create')!.time, '2026-11-21T03:39:53Z');
  // data itself was there before: the editor owns the keys, not the map.
  assert.deepEqual(byManager.get('kubectl-edit')!.fieldsV1, { 'f:data': { 'f:a': {}, 'f:d': {} } });
  assert.equal(byManager.get('kubectl-edit')!.time, '2026-11-21T03:40:10Z');
  // Sorted by time: the older entry first.
  assert.deepEqual(entries(next).map((e) => e.manager), ['kubectl-create', 'kubectl-edit']);
});

test('update: the same manager again keeps one entry (union, new time); an entry left empty is dropped', () => {
  const live = created({ a: '1' }, 'alice');
  const next = stored({ managedFields: live.metadata.managedFields }, { data: { a: '1', b: '2' } });
  recordUpdate(live, next, cmCtx('alice', T1));
  assert.equal(entries(next).length, 1);
  assert.deepEqual(entries(next)[0]!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });
  assert.equal(entries(next)[0]!.time, '2026-11-21T03:40:10Z');

  const bobTakesAll = stored({ managedFields: next.metadata.managedFields }, { data: { a: 'x', b: 'y' } });
  recordUpdate(next, bobTakesAll, cmCtx('bob', T1));
  // alice keeps only the data map itself (a path without children: `{}`).
  assert.deepEqual(entries(bobTakesAll).map((e) => [e.manager, e.fieldsV1]), [
    ['alice', { 'f:data': {} }],
    ['bob', { 'f:data': { 'f:a': {}, 'f:b': {} } }],
  ]);
  const removeAll = stored({ managedFields: bobTakesAll.metadata.managedFields });
  recordUpdate(bobTakesAll, removeAll, cmCtx('carol', T1));
  assert.equal(removeAll.metadata.managedFields, undefined);
});

test('update that changes nothing leaves managedFields exactly as they were', () => {
  const live = created({ a: '1' }, 'alice');
  const next = stored({ managedFields: JSON.parse(JSON.stringify(live.metadata.managedFields)) }, { data: { a: '1' } });
  recordUpdate(live, next, cmCtx('bob', T1));
  assert.deepEqual(next.metadata.managedFields, live.metadata.managedFields);
});

test('managedFields sent with an update: valid ones are the starting point, [] resets, invalid ones are ignored', () => {
  const live = created({ a: '1' }, 'alice');
  const reset = stored({ managedFields: [] }, { data: { a: '1', b: '2' } });
  recordUpdate(live, reset, cmCtx('bob', T1));
  assert.deepEqual(entries(reset).map((e) => [e.manager, e.fieldsV1]), [['bob', { 'f:data': { 'f:b': {} } }]]);

  const invalid = stored({ managedFields: [{ manager: 'x', operation: 'Bogus' }] }, { data: { a: '1', b: '2' } });
  recordUpdate(live, invalid, cmCtx('bob', T1));
  assert.deepEqual(entries(invalid).map((e) => e.manager), ['alice', 'bob']);

  const edited = stored({
    managedFields: [{ manager: 'someone', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
  }, { data: { a: '1' } });
  recordUpdate(live, edited, cmCtx('bob', T1));
  assert.deepEqual(entries(edited), [{ manager: 'someone', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }]);
});

test('status: the main resource never owns status; the status subresource owns only status, in an entry of its own', () => {
  const ctx = (manager: string, subresource: string): WriteContext => ({
    schema: depSchema, apiVersion: 'apps/v1', subresource, statusSubresource: true, manager, now: T1,
  });
  const live: KubeObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd', uid: 'u' }, spec: { replicas: 1 }, status: {} };
  const main: KubeObject = { ...live, spec: { replicas: 2 }, status: { replicas: 9 } };
  recordUpdate(live, main, ctx('kubectl', ''));
  assert.deepEqual(entries(main)[0]!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });

  const status: KubeObject = { ...main, metadata: { ...main.metadata }, status: { replicas: 2, readyReplicas: 2 } };
  recordUpdate(main, status, ctx('controller', 'status'));
  // Same time: sorted by manager.
  assert.deepEqual(entries(status).map((e) => [e.manager, e.subresource, e.fieldsV1]), [
    ['controller', 'status', { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } }],
    ['kubectl', undefined, { 'f:spec': { 'f:replicas': {} } }],
  ]);
});

test('a list element without its key: the write keeps no managedFields, as the real server does', () => {
  const live: KubeObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ image: 'x' }] } } } };
  const obj: KubeObject = JSON.parse(JSON.stringify(live)) as KubeObject;
  recordUpdate(undefined, obj, { schema: depSchema, apiVersion: 'apps/v1', subresource: '', statusSubresource: true, manager: 'm', now: T0 });
  assert.equal(obj.metadata.managedFields, undefined);
});

test('more than 10 Update managers: the oldest merge into "ancient-changes"', () => {
  const managers = new Map();
  for (let i = 0; i < 12; i++) {
    const e = { manager: `m${String(i).padStart(2, '0')}`, operation: 'Update' as const, apiVersion: 'v1', subresource: '', time: `2026-11-21T03:40:${String(10 + i)}Z`, set: FieldSet.of(['f:data', `f:k${i}`]) };
    managers.set(managerIdentity(e), e);
  }
  const applier = { manager: 'apply', operation: 'Apply' as const, apiVersion: 'v1', subresource: '', set: FieldSet.of(['f:x']) };
  managers.set(managerIdentity(applier), applier);
  capUpdateManagers(managers);
  const out = encodeManagedFields(managers);
  assert.equal(out.filter((e) => e.operation === 'Update').length, 10);
  const ancient = out.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(ancient.fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  assert.equal(ancient.time, '2026-11-21T03:40:12Z');
  assert.ok(out.some((e) => e.manager === 'apply'));
  assert.ok(!out.some((e) => e.manager === 'm00' || e.manager === 'm02'));
});

test('decoding: operations, apiVersion and fieldsType are checked; identities as the real server builds them', () => {
  assert.throws(() => decodeManagedFields([{ operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1' }]), ManagedFieldsError);
  assert.throws(() => decodeManagedFields([{ operation: 'Update', fieldsType: 'FieldsV1' }]), /apiVersion must not be empty/);
  assert.throws(() => decodeManagedFields([{ operation: 'Update', apiVersion: 'v1' }]), /missing fieldsType/);
  assert.throws(() => decodeManagedFields([{ operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }]), /invalid fieldsType/);
  assert.equal(managerIdentity({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', subresource: '' }), '{"manager":"kubectl","operation":"Apply"}');
  assert.equal(managerIdentity({ manager: 'c', operation: 'Update', apiVersion: 'v1', subresource: 'status' }), '{"manager":"c","operation":"Update","apiVersion":"v1","subresource":"status"}');
});

test('the manager of a request: fieldManager, else the first part of the User-Agent', () => {
  assert.equal(managerOf('kubectl-edit', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl-edit');
  assert.equal(managerOf(null, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent('curl/8.5.0'), 'curl');
  assert.equal(managerFromUserAgent('Go-http-client/2.0'), 'Go-http-client');
  assert.equal(managerFromUserAgent('bad\u0001agent'), 'badagent');
  assert.equal(managerFromUserAgent(undefined), '');
  assert.equal(managerFromUserAgent('x'.repeat(300)).length, 128);
});
