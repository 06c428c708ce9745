import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StatusError } from '../api/errors.js';
import { decodeKubernetesProtobuf, decodeProtobufMessage, formatGoDuration, isProtobufMediaType, MAX_PROTOBUF_DEPTH } from './decode.js';
import { parseEnvelope } from './envelope.js';
import { decodableKinds, MESSAGES } from './schema/index.js';
import { compileSchema } from './schema/types.js';
import { WireReader } from './wire.js';
import { cat, entry, envelope, fixed32, fixed64, fromHex, ld, msg, tag, varint, vint } from './fixtures/encoder.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string): Buffer => fromHex(readFileSync(`${FIXTURES}${name}.pb.hex`, 'utf8'));
const expected = (name: string): unknown => JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));

/** Go's JSON form → the decoder's: nulls dropped (zero Time, nil slices), and `status` that holds nothing. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    const n = normalize(val);
    if (k === 'status' && isDeepEmpty(n)) continue;
    out[k] = n;
  }
  return out;
}
function isDeepEmpty(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isDeepEmpty);
}

/** Asserts fn throws a StatusError with this code whose message matches. */
function throwsStatus(fn: () => unknown, code: number, message: RegExp | string): StatusError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}

/** The bytes of the first length-delimited field `n` of a message. */
function subField(buf: Uint8Array, n: number): Uint8Array {
  const r = new WireReader(buf);
  while (!r.done) {
    const t = r.readTag();
    if (t.field === n && t.wire === 2) return r.readBytes();
    r.skip(t.wire);
  }
  throw new Error(`no field ${n}`);
}

// --- bodies captured from kubectl (see fixtures/README.md) --------------------------------------------------------

const KUBECTL_FIXTURES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pb.hex') && f !== 'job-from-cronjob.pb.hex')
  .map((f) => f.slice(0, -'.pb.hex'.length))
  .sort();

test('every captured kubectl body has an expectation', () => {
  assert.ok(KUBECTL_FIXTURES.length >= 20, `${KUBECTL_FIXTURES.length} fixtures`);
  for (const name of KUBECTL_FIXTURES) assert.doesNotThrow(() => expected(name), name);
});

for (const name of KUBECTL_FIXTURES) {
  test(`kubectl body ${name} decodes to its JSON form`, () => {
    const got = decodeKubernetesProtobuf(fixture(name));
    const want = normalize(expected(name));
    assert.deepStrictEqual(got, want);
    assert.deepEqual(Object.keys(got).slice(0, 2), ['apiVersion', 'kind']);
  });
}

test('kubectl create job --from=cronjob: the pod template round-trips through the Go types', () => {
  const body = fixture('job-from-cronjob');
  const env = parseEnvelope(body);
  assert.deepEqual([env.apiVersion, env.kind], ['batch/v1', 'Job']);
  // Job { metadata = 1, spec = 2 { template = 6 } }: batch/v1 is not in kage's table, so walk to the core/v1 parts
  const template = decodeProtobufMessage('core.PodTemplateSpec', subField(subField(env.raw, 2), 6));
  assert.deepStrictEqual(template, normalize(expected('job-template')));
  const metadata = decodeProtobufMessage('meta.ObjectMeta', subField(env.raw, 1));
  assert.deepStrictEqual(metadata, normalize(expected('job-from-cronjob.metadata')));
  throwsStatus(
    () => decodeKubernetesProtobuf(body),
    415,
    'the body of the request was in an unknown format - kage cannot decode protobuf for batch/v1, Kind=Job; send application/json',
  );
});

// --- hand-built messages (field numbers spelled out from the API's generated.proto) -----------------------------

test('TokenReview as an extension API server sends it', () => {
  const raw = cat(
    msg(1, ld(1, ''), ld(2, ''), ld(3, ''), ld(4, ''), ld(5, ''), ld(6, ''), vint(7, 0), msg(8)), // ObjectMeta, zero fields written
    msg(2, ld(1, 'eyJhbGciOi.payload.sig'), ld(2, 'https://kubernetes.default.svc'), ld(2, 'api')), // spec
    msg(3, vint(1, false), msg(2, ld(1, ''), ld(2, '')), ld(3, '')), // status, all zero
  );
  const got = decodeKubernetesProtobuf(envelope('authentication.k8s.io/v1', 'TokenReview', raw));
  assert.deepStrictEqual(got, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    metadata: {},
    spec: { token: 'eyJhbGciOi.payload.sig', audiences: ['https://kubernetes.default.svc', 'api'] },
  });
});

test('TokenReview status with user info and extra (map of string lists)', () => {
  const status = msg(
    3,
    vint(1, true),
    msg(
      2,
      ld(1, 'system:serviceaccount:default:sa'),
      ld(2, 'a1b2'),
      ld(3, 'system:serviceaccounts'),
      ld(3, 'system:authenticated'),
      msg(4, ld(1, 'authentication.kubernetes.io/pod-name'), msg(2, ld(1, 'web-0'))),
      msg(4, ld(1, 'scopes'), msg(2, ld(1, 'a'), ld(1, 'b'))),
      msg(4, ld(1, 'empty'), msg(2)),
    ),
    ld(4, 'api'),
  );
  const got = decodeKubernetesProtobuf(envelope('authentication.k8s.io/v1', 'TokenReview', cat(msg(1), msg(2, ld(1, 't')), status)));
  assert.deepStrictEqual(got.status, {
    authenticated: true,
    user: {
      username: 'system:serviceaccount:default:sa',
      uid: 'a1b2',
      groups: ['system:serviceaccounts', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/pod-name': ['web-0'], scopes: ['a', 'b'], empty: [] },
    },
    audiences: ['api'],
  });
});

test('SubjectAccessReview with resource attributes and field/label selector requirements', () => {
  const spec = msg(
    2,
    msg(
      1,
      ld(1, 'team-a'),
      ld(2, 'list'),
      ld(3, 'apps'),
      ld(4, 'v1'),
      ld(5, 'deployments'),
      ld(6, ''),
      ld(7, ''),
      msg(8, ld(1, 'spec.nodeName=n1'), msg(2, ld(1, 'spec.nodeName'), ld(2, 'In'), ld(3, 'n1'))),
      msg(9, ld(1, ''), msg(2, ld(1, 'app'), ld(2, 'Exists')), msg(2, ld(1, 'tier'), ld(2, 'NotIn'), ld(3, 'db'), ld(3, 'cache'))),
    ),
    ld(3, 'jane'),
    ld(4, 'devs'),
    msg(5, ld(1, 'reason'), msg(2, ld(1, 'on-call'))),
    ld(6, 'uid-1'),
  );
  const status = msg(3, vint(1, false), ld(2, ''), ld(3, ''), vint(4, false));
  const got = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', cat(msg(1), spec, status)));
  assert.deepStrictEqual(got, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: {},
    spec: {
      resourceAttributes: {
        namespace: 'team-a',
        verb: 'list',
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        fieldSelector: { rawSelector: 'spec.nodeName=n1', requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['n1'] }] },
        labelSelector: {
          requirements: [
            { key: 'app', operator: 'Exists' },
            { key: 'tier', operator: 'NotIn', values: ['db', 'cache'] },
          ],
        },
      },
      user: 'jane',
      groups: ['devs'],
      extra: { reason: ['on-call'] },
      uid: 'uid-1',
    },
    // allowed has no omitempty in Go: its false is kept, as Go's JSON writes it
    status: { allowed: false },
  });
});

test('SubjectAccessReview with non-resource attributes and a denying status', () => {
  const raw = cat(msg(1), msg(2, msg(2, ld(1, '/metrics'), ld(2, 'get')), ld(3, 'system:anonymous')), msg(3, vint(1, false), ld(2, 'no'), vint(4, true)));
  const got = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', raw));
  assert.deepStrictEqual(got.spec, { nonResourceAttributes: { path: '/metrics', verb: 'get' }, user: 'system:anonymous' });
  assert.deepStrictEqual(got.status, { allowed: false, reason: 'no', denied: true });
  const local = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'LocalSubjectAccessReview', cat(msg(1, ld(3, 'ns1')), msg(2, msg(1, ld(1, 'ns1'))))));
  assert.deepStrictEqual(local.metadata, { namespace: 'ns1' });
});

test('ObjectMeta: times, owner references, finalizers, managedFields with FieldsV1', () => {
  const fields = '{"f:data":{"f:a":{}}}';
  const meta = msg(
    1,
    ld(1, 'cm'),
    ld(3, 'default'),
    ld(5, '6f1c-uid'),
    ld(6, '42'),
    vint(7, 3),
    msg(8, vint(1, 1795232393), vint(2, 999)), // 2026-11-21T03:39:53Z; Time drops nanos
    msg(9, vint(1, 0)), // the Unix epoch is a real time, not a zero one
    vint(10, 0), // pointer: kept
    entry(11, 'app', 'web'),
    entry(12, 'note', ''),
    msg(13, ld(1, 'ReplicaSet'), ld(3, 'rs'), ld(4, 'rs-uid'), ld(5, 'apps/v1'), vint(6, true), vint(7, false)),
    ld(14, 'example.com/cleanup'),
    msg(17, ld(1, 'kubectl-create'), ld(2, 'Update'), ld(3, 'v1'), msg(4, vint(1, 1795232393)), ld(6, 'FieldsV1'), msg(7, ld(1, fields)), ld(8, '')),
  );
  const got = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', meta));
  assert.deepStrictEqual(got.metadata, {
    name: 'cm',
    namespace: 'default',
    uid: '6f1c-uid',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-11-21T03:39:53Z',
    deletionTimestamp: '1970-01-01T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    labels: { app: 'web' },
    annotations: { note: '' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: false }],
    finalizers: ['example.com/cleanup'],
    managedFields: [
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-11-21T03:39:53Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ],
  });
  // Go's zero time.Time written as a Timestamp is still the zero time: omitted
  const zero = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, msg(8, vint(1, -62135596800)))));
  assert.deepStrictEqual(zero.metadata, {});
});

test('Lease and events.k8s.io Event: MicroTime keeps microseconds', () => {
  const lease = decodeKubernetesProtobuf(
    envelope(
      'coordination.k8s.io/v1',
      'Lease',
      cat(msg(1, ld(1, 'kube-scheduler'), ld(3, 'kube-system')), msg(2, ld(1, 'node-1_abc'), vint(2, 15), msg(3, vint(1, 1795232393), vint(2, 123456789)), msg(4, vint(1, 1795232400)), vint(5, 0))),
    ),
  );
  assert.deepStrictEqual(lease.spec, {
    holderIdentity: 'node-1_abc',
    leaseDurationSeconds: 15,
    acquireTime: '2026-11-21T03:39:53.123456Z',
    renewTime: '2026-11-21T03:40:00.000000Z',
    leaseTransitions: 0,
  });
  const ev = decodeKubernetesProtobuf(
    envelope(
      'events.k8s.io/v1',
      'Event',
      cat(
        msg(1, ld(1, 'web.17a'), ld(3, 'default')),
        msg(2, vint(1, 1795232393), vint(2, 5000)),
        msg(3, vint(1, 2), msg(2, vint(1, 1795232394))),
        ld(4, 'kubelet'),
        ld(5, 'kubelet-node-1'),
        ld(6, 'Pulling'),
        ld(7, 'Pulling'),
        msg(8, ld(1, 'Pod'), ld(2, 'default'), ld(3, 'web'), ld(5, 'v1'), ld(7, 'spec.containers{web}')),
        ld(10, 'Pulling image "nginx"'),
        ld(11, 'Normal'),
        msg(12),
        msg(13),
        msg(14),
        vint(15, 0),
      ),
    ),
  );
  assert.deepStrictEqual(ev, {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    eventTime: '2026-11-21T03:39:53.000005Z',
    series: { count: 2, lastObservedTime: '2026-11-21T03:39:54.000000Z' },
    reportingController: 'kubelet',
    reportingInstance: 'kubelet-node-1',
    action: 'Pulling',
    reason: 'Pulling',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
    note: 'Pulling image "nginx"',
    type: 'Normal',
    deprecatedSource: {},
  });
});

test('core/v1 Event as client-go event recorders send it', () => {
  const got = decodeKubernetesProtobuf(
    envelope(
      'v1',
      'Event',
      cat(
        msg(1, ld(1, 'web.17a'), ld(3, 'default')),
        msg(2, ld(1, 'Pod'), ld(2, 'default'), ld(3, 'web')),
        ld(3, 'Scheduled'),
        ld(4, 'Successfully assigned default/web to node-1'),
        msg(5, ld(1, 'default-scheduler'), ld(2, '')),
        msg(6, vint(1, 1795232393)),
        msg(7),
        vint(8, 1),
        ld(9, 'Normal'),
        msg(10),
        ld(12, 'Binding'),
        ld(14, 'default-scheduler'),
        ld(15, ''),
      ),
    ),
  );
  assert.deepStrictEqual(got, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web to node-1',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2026-11-21T03:39:53Z',
    count: 1,
    type: 'Normal',
    action: 'Binding',
    reportingComponent: 'default-scheduler',
    reportingInstance: '', // no omitempty in Go
  });
});

test('Deployment strategy: a pointer IntOrString keeps its zero; Scale; APIService bytes are base64', () => {
  const dep = decodeKubernetesProtobuf(
    envelope('apps/v1', 'Deployment', cat(msg(1, ld(1, 'web')), msg(2, vint(1, 0), msg(4, ld(1, 'RollingUpdate'), msg(2, msg(1, vint(1, 0), vint(2, 0)), msg(2, vint(1, 1), ld(3, '25%')))), vint(6, 10), vint(7, true)))),
  );
  assert.deepStrictEqual(dep.spec, { replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, revisionHistoryLimit: 10, paused: true });

  const scale = decodeKubernetesProtobuf(envelope('autoscaling/v1', 'Scale', cat(msg(1, ld(1, 'web'), ld(3, 'default')), msg(2, vint(1, 3)), msg(3, vint(1, 2), ld(2, 'app=web')))));
  assert.deepStrictEqual(scale, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=web' } });

  const ca = Uint8Array.of(0x30, 0x82, 0x01, 0xff, 0x00);
  const apis = decodeKubernetesProtobuf(
    envelope(
      'apiregistration.k8s.io/v1',
      'APIService',
      cat(
        msg(1, ld(1, 'v1alpha1.wardle.example.com')),
        msg(2, msg(1, ld(1, 'wardle'), ld(2, 'api'), vint(3, 443)), ld(2, 'wardle.example.com'), ld(3, 'v1alpha1'), vint(4, false), ld(5, ca), vint(7, 1000), vint(8, 15)),
        msg(3, msg(1, ld(1, 'Available'), ld(2, 'False'), msg(3, vint(1, 1795232393)), ld(4, 'MissingEndpoints'), ld(5, 'no endpoints'))),
      ),
    ),
  );
  assert.deepStrictEqual(apis.spec, {
    service: { namespace: 'wardle', name: 'api', port: 443 },
    group: 'wardle.example.com',
    version: 'v1alpha1',
    caBundle: Buffer.from(ca).toString('base64'),
    groupPriorityMinimum: 1000,
    versionPriority: 15,
  });
  assert.deepStrictEqual(apis.status, {
    conditions: [{ type: 'Available', status: 'False', lastTransitionTime: '2026-11-21T03:39:53Z', reason: 'MissingEndpoints', message: 'no endpoints' }],
  });
});

test('Node: quantities, conditions, addresses, taints, system info', () => {
  const got = decodeKubernetesProtobuf(
    envelope(
      'v1',
      'Node',
      cat(
        msg(1, ld(1, 'node-1'), entry(11, 'kubernetes.io/hostname', 'node-1')),
        msg(2, ld(1, '10.244.0.0/24'), vint(4, true), msg(5, ld(1, 'node.kubernetes.io/not-ready'), ld(3, 'NoSchedule'), msg(4, vint(1, 1795232393))), ld(7, '10.244.0.0/24')),
        msg(
          3,
          msg(1, ld(1, 'cpu'), msg(2, ld(1, '4'))),
          msg(1, ld(1, 'memory'), msg(2, ld(1, '16Gi'))),
          msg(1, ld(1, 'hugepages-2Mi'), msg(2)),
          msg(2, ld(1, 'cpu'), msg(2, ld(1, '3800m'))),
          msg(4, ld(1, 'Ready'), ld(2, 'True'), msg(3, vint(1, 1795232393)), msg(4, vint(1, 1795232300)), ld(5, 'KubeletReady'), ld(6, 'kubelet is posting ready status')),
          msg(5, ld(1, 'InternalIP'), ld(2, '10.0.0.5')),
          msg(6, msg(1, vint(1, 10250))),
          msg(7, ld(1, 'm'), ld(2, 's'), ld(3, 'b'), ld(4, '6.1'), ld(5, 'Debian'), ld(6, 'containerd://1.7'), ld(7, 'v1.32.0'), ld(8, ''), ld(9, 'linux'), ld(10, 'amd64')),
        ),
      ),
    ),
  );
  assert.deepStrictEqual(got, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.244.0.0/24', unschedulable: true, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: '2026-11-21T03:39:53Z' }], podCIDRs: ['10.244.0.0/24'] },
    status: {
      capacity: { cpu: '4', memory: '16Gi', 'hugepages-2Mi': '0' },
      allocatable: { cpu: '3800m' },
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-21T03:39:53Z', lastTransitionTime: '2026-11-21T03:38:20Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: 'm',
        systemUUID: 's',
        bootID: 'b',
        kernelVersion: '6.1',
        osImage: 'Debian',
        containerRuntimeVersion: 'containerd://1.7',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  });
});

test('PersistentVolumeClaim, Endpoints and Binding', () => {
  const pvc = decodeKubernetesProtobuf(
    envelope('v1', 'PersistentVolumeClaim', cat(msg(1, ld(1, 'data')), msg(2, ld(1, 'ReadWriteOnce'), msg(2, msg(2, ld(1, 'storage'), msg(2, ld(1, '10Gi')))), ld(5, ''), ld(6, 'Filesystem'), msg(7, ld(2, 'VolumeSnapshot'), ld(3, 'snap'))), msg(3, ld(1, 'Pending')))),
  );
  assert.deepStrictEqual(pvc.spec, {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '10Gi' } },
    storageClassName: '', // a pointer: "" means "no class", not "default class"
    volumeMode: 'Filesystem',
    dataSource: { kind: 'VolumeSnapshot', name: 'snap' },
  });
  assert.deepStrictEqual(pvc.status, { phase: 'Pending' });

  const ep = decodeKubernetesProtobuf(
    envelope('v1', 'Endpoints', cat(msg(1, ld(1, 'svc')), msg(2, msg(1, ld(1, '10.1.2.3'), msg(2, ld(1, 'Pod'), ld(3, 'web-0')), ld(4, 'node-1')), msg(2, ld(1, '10.1.2.4')), msg(3, ld(1, 'http'), vint(2, 8080), ld(3, 'TCP'))))),
  );
  assert.deepStrictEqual(ep.subsets, [
    { addresses: [{ ip: '10.1.2.3', targetRef: { kind: 'Pod', name: 'web-0' }, nodeName: 'node-1' }], notReadyAddresses: [{ ip: '10.1.2.4' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
  ]);

  const binding = decodeKubernetesProtobuf(envelope('v1', 'Binding', cat(msg(1, ld(1, 'web-0'), ld(3, 'default')), msg(2, ld(1, 'Node'), ld(3, 'node-1')))));
  assert.deepStrictEqual(binding.target, { kind: 'Node', name: 'node-1' });
});

test('DeleteOptions in any group version and in meta.k8s.io/v1', () => {
  for (const gv of ['v1', 'apps/v1', 'meta.k8s.io/v1', 'coordination.k8s.io/v1']) {
    const got = decodeKubernetesProtobuf(envelope(gv, 'DeleteOptions', cat(vint(1, 0), msg(2, ld(1, 'u-1'), ld(2, '9')), ld(4, 'Foreground'), ld(5, 'All'))));
    assert.deepStrictEqual(got, {
      apiVersion: gv,
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u-1', resourceVersion: '9' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  }
  assert.ok(decodableKinds().some((k) => k.apiVersion === 'authorization.k8s.io/v1' && k.kind === 'DeleteOptions'));
});

test('Pod spec details: packed repeated int64, negative int32, inline volume source, probes', () => {
  const podSpec = msg(
    2,
    msg(1, ld(1, 'cache'), msg(2, msg(2, ld(1, 'Memory')))), // volumes[0] = { name, VolumeSource{ emptyDir } } inlined
    msg(2, ld(1, 'app'), ld(2, 'nginx'), msg(10, msg(1, msg(3, msg(1, vint(1, 0), vint(2, 8080)))), vint(2, -1)), msg(8)),
    msg(14, ld(4, cat(varint(1000), varint(2000))), vint(4, 3000)), // supplementalGroups: packed, then unpacked
    vint(25, -7),
  );
  const got = decodeKubernetesProtobuf(envelope('v1', 'Pod', cat(msg(1, ld(1, 'p')), podSpec)));
  assert.deepStrictEqual(got.spec, {
    volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
    containers: [{ name: 'app', image: 'nginx', livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: -1 }, resources: {} }],
    securityContext: { supplementalGroups: [1000, 2000, 3000] },
    priority: -7,
  });
});

test('singular messages sent twice merge; the last scalar wins, even a zero one', () => {
  const got = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cat(msg(1, ld(1, 'a'), ld(3, 'ns')), msg(1, entry(11, 'k', 'v'), ld(3, '')), entry(2, 'x', '1'), entry(2, 'x', '2'))));
  assert.deepStrictEqual(got, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { k: 'v' } }, data: { x: '2' } });
});

test('map keys cannot reach a prototype', () => {
  const got = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cat(msg(1, ld(1, 'a')), entry(2, '__proto__', 'polluted'), entry(2, 'constructor', 'c'))));
  const data = got.data as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.deepEqual(Object.keys(data), ['__proto__', 'constructor']);
  assert.equal(data['__proto__'], 'polluted');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(JSON.parse(JSON.stringify(got)).data.__proto__, 'polluted');
});

test('map entries: a missing value is the zero value; bytes values are base64', () => {
  const got = decodeKubernetesProtobuf(envelope('v1', 'Secret', cat(msg(1, ld(1, 's')), msg(2, ld(1, 'empty')), entry(2, 'bin', Uint8Array.of(0, 1, 255)), ld(3, 'Opaque'), vint(5, false))));
  assert.deepStrictEqual(got, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { empty: '', bin: 'AAH/' }, type: 'Opaque', immutable: false });
});

test('Go duration strings', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [1, '1ns'],
    [1100, '1.1µs'],
    [2_200_000, '2.2ms'],
    [1_500_000_000, '1.5s'],
    [60_000_000_000, '1m0s'],
    [3_600_000_000_000, '1h0m0s'],
    [3_723_000_000_001, '1h2m3.000000001s'],
    [-90_000_000_000, '-1m30s'],
  ];
  for (const [ns, s] of cases) assert.equal(formatGoDuration(ns), s, String(ns));
});

test('forms no served kind uses yet: RawExtension (JSON or nested protobuf), Duration, doubles, packed floats', () => {
  const table = compileSchema([
    {
      alias: 't',
      label: 'test/v1',
      messages: {
        T: { 1: 'object raw', 2: 'timeout duration', 3: 'ratio double', 4: 'weights []float', 5: 'nested raw', 6: 'count uint64', 7: 'keep *duration' },
      },
    },
  ]);
  const inner = envelope('v1', 'ConfigMap', cat(msg(1, ld(1, 'inner')), entry(2, 'a', '1')));
  const got = decodeProtobufMessage(
    't.T',
    cat(msg(1, ld(1, '{"kind":"Foo","n":[1,2]}')), msg(2, vint(1, 90_000_000_000)), fixed64(3, 0.25), ld(4, cat(fixed32(9, 1).subarray(1), fixed32(9, 2).subarray(1))), msg(5, ld(1, inner)), vint(6, 2 ** 40), msg(7, vint(1, 0))),
    table,
  );
  assert.deepStrictEqual(got, {
    object: { kind: 'Foo', n: [1, 2] },
    timeout: '1m30s',
    ratio: 0.25,
    weights: [1, 2],
    nested: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner' }, data: { a: '1' } },
    count: 2 ** 40,
    keep: '0s',
  });
  // a zero Duration without '*' is dropped like other omitempty zeros; an empty RawExtension is omitted
  assert.deepStrictEqual(decodeProtobufMessage('t.T', cat(msg(1), msg(2, vint(1, 0))), table), {});
  throwsStatus(() => decodeProtobufMessage('t.T', msg(1, ld(1, 'nope')), table), 400, /at object: runtime RawExtension does not hold JSON/);
  throwsStatus(() => decodeProtobufMessage('t.T', fixed64(3, Number.NaN), table), 400, /JSON cannot hold/);
});

test('isProtobufMediaType', () => {
  assert.equal(isProtobufMediaType('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isProtobufMediaType('Application/VND.Kubernetes.Protobuf; charset=binary'), true);
  assert.equal(isProtobufMediaType('application/json'), false);
  assert.equal(isProtobufMediaType('application/vnd.kubernetes.protobuf+json'), false);
  assert.equal(isProtobufMediaType(''), false);
  assert.equal(isProtobufMediaType(undefined), false);
});

test('the table: every message compiles, every kind has a message, labels name their package', () => {
  assert.ok(MESSAGES.size > 200, `${MESSAGES.size} messages`);
  for (const def of MESSAGES.values()) assert.match(def.label, /^[a-z]+(\/v1)? [A-Z]\w*$/, def.id);
  const kinds = decodableKinds().map((k) => `${k.apiVersion} ${k.kind}`);
  for (const k of ['v1 ConfigMap', 'v1 Pod', 'apps/v1 Deployment', 'authentication.k8s.io/v1 TokenReview', 'authorization.k8s.io/v1 SubjectAccessReview', 'apiregistration.k8s.io/v1 APIService', 'events.k8s.io/v1 Event', 'coordination.k8s.io/v1 Lease', 'autoscaling/v1 Scale']) {
    assert.ok(kinds.includes(k), k);
  }
  assert.throws(() => compileSchema([{ alias: 't', label: 't/v1', messages: { A: { 1: 'x Missing' } } }]), /unknown message t.Missing/);
  assert.throws(() => compileSchema([{ alias: 't', label: 't/v1', messages: { A: { 1: 'x map[string]' } } }]), /malformed/);
});

// --- hostile and malformed input ---------------------------------------------------------------------------------

test('not protobuf, or no kind: 400', () => {
  throwsStatus(() => decodeKubernetesProtobuf(Buffer.from('{"apiVersion":"v1","kind":"ConfigMap"}')), 400, /magic/);
  throwsStatus(() => decodeKubernetesProtobuf(Buffer.alloc(0)), 400, /magic/);
  throwsStatus(() => decodeKubernetesProtobuf(Buffer.from('k8s\0')), 400, /names no kind/);
});

test('unknown kinds: 415 naming the kind', () => {
  throwsStatus(
    () => decodeKubernetesProtobuf(envelope('apps/v1', 'ReplicaSet', new Uint8Array(0))),
    415,
    'the body of the request was in an unknown format - kage cannot decode protobuf for apps/v1, Kind=ReplicaSet; send application/json',
  );
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v2', 'ConfigMap', new Uint8Array(0))), 415, /v2, Kind=ConfigMap/);
});

test('unknown fields: 415 naming message, field and where; never dropped', () => {
  const e = throwsStatus(
    () => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', cat(msg(1, ld(1, 'web')), msg(2, msg(3, msg(2, msg(2, ld(1, 'c')), vint(99, 1))))))),
    415,
    'kage cannot decode field 99 of core/v1 PodSpec (at spec.template.spec); send JSON instead',
  );
  assert.equal(e.status.reason, 'UnsupportedMediaType');
  throwsStatus(
    () => decodeKubernetesProtobuf(envelope('v1', 'Pod', msg(2, msg(2, ld(1, 'a')), msg(2, ld(1, 'b'), vint(200, 1))))),
    415,
    'kage cannot decode field 200 of core/v1 Container (at spec.containers[1]); send JSON instead',
  );
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', vint(7, 1))), 415, 'kage cannot decode field 7 of core/v1 ConfigMap; send JSON instead');
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, msg(8, vint(3, 1))))), 415, /field 3 of meta\/v1 Time \(at metadata.creationTimestamp\)/);
});

test('wrong wire types, truncation, huge lengths, overlong varints: 400', () => {
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', vint(2, 1))), 400, /field 2 \(data\) of core\/v1 ConfigMap has varint wire type, expected length-delimited/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, ld(7, 'x')))), 400, /at metadata.generation: field 7 \(generation\) of meta\/v1 ObjectMeta has length-delimited wire type, expected varint/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cat(tag(1, 2), varint(2 ** 31), Uint8Array.of(1, 2)))), 400, /runs past the end/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cat(tag(1, 2), varint(2n ** 63n)))), 400, /runs past the end/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, tag(7, 0), new Uint8Array(12).fill(0xff), Uint8Array.of(1)))), 400, /^error decoding protobuf body at metadata.generation: varint longer than 10 bytes \(byte 26\)$/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, vint(7, 2n ** 60n)))), 400, /too large/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cat(tag(3, 3)))), 400, /groups/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', msg(2, msg(4, msg(2, msg(1, vint(1, 5))))))), 400, /impossible type 5/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'Node', msg(3, msg(1, ld(1, 'cpu'), msg(2, ld(1, '')))))), 400, /Quantity is empty/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, msg(17, msg(7, ld(1, '{not json')))))), 400, /FieldsV1 does not hold JSON/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', msg(1, msg(8, vint(1, 2n ** 50n))))), 400, /outside the years/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(0), ld(3, 'gzip'))), 415, /content encoding "gzip"/);
  throwsStatus(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(0), ld(4, 'application/yaml'))), 415, /content type "application\/yaml"/);
  // fixed32 where a varint belongs
  throwsStatus(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', msg(2, fixed32(1, 1)))), 400, /fixed32 wire type, expected varint/);
});

test('every truncation of a real body fails cleanly (400) or decodes, fast', () => {
  for (const name of ['deployment-web', 'service-loadbalancer', 'configmap-file']) {
    const body = fixture(name);
    const start = Date.now();
    for (let len = 0; len < body.length; len++) {
      try {
        decodeKubernetesProtobuf(body.subarray(0, len));
      } catch (err) {
        assert.ok(err instanceof StatusError, `${name}[0:${len}]: ${String(err)}`);
        assert.ok(err.code === 400 || err.code === 415, `${name}[0:${len}]: ${err.code} ${err.message}`);
      }
    }
    assert.ok(Date.now() - start < 2000);
  }
  // a cut inside the object's bytes is a length running past the end
  const body = fixture('deployment-web');
  throwsStatus(() => decodeKubernetesProtobuf(body.subarray(0, 100)), 400, /runs past the end/);
});

test('random bytes after the magic never crash or hang', () => {
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const start = Date.now();
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(rand() * 64);
    const raw = Uint8Array.from({ length: len }, () => Math.floor(rand() * 256));
    for (const body of [Buffer.concat([Buffer.from('k8s\0'), raw]), envelope('v1', 'Pod', raw)]) {
      try {
        decodeKubernetesProtobuf(body);
      } catch (err) {
        assert.ok(err instanceof StatusError, String(err));
      }
    }
  }
  assert.ok(Date.now() - start < 5000);
});

test(`nesting deeper than ${MAX_PROTOBUF_DEPTH} levels is refused without blowing the stack`, () => {
  const table = compileSchema([{ alias: 't', label: 'test/v1', messages: { Node: { 1: 'child Node', 2: 'name string' } } }]);
  let ok: Uint8Array = ld(2, 'leaf');
  for (let i = 0; i < MAX_PROTOBUF_DEPTH - 2; i++) ok = msg(1, ok);
  assert.doesNotThrow(() => decodeProtobufMessage('t.Node', ok, table));
  // 100k levels: 2-4 bytes each, built inside out
  const levels = 100_000;
  const chunks: Uint8Array[] = [];
  let inner = 0;
  for (let i = 0; i < levels; i++) {
    const prefix = cat(tag(1, 2), varint(inner));
    chunks.push(prefix);
    inner += prefix.length;
  }
  const deep = Buffer.concat(chunks.reverse());
  const start = Date.now();
  throwsStatus(() => decodeProtobufMessage('t.Node', deep, table), 400, /nested deeper than 100 levels/);
  assert.ok(Date.now() - start < 1000);
  // the same bytes as a real kind: ObjectMeta's field 1 is a string, so the nesting is never parsed
  const got = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', deep));
  assert.equal(typeof (got.metadata as Record<string, unknown>).name, 'string');
});

test('a large body (about 3 MiB of ConfigMap data) decodes quickly', () => {
  const parts: Uint8Array[] = [msg(1, ld(1, 'big'))];
  const value = 'v'.repeat(100);
  for (let i = 0; i < 25_000; i++) parts.push(entry(2, `key-${i}`, value));
  const body = envelope('v1', 'ConfigMap', cat(...parts));
  assert.ok(body.length > 2.5 * 1024 * 1024);
  const start = Date.now();
  const got = decodeKubernetesProtobuf(body);
  assert.equal(Object.keys(got.data as object).length, 25_000);
  assert.ok(Date.now() - start < 2000, `${Date.now() - start} ms`);
});
