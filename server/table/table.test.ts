import { REFERENCE_DIR } from '../../e2e/reference.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KubeObject } from '../api/types.js';
import type { ResourceDef } from '../registry/types.js';
import { builtinResources } from '../registry/resources/index.js';
import { age, humanDuration } from './duration.js';
import { columnDefinitions, parseIncludeObject, tableRow, toTable, watchEventTable } from './table.js';


function def(group: string, plural: string): ResourceDef {
  const d = builtinResources.find((r) => r.group === group && r.plural === plural);
  assert.ok(d, `${group}/${plural}`);
  return d;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

test('HumanDuration as Kubernetes formats ages', () => {
  const cases: Array<[number, string]> = [
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 2 * S, '3m2s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 10 * D, '2y10d'],
    [8 * Y + 100 * D, '8y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  const now = Date.parse('2026-11-21T03:39:53Z');
  assert.equal(age(undefined, now), '<unknown>');
  assert.equal(age('', now), '<unknown>');
  assert.equal(age('2026-11-21T03:39:47Z', now), '6s');
  assert.equal(age('2026-11-21T04:39:47Z', now), '<invalid>');
});

test('namespaces Table matches the captured kube-apiserver 1.32 response', () => {
  const ref = JSON.parse(readFileSync(resolve(REFERENCE_DIR!, 'namespaces-table.json'), 'utf8')) as {
    metadata: { resourceVersion: string };
    columnDefinitions: unknown[];
    rows: Array<{ cells: unknown[]; object: { metadata: KubeObject['metadata'] } }>;
  };
  const ns = def('', 'namespaces');
  assert.deepEqual(columnDefinitions(ns), ref.columnDefinitions);
  const objects: KubeObject[] = ref.rows.map((r) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: structuredClone(r.object.metadata),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
  const table = toTable(ns, objects, { listMeta: { resourceVersion: '211' }, now: Date.parse('2026-11-21T03:39:53Z') });
  assert.deepEqual(JSON.parse(JSON.stringify(table)), ref);
});

test('column names are the ones kubectl get prints (upper-cased; priority>0 only with -o wide)', () => {
  const headers = (d: ResourceDef, wide = false): string =>
    d.columns
      .filter((c) => wide || c.priority === 0)
      .map((c) => c.name.toUpperCase())
      .join(' ');
  assert.equal(headers(def('', 'configmaps')), 'NAME DATA AGE');
  assert.equal(headers(def('', 'secrets')), 'NAME TYPE DATA AGE');
  assert.equal(headers(def('', 'namespaces')), 'NAME STATUS AGE');
  assert.equal(headers(def('', 'services')), 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE');
  assert.equal(headers(def('', 'services'), true), 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR');
  assert.equal(headers(def('', 'pods')), 'NAME READY STATUS RESTARTS AGE');
  assert.equal(headers(def('', 'pods'), true), 'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES');
  assert.equal(headers(def('', 'endpoints')), 'NAME ENDPOINTS AGE');
  assert.equal(headers(def('', 'serviceaccounts')), 'NAME SECRETS AGE');
  assert.equal(headers(def('', 'events')), 'LAST SEEN TYPE REASON OBJECT MESSAGE');
  assert.equal(headers(def('', 'events'), true), 'LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME');
  assert.equal(headers(def('events.k8s.io', 'events')), 'LAST SEEN TYPE REASON OBJECT MESSAGE');
  assert.equal(headers(def('', 'nodes')), 'NAME STATUS ROLES AGE VERSION');
  assert.equal(
    headers(def('', 'nodes'), true),
    'NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME',
  );
  assert.equal(
    headers(def('', 'persistentvolumeclaims')),
    'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE',
  );
  assert.equal(headers(def('coordination.k8s.io', 'leases')), 'NAME HOLDER AGE');
  assert.equal(headers(def('apps', 'deployments')), 'NAME READY UP-TO-DATE AVAILABLE AGE');
  assert.equal(headers(def('apps', 'deployments'), true), 'NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR');
  assert.equal(headers(def('apiregistration.k8s.io', 'apiservices')), 'NAME SERVICE AVAILABLE AGE');
});

test('every kind: Name column as the real server sends it, Age description, cells one per column', () => {
  const nameDesc = columnDefinitions(def('', 'namespaces'))[0]!;
  for (const d of builtinResources) {
    const name = d.columns.find((c) => c.name === 'Name');
    assert.ok(name, `${d.plural} has a Name column`);
    assert.equal(name.format, 'name');
    assert.equal(name.description, nameDesc.description);
    for (const c of d.columns) {
      assert.ok(['string', 'integer', 'number', 'boolean', 'date'].includes(c.type));
      if (c.name !== 'Name') assert.equal(c.format, '', `${d.plural} ${c.name}`);
    }
    const row = tableRow(d, { metadata: { name: 'x', namespace: 'default' } }, 'None', 0);
    assert.equal(row.cells.length, d.columns.length, d.plural);
    assert.equal('object' in row, false);
  }
});

test('includeObject: Metadata (default), Object and None', () => {
  const cm = def('', 'configmaps');
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'default', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
    data: { a: '1', b: '2' },
    binaryData: { c: 'AA==' },
  };
  const now = Date.parse('2026-01-01T00:00:05Z');
  const meta = toTable(cm, [obj], { now });
  assert.deepEqual(meta.metadata, { resourceVersion: '7' });
  assert.deepEqual(meta.rows[0], {
    cells: ['c', 3, '5s'],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  });
  const full = toTable(cm, [{ ...obj, apiVersion: undefined, kind: undefined } as unknown as KubeObject], { includeObject: 'Object', now });
  assert.deepEqual(full.rows[0]!.object, obj);
  const none = toTable(cm, [obj], { includeObject: 'None', now });
  assert.deepEqual(none.rows[0], { cells: ['c', 3, '5s'] });
  assert.equal(parseIncludeObject('Object'), 'Object');
  assert.equal(parseIncludeObject(''), undefined);
  assert.equal(parseIncludeObject('bogus'), undefined);
});

test('list metadata and empty lists', () => {
  const cm = def('', 'configmaps');
  const t = toTable(cm, [], { listMeta: { resourceVersion: '9', continue: 'abc', remainingItemCount: 4 } });
  assert.deepEqual(t.metadata, { resourceVersion: '9', continue: 'abc', remainingItemCount: 4 });
  assert.deepEqual(t.rows, []);
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(toTable(cm, [], { listMeta: { resourceVersion: '', continue: '' } }).metadata, {});
});

test('watch events: column definitions on the first event only', () => {
  const cm = def('', 'configmaps');
  const obj: KubeObject = { metadata: { name: 'c', namespace: 'default', resourceVersion: '12' } };
  const first = watchEventTable(cm, obj, { first: true, now: 0 });
  assert.deepEqual(first.columnDefinitions, columnDefinitions(cm));
  assert.deepEqual(first.metadata, { resourceVersion: '12' });
  assert.equal(first.rows.length, 1);
  const later = watchEventTable(cm, obj, { first: false, now: 0, includeObject: 'None' });
  assert.equal(later.columnDefinitions, null);
  assert.deepEqual(later.rows, [{ cells: ['c', 0, '<unknown>'] }]);
});

test('cells per kind computed as printers.go does', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  const created = '2026-01-01T00:00:00Z';
  const cells = (d: ResourceDef, o: Partial<KubeObject>) =>
    tableRow(d, { metadata: { name: 'x', creationTimestamp: created }, ...o } as KubeObject, 'None', now).cells;

  // services
  assert.deepEqual(
    cells(def('', 'services'), {
      spec: { type: 'NodePort', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } },
    }),
    ['x', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '60m', 'a=1,b=2'],
  );
  assert.deepEqual(cells(def('', 'services'), { spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.1'] } }).slice(3, 5), ['<pending>', '<none>']);
  assert.deepEqual(
    cells(def('', 'services'), {
      spec: { type: 'LoadBalancer', externalIPs: ['9.9.9.9'] },
      status: { loadBalancer: { ingress: [{ ip: '5.5.5.5' }, { hostname: 'lb.example.com' }] } },
    }).slice(2, 4),
    ['<none>', '5.5.5.5,lb.example.com,9.9.9.9'],
  );
  assert.equal(cells(def('', 'services'), { spec: { type: 'ExternalName', externalName: 'example.com' } })[3], 'example.com');

  // endpoints
  const ep = def('', 'endpoints');
  assert.equal(cells(ep, {})[1], '<none>');
  assert.equal(cells(ep, { subsets: [{ addresses: [{ ip: '1.2.3.4' }], ports: [{ port: 80 }] }] })[1], '1.2.3.4:80');
  assert.equal(
    cells(ep, {
      subsets: [{ addresses: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }, { ip: '3.3.3.3' }, { ip: '4.4.4.4' }, { ip: '5.5.5.5' }], ports: [{ port: 80 }] }],
    })[1],
    '1.1.1.1:80,2.2.2.2:80,3.3.3.3:80 + 2 more...',
  );
  assert.equal(cells(ep, { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 443 }] }] })[1], '[fd00::1]:443');
  assert.equal(cells(ep, { subsets: [{ addresses: [{ ip: '1.1.1.1' }] }] })[1], '1.1.1.1');

  // pods
  const pods = def('', 'pods');
  assert.deepEqual(cells(pods, { spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } }), [
    'x',
    '0/1',
    'Pending',
    '0',
    '60m',
    '<none>',
    '<none>',
    '<none>',
    '<none>',
  ]);
  assert.deepEqual(
    cells(pods, {
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1', readinessGates: [{ conditionType: 'g' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [{ type: 'g', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: '2026-01-01T00:55:00Z' } } },
          { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    }),
    ['x', '1/2', 'CrashLoopBackOff', '2 (5m ago)', '60m', '10.244.0.5', 'n1', '<none>', '1/1'],
  );
  assert.equal(
    cells(pods, {
      spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] },
    })[2],
    'Init:1/2',
  );
  assert.equal(
    cells(pods, {
      spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
    })[2],
    'Init:ImagePullBackOff',
  );
  assert.equal(
    cells(pods, { spec: { containers: [{ name: 'a' }] }, status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } })[2],
    'Completed',
  );
  assert.equal(cells(pods, { spec: { containers: [{ name: 'a' }] }, status: { phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] } })[2], 'ExitCode:3');
  assert.equal(
    tableRow(pods, { metadata: { name: 'x', deletionTimestamp: created }, spec: { containers: [{ name: 'a' }] }, status: { phase: 'Running' } }, 'None', now).cells[2],
    'Terminating',
  );
  assert.equal(cells(pods, { spec: { containers: [] }, status: { phase: 'Pending', reason: 'Evicted' } })[2], 'Evicted');

  // nodes
  const nodes = def('', 'nodes');
  assert.deepEqual(
    tableRow(
      nodes,
      {
        metadata: { name: 'n1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian' },
          addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
        },
      },
      'None',
      now,
    ).cells,
    ['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '60m', 'v1.32.0', '172.18.0.2', '<none>', 'Debian', '<unknown>', '<unknown>'],
  );
  assert.equal(cells(nodes, {})[1], 'Unknown');
  assert.equal(cells(nodes, { status: { conditions: [{ type: 'Ready', status: 'False' }] } })[1], 'NotReady');

  // pvc
  const pvc = def('', 'persistentvolumeclaims');
  assert.deepEqual(
    cells(pvc, {
      spec: { volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] },
    }),
    ['x', 'Bound', 'pv1', '1Gi', 'RWO,RWX', 'standard', '<unset>', '60m', 'Filesystem'],
  );
  assert.deepEqual(cells(pvc, { spec: {}, status: { phase: 'Pending' } }), ['x', 'Pending', '', '', '', '', '<unset>', '60m', '<unset>']);

  // deployments
  const deploy = def('apps', 'deployments');
  assert.deepEqual(
    cells(deploy, {
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }),
    ['x', '2/3', 3, 2, '60m', 'web,side', 'nginx:1.27,busybox', 'app=web'],
  );

  // events
  const ev = def('', 'events');
  assert.deepEqual(
    cells(ev, {
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled',
      type: 'Normal',
      message: ' Successfully pulled image \n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-01-01T00:50:00Z',
      lastTimestamp: '2026-01-01T00:58:00Z',
      count: 4,
    }),
    ['2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Successfully pulled image', '10m', 4, 'x'],
  );
  const evV1 = def('events.k8s.io', 'events');
  assert.deepEqual(
    cells(evV1, {
      regarding: { kind: 'Node', name: 'n1' },
      reason: 'Starting',
      type: 'Normal',
      note: 'Starting kubelet.',
      reportingController: 'kubelet',
      reportingInstance: 'n1',
      eventTime: '2026-01-01T00:59:00.000000Z',
    }),
    ['60s', 'Normal', 'Starting', 'node/n1', '', 'kubelet, n1', 'Starting kubelet.', '60s', 1, 'x'],
  );

  // the rest
  assert.deepEqual(cells(def('', 'secrets'), { type: 'Opaque', data: { a: 'eA==' } }), ['x', 'Opaque', 1, '60m']);
  assert.deepEqual(cells(def('', 'serviceaccounts'), { secrets: [{ name: 's' }] }), ['x', 1, '60m']);
  assert.deepEqual(cells(def('', 'namespaces'), { status: { phase: 'Terminating' } }), ['x', 'Terminating', '60m']);
  assert.deepEqual(cells(def('coordination.k8s.io', 'leases'), { spec: { holderIdentity: 'node-1' } }), ['x', 'node-1', '60m']);
  const apis = def('apiregistration.k8s.io', 'apiservices');
  assert.deepEqual(cells(apis, { spec: {}, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } }), ['x', 'Local', 'True', '60m']);
  assert.deepEqual(
    cells(apis, {
      spec: { service: { namespace: 'wardle', name: 'api' } },
      status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] },
    }),
    ['x', 'wardle/api', 'False (MissingEndpoints)', '60m'],
  );
  assert.deepEqual(cells(apis, { spec: {} }), ['x', 'Local', 'Unknown', '60m']);
});
