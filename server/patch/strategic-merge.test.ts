// Strategic merge patch. Expected results follow Kubernetes' documented behaviour (the
// "Update API Objects in Place Using kubectl patch" task, the strategic-merge-patch design
// notes) and the behaviour of k8s.io/apimachinery's strategicpatch package; the ordering and
// error cases were checked against `kubectl patch --local --type=strategic`, which runs that
// package on a typed Deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, MAX_PATCH_DEPTH, PatchError } from './strategic-merge.js';
import { noStrategyPatchMeta, patchMetaFromTable, type PatchMetaLookup, type PatchMetaTable, type PatchMetaTableNode } from './patch-meta.js';
import { applyMergePatch } from '../rest/merge-patch.js';

// The struct tags of the fields of a Deployment that matter here.
const container: PatchMetaTableNode = {
  fields: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
    env: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    resources: { fields: { limits: { values: {} }, requests: { values: {} } } },
  },
};
const objectMeta: PatchMetaTable = {
  finalizers: { patchStrategy: 'merge', listType: 'set' },
  ownerReferences: { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
  labels: { values: {} },
  annotations: { values: {} },
};
const deploymentTable: PatchMetaTable = {
  metadata: { fields: objectMeta },
  spec: {
    fields: {
      strategy: { patchStrategy: 'retainKeys' },
      template: {
        fields: {
          metadata: { fields: objectMeta },
          spec: {
            fields: {
              containers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], items: container },
              initContainers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], items: container },
              volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
              tolerations: { listType: 'atomic' },
              nodeSelector: { values: {} },
            },
          },
        },
      },
    },
  },
};
const deploymentMeta = patchMetaFromTable(deploymentTable);

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Applies with both inputs frozen: any mutation of them throws. */
function apply(original: unknown, patch: unknown, meta: PatchMetaLookup = deploymentMeta): any {
  return applyStrategicMergePatch(deepFreeze(structuredClone(original)), deepFreeze(structuredClone(patch)), meta);
}

function patchError(fn: () => unknown, detail: RegExp | string, path?: string, status?: number): PatchError {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught instanceof PatchError, `expected a PatchError, got ${String(caught)}`);
  if (typeof detail === 'string') assert.equal(caught.detail, detail);
  else assert.match(caught.detail, detail);
  if (path !== undefined) assert.equal(caught.path, path);
  if (status !== undefined) assert.equal(caught.status, status);
  assert.equal(caught.message, caught.path === '' ? caught.detail : `${caught.path}: ${caught.detail}`);
  return caught;
}

const tpl = (spec: unknown) => ({ spec: { template: { spec } } });

// The Deployment of the kubectl patch task (two containers, one toleration) plus a bit more.
function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', labels: { app: 'nginx', tier: 'web' }, finalizers: ['a.io/x', 'b.io/y'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'patch-demo-ctr', image: 'nginx',
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg' }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
          nodeSelector: { disk: 'ssd' },
        },
      },
    },
  };
}

const containers = (d: any) => d.spec.template.spec.containers;
const names = (list: any[]) => list.map((x) => x.name);

// ---- maps, scalars, nulls ----------------------------------------------------------------------

test('maps merge recursively and scalars are replaced', () => {
  const out = apply(deployment(), { metadata: { labels: { tier: 'backend', team: 'a' } }, spec: { replicas: 5, selector: { matchLabels: { app: 'nginx' } } } });
  assert.deepEqual(out.metadata.labels, { app: 'nginx', tier: 'backend', team: 'a' });
  assert.equal(out.spec.replicas, 5);
  const expected = deployment();
  expected.metadata.labels = { app: 'nginx', tier: 'backend', team: 'a' };
  expected.spec.replicas = 5;
  assert.deepEqual(out, expected);
});

test('nested merges reach into list items and their lists', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr', resources: { limits: { cpu: '1' } }, env: [{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } }, value: null }] }] }));
  const ctr = containers(out)[0];
  assert.deepEqual(ctr.resources, { limits: { cpu: '1' } });
  assert.deepEqual(ctr.env, [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'C', value: '3' }]);
  assert.equal(ctr.image, 'nginx');
});

test('null deletes a field; null for a missing field changes nothing', () => {
  const out = apply(deployment(), {
    metadata: { labels: { tier: null, nothere: null } },
    spec: { strategy: { rollingUpdate: null }, template: { spec: { nodeSelector: null, containers: [{ name: 'sidecar', image: null }] } } },
  });
  assert.deepEqual(out.metadata.labels, { app: 'nginx' });
  assert.deepEqual(out.spec.strategy, { type: 'RollingUpdate' });
  assert.equal('nodeSelector' in out.spec.template.spec, false);
  assert.deepEqual(containers(out)[1], { name: 'sidecar' });
});

test('nulls inside new values are dropped', () => {
  const out = apply({ metadata: { name: 'x' } }, { metadata: { annotations: { a: '1', b: null } }, spec: { x: { y: null, z: 1 } } });
  assert.deepEqual(out, { metadata: { name: 'x', annotations: { a: '1' } }, spec: { x: { z: 1 } } });
});

test('an empty patch changes nothing, and the result shares nothing with the inputs', () => {
  const original = deployment();
  const out = applyStrategicMergePatch(original, {}, deploymentMeta) as any;
  assert.deepEqual(out, deployment());
  assert.notEqual(out, original);
  assert.notEqual(out.spec.template, original.spec.template);
  out.spec.template.spec.containers[0].image = 'changed';
  out.metadata.labels.x = 'y';
  assert.deepEqual(original, deployment());
});

test('inputs are never mutated (frozen inputs, every kind of directive)', () => {
  const patch = {
    metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x'], finalizers: ['c.io/z'] },
    spec: {
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
      template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'n' }], containers: [{ name: 'n', image: 'n' }, { name: 'patch-demo-ctr', $patch: 'delete' }] } },
    },
  };
  const original = deepFreeze(deployment());
  const frozenPatch = deepFreeze(structuredClone(patch));
  const out = applyStrategicMergePatch(original, frozenPatch, deploymentMeta) as any;
  assert.deepEqual(names(containers(out)), ['sidecar', 'n']);
  assert.deepEqual(frozenPatch, patch);
});

test('lists without a merge strategy are replaced (tolerations, as in the kubectl patch task)', () => {
  const out = apply(deployment(), tpl({ tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] }));
  assert.deepEqual(out.spec.template.spec.tolerations, [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
  const args = apply(tpl({ containers: [{ name: 'c', args: ['a', 'b'] }] }), tpl({ containers: [{ name: 'c', args: ['z'] }] }));
  assert.deepEqual(containers(args)[0].args, ['z']);
});

// ---- merging lists of maps ---------------------------------------------------------------------

test('adding a container merges it into the list, ahead of the existing ones (kubectl patch task)', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] }));
  assert.deepEqual(names(containers(out)), ['patch-demo-ctr-2', 'patch-demo-ctr', 'sidecar']);
  assert.deepEqual(containers(out)[0], { name: 'patch-demo-ctr-2', image: 'redis' });
  assert.deepEqual(containers(out)[1], deployment().spec.template.spec.containers[0]);
});

test("changing one container's image keeps the others and the order", () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'sidecar', image: 'busybox:2' }] }));
  const expected = deployment();
  expected.spec.template.spec.containers[1].image = 'busybox:2';
  assert.deepEqual(out, expected);
});

test('$patch: delete removes the container with that name (and every duplicate); a missing one is a no-op', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr', $patch: 'delete' }, { name: 'ghost', $patch: 'delete' }] }));
  assert.deepEqual(containers(out), [{ name: 'sidecar', image: 'busybox' }]);
  const dups = apply(tpl({ containers: [{ name: '1' }, { name: '1' }, { name: '2', image: 'a' }, { name: '3' }, { name: '3' }] }),
    tpl({ containers: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] }));
  assert.deepEqual(containers(dups), [{ name: '2', image: 'a' }]);
});

test('deletions happen before merges: delete and re-add gives a fresh item', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr', image: 'fresh' }, { name: 'patch-demo-ctr', $patch: 'delete' }] }));
  assert.deepEqual(containers(out), [{ name: 'patch-demo-ctr', image: 'fresh' }, { name: 'sidecar', image: 'busybox' }]);
});

test('env merges by name, ports by containerPort, volumeMounts by mountPath', () => {
  const out = apply(deployment(), tpl({
    containers: [{
      name: 'patch-demo-ctr',
      env: [{ name: 'B', value: 'two' }, { name: 'D', value: '4' }],
      ports: [{ containerPort: 8080 }, { containerPort: 80, name: 'http' }, { containerPort: 443, $patch: 'delete' }],
      volumeMounts: [{ mountPath: '/data', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
    }],
  }));
  const ctr = containers(out)[0];
  assert.deepEqual(ctr.env, [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'D', value: '4' }, { name: 'C', value: '3' }]);
  assert.deepEqual(ctr.ports, [{ containerPort: 8080 }, { containerPort: 80, protocol: 'TCP', name: 'http' }]);
  assert.deepEqual(ctr.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }, { name: 'cfg', mountPath: '/etc/cfg' }]);
});

test('merge keys compare by JSON value: "80" is not 80', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr', ports: [{ containerPort: '80', name: 'x' }] }] }));
  assert.deepEqual(containers(out)[0].ports.map((p: any) => p.containerPort), ['80', 80, 443]);
});

test('the patch orders the items it names; server-only items keep their places', () => {
  // apimachinery's "preserve the order from the patch in a merging list" cases.
  const original = tpl({ containers: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] });
  assert.deepEqual(containers(apply(original, tpl({ containers: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] }))),
    [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }]);
  assert.deepEqual(containers(apply(original, tpl({ containers: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] }))),
    [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }]);
  // New items go where the patch puts them, ahead of the server-only items that follow.
  assert.deepEqual(names(containers(apply(original, tpl({ containers: [{ name: '2' }, { name: 'new' }] })))), ['1', '2', 'new', '3']);
});

test('a duplicated name in the patch merges into one new item', () => {
  const out = apply(tpl({ containers: [{ name: 'a' }] }), tpl({ containers: [{ name: 'z', image: 'z' }, { name: 'z', stdin: true }] }));
  assert.deepEqual(containers(out), [{ name: 'z', image: 'z', stdin: true }, { name: 'a' }]);
});

// ---- $patch directives -------------------------------------------------------------------------

test('$patch: replace in a list replaces it with the other items', () => {
  const out = apply(deployment(), tpl({ containers: [{ name: 'only', image: 'o' }, { $patch: 'replace' }] }));
  assert.deepEqual(containers(out), [{ name: 'only', image: 'o' }]);
  const emptied = apply(deployment(), tpl({ containers: [{ $patch: 'replace' }] }));
  assert.deepEqual(containers(emptied), []);
});

test('$patch: replace on a map takes the map literally', () => {
  const out = apply(deployment(), { metadata: { labels: { $patch: 'replace', only: 'this' } } });
  assert.deepEqual(out.metadata.labels, { only: 'this' });
  // The design doc's example: the whole pod spec replaced.
  const spec = apply(deployment(), tpl({ $patch: 'replace', containers: [{ name: 'nginx', image: 'nginx-1.0' }] }));
  assert.deepEqual(spec.spec.template.spec, { containers: [{ name: 'nginx', image: 'nginx-1.0' }] });
  // A replaced map the object did not have is set (Kubernetes drops it).
  const added = apply(tpl({}), tpl({ nodeSelector: { $patch: 'replace', a: 'b' } }));
  assert.deepEqual(added.spec.template.spec.nodeSelector, { a: 'b' });
});

test('$patch: replace at the top replaces the whole object', () => {
  const out = apply(deployment(), { $patch: 'replace', apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'n' } });
  assert.deepEqual(out, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'n' } });
});

test('$patch: delete on a map empties it (as Kubernetes does); on a missing map it adds nothing', () => {
  const out = apply(deployment(), { spec: { strategy: { rollingUpdate: { $patch: 'delete' } } } });
  assert.deepEqual(out.spec.strategy, { type: 'RollingUpdate', rollingUpdate: {} });
  const none = apply(tpl({}), tpl({ nodeSelector: { $patch: 'delete' } }));
  assert.deepEqual(none, tpl({}));
  assert.deepEqual(apply(deployment(), { $patch: 'delete' }), {});
});

test('$patch: merge is the default and is accepted (Kubernetes rejects it)', () => {
  const out = apply(deployment(), { metadata: { labels: { $patch: 'merge', x: 'y' } }, spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'merge', image: 'b2' }, { $patch: 'merge' }] } } } });
  assert.deepEqual(out.metadata.labels, { app: 'nginx', tier: 'web', x: 'y' });
  assert.deepEqual(containers(out)[1], { name: 'sidecar', image: 'b2' });
  assert.equal(containers(out).length, 2);
});

test('directives inside new values are obeyed, never stored', () => {
  const out = apply(deployment(), tpl({
    containers: [{ name: 'n', image: 'n', env: [{ name: 'A', $patch: 'delete' }, { name: 'B', value: 'b' }], resources: { $patch: 'delete' }, securityContext: { $patch: 'replace', runAsUser: 1 } }],
  }));
  assert.deepEqual(containers(out)[0], { name: 'n', image: 'n', env: [{ name: 'B', value: 'b' }], securityContext: { runAsUser: 1 } });
});

// ---- lists of primitives -------------------------------------------------------------------------

test('a merging list of primitives is a set: union without duplicates, new values first', () => {
  assert.deepEqual(apply(deployment(), { metadata: { finalizers: ['c.io/z'] } }).metadata.finalizers, ['c.io/z', 'a.io/x', 'b.io/y']);
  assert.deepEqual(apply(deployment(), { metadata: { finalizers: ['b.io/y', 'c.io/z'] } }).metadata.finalizers, ['a.io/x', 'b.io/y', 'c.io/z']);
  // apimachinery's "unique scalars when merging lists": [1, 2] + [2, 3].
  assert.deepEqual(apply({ metadata: { finalizers: [1, 2] } }, { metadata: { finalizers: [2, 3] } }).metadata.finalizers, [1, 2, 3]);
  // The patch orders the values it names.
  assert.deepEqual(apply({ metadata: { finalizers: [1, 2, 3] } }, { metadata: { finalizers: [3, 1] } }).metadata.finalizers, [2, 3, 1]);
});

test('$deleteFromPrimitiveList removes values (every copy), from merging and other lists alike', () => {
  const out = apply(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x', 'nothere'] } });
  assert.deepEqual(out.metadata.finalizers, ['b.io/y']);
  // The design doc's example.
  assert.deepEqual(apply({ metadata: { finalizers: ['a', 'b', 'c', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'c'] } }).metadata.finalizers, ['a']);
  const args = apply(tpl({ containers: [{ name: 'c', args: ['1', '2', '3'] }] }), tpl({ containers: [{ name: 'c', '$deleteFromPrimitiveList/args': ['2'] }] }));
  assert.deepEqual(containers(args)[0].args, ['1', '3']);
});

test('$deleteFromPrimitiveList does not create a missing list; adding and deleting go together', () => {
  assert.deepEqual(apply({ metadata: { name: 'x' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }), { metadata: { name: 'x' } });
  const out = apply(deployment(), { metadata: { finalizers: ['q'], '$deleteFromPrimitiveList/finalizers': ['a.io/x'] } });
  assert.deepEqual(out.metadata.finalizers, ['q', 'b.io/y']);
});

// ---- $setElementOrder ----------------------------------------------------------------------------

test('$setElementOrder orders a primitive list (design doc) and keeps duplicates', () => {
  const out = apply({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'] } });
  assert.deepEqual(out.metadata.finalizers, ['b', 'c', 'a']);
  // apimachinery's "add an item in a list of primitives and preserve order" (three-way result).
  const added = apply({ metadata: { finalizers: [1, 4, 2] } }, { metadata: { '$setElementOrder/finalizers': [3, 1, 2], finalizers: [3] } });
  assert.deepEqual(added.metadata.finalizers, [3, 1, 4, 2]);
  const dup = apply({ metadata: { finalizers: [1, 2, 3, 2, 4] } }, { metadata: { '$setElementOrder/finalizers': [2, 1, 4, 3, 2] } });
  assert.deepEqual(dup.metadata.finalizers, [2, 2, 1, 4, 3]);
});

test('$setElementOrder orders a list of maps; server-only items stay next to their neighbours', () => {
  const original = tpl({ containers: ['1', '2', '7', '9', '8', '3', '4'].map((name) => ({ name })) });
  const out = apply(original, tpl({ '$setElementOrder/containers': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] }));
  assert.deepEqual(names(containers(out)), ['2', '1', '7', '9', '8', '4', '3']);
  // Names the list does not have are ignored; server-only items before "4" stay before it.
  const unknown = apply(original, tpl({ '$setElementOrder/containers': [{ name: 'zz' }, { name: '4' }, { name: '1' }] }));
  assert.deepEqual(names(containers(unknown)), ['2', '7', '9', '8', '3', '4', '1']);
});

test('$setElementOrder from a real kubectl apply patch: container renamed, env reordered, injected items kept', () => {
  // Last applied: containers [app (env A, B, C), old]. New manifest: containers [app:2 (env C, A, B, D), new].
  // The live object also has an injected istio-proxy container and an INJ variable.
  const live = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'INJ', value: 'x' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }] },
            { name: 'istio-proxy', image: 'proxy' },
            { name: 'old', image: 'old:1' },
          ],
        },
      },
    },
  };
  // What kubectl apply sends (CreateThreeWayMergePatch output; Go writes the keys sorted).
  const patch = JSON.parse(`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}\\n"}},
    "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"new"}],
    "containers":[{"$setElementOrder/env":[{"name":"C"},{"name":"A"},{"name":"B"},{"name":"D"}],"env":[{"name":"D","value":"4"}],"image":"app:2","name":"app"},
    {"image":"new:1","name":"new"},{"$patch":"delete","name":"old"}]}}}}`);
  const out = apply(live, patch);
  assert.deepEqual(out, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'app:2', env: [{ name: 'INJ', value: 'x' }, { name: 'C', value: '3' }, { name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'D', value: '4' }] },
            // Kubernetes puts the server-only istio-proxy before "new", which took the slot "old" freed.
            { name: 'istio-proxy', image: 'proxy' },
            { image: 'new:1', name: 'new' },
          ],
        },
      },
    },
  });
});

test('$setElementOrder with additions and deletions (apimachinery three-way case)', () => {
  const current = tpl({ containers: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] });
  const out = apply(current, tpl({
    '$setElementOrder/containers': [{ name: '4' }, { name: '2' }, { name: '1' }],
    containers: [{ name: '4', value: '4' }, { name: '3', $patch: 'delete' }],
  }));
  assert.deepEqual(containers(out), [{ name: '4', value: '4' }, { name: '2', value: '2', other: 'b' }, { name: '1', other: 'a' }]);
});

test('$setElementOrder must agree with the order of the patch list', () => {
  const ok = apply(tpl({}), tpl({ '$setElementOrder/initContainers': [{ name: 'i2' }, { name: 'i1' }], initContainers: [{ name: 'i2', image: 'x' }, { name: 'i1', image: 'y' }] }));
  assert.deepEqual(ok.spec.template.spec.initContainers, [{ name: 'i2', image: 'x' }, { name: 'i1', image: 'y' }]);
  patchError(() => apply(deployment(), tpl({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'patch-demo-ctr' }], containers: [{ name: 'patch-demo-ctr', image: 'a' }, { name: 'sidecar', image: 'b' }] })),
    'The order in patch list:\n[map[image:a name:patch-demo-ctr] map[image:b name:sidecar]]\n doesn\'t match $setElementOrder list:\n[map[name:sidecar] map[name:patch-demo-ctr]]\n',
    'spec.template.spec.containers', 500);
  patchError(() => apply({ metadata: { finalizers: [1, 3, 2] } }, { metadata: { '$setElementOrder/finalizers': [1, 2, 3], finalizers: [3, 1] } }), /doesn't match/);
});

// ---- $retainKeys ---------------------------------------------------------------------------------

test('$retainKeys clears the fields it does not list (Deployment strategy, kubectl patch task)', () => {
  const out = apply(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  // Without the directive the map merges, leaving rollingUpdate in place.
  assert.deepEqual(apply(deployment(), { spec: { strategy: { type: 'Recreate' } } }).spec.strategy,
    { type: 'Recreate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  // Listed fields merge with the live ones.
  assert.deepEqual(apply(deployment(), { spec: { strategy: { $retainKeys: ['rollingUpdate', 'type'], rollingUpdate: { maxSurge: 2 } } } }).spec.strategy,
    { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } });
});

test('$retainKeys in a volume switches its source (volumes are merge,retainKeys)', () => {
  const out = apply(deployment(), tpl({ volumes: [{ $retainKeys: ['name', 'secret'], name: 'cfg', secret: { secretName: 's' } }] }));
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', emptyDir: {} }, { name: 'cfg', secret: { secretName: 's' } }]);
});

test('$retainKeys must list every field the patch sets', () => {
  patchError(() => apply(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 2 } } } }),
    /^invalid patch format of retainKeys/, 'spec.strategy[$retainKeys]', 400);
  patchError(() => apply(deployment(), { spec: { strategy: { $retainKeys: 'type' } } }), /^invalid patch format of retainKeys/, undefined, 400);
  // A null for an unlisted field is fine.
  assert.deepEqual(apply(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }).spec.strategy, { type: 'Recreate' });
});

// ---- errors ----------------------------------------------------------------------------------------

test('an item without the merge key is an error naming it', () => {
  patchError(() => apply(deployment(), tpl({ containers: [{ image: 'x' }] })),
    'map: map[image:x] does not contain declared merge key: name', 'spec.template.spec.containers[0]', 500);
  patchError(() => apply(deployment(), tpl({ containers: [{ name: 'sidecar' }, { $patch: 'delete' }] })),
    'map: map[$patch:delete] does not contain declared merge key: name', 'spec.template.spec.containers[1]');
  patchError(() => apply(deployment(), tpl({ containers: [{ name: 'patch-demo-ctr', env: [{ value: '1' }] }] })),
    'map: map[value:1] does not contain declared merge key: name', 'spec.template.spec.containers[0].env[0]');
  // So is an item of the object's own list without it, once that list is merged.
  patchError(() => apply(tpl({ containers: [{ image: 'x' }] }), tpl({ containers: [{ name: 'a' }] })),
    'map: map[image:x] does not contain declared merge key: name', 'spec.template.spec.containers');
});

test('an unknown $patch value is an error', () => {
  patchError(() => apply(deployment(), tpl({ containers: [{ name: 'sidecar', $patch: 'frob' }] })),
    'unknown patch type: frob in map: map[$patch:frob name:sidecar]', 'spec.template.spec.containers[0]', 500);
  patchError(() => apply(deployment(), { metadata: { labels: { $patch: 'frob' } } }), 'unknown patch type: frob in map: map[$patch:frob]', 'metadata.labels');
  patchError(() => apply(deployment(), { $patch: 7 }), 'unknown patch type: 7 in map: map[$patch:7]', '');
});

test('a value of the wrong kind is an error: a list where a map is expected, and the like', () => {
  patchError(() => apply(deployment(), { spec: { template: [1] } }), 'expected an object, but the patch has an array', 'spec.template', 422);
  patchError(() => apply(deployment(), tpl({ containers: { name: 'x' } })), 'expected an array, but the patch has an object', 'spec.template.spec.containers', 422);
  patchError(() => apply(deployment(), { metadata: { labels: 'app=nginx' } }), 'expected an object, but the patch has a string', 'metadata.labels');
  patchError(() => apply(deployment(), { spec: { replicas: { n: 3 } } }), 'expected a number, but the patch has an object', 'spec.replicas');
  // Scalars may change type (IntOrString), and free-form fields may change kind.
  assert.equal(apply(deployment(), { spec: { strategy: { rollingUpdate: { maxSurge: '25%' } } } }).spec.strategy.rollingUpdate.maxSurge, '25%');
  const raw = patchMetaFromTable({ spec: { fields: { raw: { freeForm: true } } } });
  assert.deepEqual(apply({ spec: { raw: { a: 1 } } }, { spec: { raw: [1, 2] } }, raw), { spec: { raw: [1, 2] } });
  assert.deepEqual(apply({ spec: { raw: 'x' } }, { spec: { raw: { a: 1 } } }, raw), { spec: { raw: { a: 1 } } });
  patchError(() => apply({ spec: { other: 'x' } }, { spec: { other: { a: 1 } } }, raw), 'expected a string, but the patch has an object', 'spec.other');
});

test('lists of lists and mixed element types cannot merge', () => {
  patchError(() => apply(deployment(), { metadata: { finalizers: [['a']] } }), 'lists of lists are not supported', 'metadata.finalizers', 422);
  patchError(() => apply(deployment(), { metadata: { finalizers: [1] } }), 'list element types are not identical: [[a.io/x b.io/y] [1]]', 'metadata.finalizers', 500);
  patchError(() => apply(deployment(), tpl({ containers: ['x'] })), /^list element types are not identical/);
  patchError(() => apply(tpl({}), tpl({ containers: ['x'] })), 'expected a map[string]interface {}, but received a string');
});

test('malformed directive keys and values are errors', () => {
  patchError(() => apply(deployment(), { metadata: { '$setElementOrderfinalizers': ['a'] } }), 'invalid patch format of setElementOrder list', 'metadata[$setElementOrderfinalizers]', 400);
  patchError(() => apply(deployment(), { metadata: { '$setElementOrder/finalizers': 'a' } }), 'invalid patch format of setElementOrder list', undefined, 400);
  patchError(() => apply(deployment(), { metadata: { '$deleteFromPrimitiveList': ['a'] } }), 'invalid patch format of primitive list', undefined, 400);
  patchError(() => apply(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }), /^invalid patch format of primitive list/, undefined, 400);
  patchError(() => apply(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': [{ a: 1 }] } }), /^invalid patch format of primitive list/);
  patchError(() => apply(deployment(), tpl({ '$setElementOrder/containers': [{ image: 'x' }] })), 'map: map[image:x] does not contain declared merge key: name');
  patchError(() => apply(deployment(), tpl({ '$setElementOrder/containers': [{ name: 'x' }], containers: null })), /alongside \$setElementOrder\/containers/);
});

test('a merge key whose value is not a scalar is an error', () => {
  patchError(() => apply(deployment(), tpl({ containers: [{ name: { x: 1 } }] })), /merge key name .* is an object, not a scalar/, 'spec.template.spec.containers[0]');
});

// ---- hostile input ---------------------------------------------------------------------------------

test('a patch that is not an object is refused', () => {
  for (const p of [[{ op: 'add' }], 'x', 3, null, true]) {
    patchError(() => applyStrategicMergePatch(deployment(), p, deploymentMeta), /^a strategic merge patch must be a JSON object/, '', 400);
  }
  patchError(() => applyStrategicMergePatch([1], {}, deploymentMeta), /^the object to patch must be a JSON object/);
  assert.deepEqual(applyStrategicMergePatch(undefined, { a: 1 }, deploymentMeta), { a: 1 });
});

test('__proto__ keys do not pollute prototypes', () => {
  const patch = JSON.parse('{"__proto__":{"polluted":true},"metadata":{"__proto__":{"polluted":true},"labels":{"__proto__":{"x":1}}},' +
    '"spec":{"template":{"spec":{"containers":[{"name":"sidecar","__proto__":{"polluted":true}},{"name":"n","__proto__":{"polluted":true}}],' +
    '"$setElementOrder/__proto__":[],"$deleteFromPrimitiveList/__proto__":["x"]}}}}');
  const out = applyStrategicMergePatch(deployment(), patch, deploymentMeta) as any;
  assert.equal(({} as any).polluted, undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(Object.getPrototypeOf(out.metadata), Object.prototype);
  assert.equal(out.polluted, undefined);
  assert.equal(out.metadata.polluted, undefined);
  assert.equal(Object.getPrototypeOf(out.metadata.labels), Object.prototype);
  for (const c of containers(out)) {
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
    assert.equal(c.polluted, undefined);
  }
  assert.deepEqual(names(containers(out)), ['patch-demo-ctr', 'sidecar', 'n']);
  // Fields named like Object.prototype members are ordinary data.
  const odd = apply({ spec: { toString: 1 } }, { spec: { constructor: { a: 1 }, hasOwnProperty: 'x', toString: null } });
  assert.deepEqual(odd, { spec: { constructor: { a: 1 }, hasOwnProperty: 'x' } });
});

test(`patches nested deeper than ${MAX_PATCH_DEPTH} levels are refused`, () => {
  const nest = (n: number) => { let p: any = { leaf: 1 }; for (let i = 0; i < n; i++) p = { a: p }; return p; };
  assert.equal(JSON.stringify(apply({}, nest(MAX_PATCH_DEPTH - 2))).length > 0, true);
  patchError(() => applyStrategicMergePatch({}, nest(MAX_PATCH_DEPTH + 1), deploymentMeta), `the patch is nested deeper than ${MAX_PATCH_DEPTH} levels`, undefined, 400);
  patchError(() => applyStrategicMergePatch({}, nest(100_000), deploymentMeta), /nested deeper/);
  let lists: any = [1];
  for (let i = 0; i < 500; i++) lists = [lists];
  patchError(() => applyStrategicMergePatch({}, { x: lists }, noStrategyPatchMeta), /nested deeper/);
});

// ---- big lists -------------------------------------------------------------------------------------

test('10 containers × 20 env: every container patched, nothing else changes', () => {
  const big = tpl({ containers: Array.from({ length: 10 }, (_, c) => ({ name: `c${c}`, image: 'i:1', env: Array.from({ length: 20 }, (_, e) => ({ name: `E${e}`, value: `${c}.${e}` })) })) });
  const patch = tpl({ containers: Array.from({ length: 10 }, (_, c) => ({ name: `c${c}`, image: 'i:2', env: [{ name: 'E5', value: 'x' }, { name: 'NEW', value: 'y' }] })) });
  const out = apply(big, patch);
  assert.equal(containers(out).length, 10);
  for (const [c, ctr] of containers(out).entries()) {
    assert.equal(ctr.name, `c${c}`);
    assert.equal(ctr.image, 'i:2');
    assert.equal(ctr.env.length, 21);
    assert.deepEqual(ctr.env[5], { name: 'E5', value: 'x' });
    assert.deepEqual(ctr.env[6], { name: 'NEW', value: 'y' });
    assert.deepEqual(ctr.env[20], { name: 'E19', value: `${c}.19` });
  }
});

test('a long merging list with many deletions stays linear enough', () => {
  const n = 5000;
  const original = { metadata: { finalizers: Array.from({ length: n }, (_, i) => `f${i}`) }, ...tpl({ containers: Array.from({ length: n }, (_, i) => ({ name: `c${i}` })) }) };
  const patch = {
    metadata: { '$deleteFromPrimitiveList/finalizers': Array.from({ length: n / 2 }, (_, i) => `f${i * 2}`) },
    ...tpl({ containers: Array.from({ length: n / 2 }, (_, i) => ({ name: `c${i * 2}`, $patch: 'delete' })) }),
  };
  const out = apply(original, patch);
  assert.equal(out.metadata.finalizers.length, n / 2);
  assert.equal(containers(out).length, n / 2);
  assert.equal(containers(out)[0].name, 'c1');
});

// ---- metadata lookups ------------------------------------------------------------------------------

test('noStrategyPatchMeta behaves like a JSON merge patch', () => {
  const cases: [unknown, Record<string, unknown>][] = [
    [deployment(), tpl({ containers: [{ name: 'x' }] })],
    [deployment(), { metadata: { labels: { tier: null, a: 'b' } }, spec: { replicas: null } }],
    [deployment(), { spec: { template: 'gone' } }],
    [deployment(), { metadata: { finalizers: ['z'] } }],
    [{ a: [1, 2] }, { a: { b: 1 } }],
  ];
  for (const [o, p] of cases) assert.deepEqual(apply(o, p, noStrategyPatchMeta), applyMergePatch(structuredClone(o), p));
  // …that still obeys directives.
  assert.deepEqual(apply({ a: { b: 1, c: 2 } }, { a: { $retainKeys: ['b'] } }, noStrategyPatchMeta), { a: { b: 1 } });
  assert.deepEqual(apply({ f: ['x', 'y'] }, { '$deleteFromPrimitiveList/f': ['x'] }, noStrategyPatchMeta), { f: ['y'] });
});

test('patchMetaFromTable: named fields, list items, map values; unknown and inherited names know nothing', () => {
  const lookup = patchMetaFromTable(deploymentTable);
  const spec = lookup.field('spec').child.field('template').child.field('spec');
  assert.deepEqual(spec.meta, {});
  const ctrs = spec.child.field('containers');
  assert.deepEqual(ctrs.meta, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  assert.deepEqual(ctrs.child.elem().field('env').meta.patchMergeKey, 'name');
  assert.deepEqual(spec.child.field('volumes').meta.patchStrategy, 'merge,retainKeys');
  assert.deepEqual(lookup.field('metadata').child.field('labels').child.field('anything').meta, {});
  assert.deepEqual(lookup.field('nope').meta, {});
  assert.deepEqual(lookup.field('constructor').meta, {});
  assert.deepEqual(lookup.field('__proto__').child.field('toString').meta, {});
  assert.deepEqual(noStrategyPatchMeta.field('x').meta, { freeForm: true });
  // Map values described by `values` get their own metadata.
  const withValues = patchMetaFromTable({ byName: { values: { fields: { items: { patchStrategy: 'merge', patchMergeKey: 'id' } } } } });
  const out = apply({ byName: { k: { items: [{ id: 1, v: 'a' }] } } }, { byName: { k: { items: [{ id: 2, v: 'b' }] } } }, withValues);
  assert.deepEqual(out, { byName: { k: { items: [{ id: 2, v: 'b' }, { id: 1, v: 'a' }] } } });
});

test('listType alone does not make a list merge (Kubernetes uses patchStrategy only)', () => {
  const meta = patchMetaFromTable({ items: { listType: 'map', listMapKeys: ['name'] } });
  assert.deepEqual(apply({ items: [{ name: 'a' }] }, { items: [{ name: 'b' }] }, meta), { items: [{ name: 'b' }] });
});

test('a map field with patchStrategy replace is replaced, and a bad strategy is reported', () => {
  const meta = patchMetaFromTable({ sel: { patchStrategy: 'replace' }, bad: { patchStrategy: 'merge,replace' } });
  assert.deepEqual(apply({ sel: { a: 1, b: 2 } }, { sel: { c: 3 } }, meta), { sel: { c: 3 } });
  patchError(() => apply({ bad: [1] }, { bad: [2] }, meta), 'unexpected patch strategy: [merge replace]', 'bad', 500);
});
