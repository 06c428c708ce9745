// The real kubectl applying what extension API servers ship (the sample-apiserver's and metrics-server's
// manifests: ServiceAccount, ClusterRole, bindings to the bootstrap roles, a ReplicationController), and the typed
// `kubectl create role/clusterrole/rolebinding/clusterrolebinding` (protobuf bodies). RBAC is stored, not enforced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { describeResult, kubectlOk, parseTable, startKage, uniqueName, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

/** What the sample-apiserver's artifacts/example and metrics-server's components.yaml create, trimmed. */
const MANIFEST = (ns: string, id: string): string => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: apiserver
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${id}-aggregated-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "watch", "list"]
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]
  verbs: ["get", "watch", "list"]
- nonResourceURLs: ["/metrics"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${id}:system:auth-delegator
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:auth-delegator
subjects:
- kind: ServiceAccount
  name: apiserver
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${id}-auth-reader
  namespace: kube-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: extension-apiserver-authentication-reader
subjects:
- kind: ServiceAccount
  name: apiserver
  namespace: ${ns}
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: wardle-server
  namespace: ${ns}
  labels:
    apiserver: "true"
spec:
  replicas: 1
  selector:
    apiserver: "true"
  template:
    metadata:
      labels:
        apiserver: "true"
    spec:
      serviceAccountName: apiserver
      containers:
      - name: wardle-server
        image: registry.k8s.io/e2e-test-images/sample-apiserver:1.29.2
        imagePullPolicy: IfNotPresent
        args: ["--etcd-servers=http://localhost:2379"]
      - name: etcd
        image: gcr.io/etcd-development/etcd:v3.5.14
        command: ["/usr/local/bin/etcd", "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", "http://127.0.0.1:2379"]
`;

/** The header words of the first table in kubectl's output. */
function headers(out: string): string[] {
  return out.split('\n')[0]!.trim().split(/\s+/);
}

/** kubectl's tables for several kinds at once, split at their blank lines. */
function tables(out: string): string[] {
  return out.split(/\n\s*\n/).map((t) => t.trim()).filter(Boolean);
}

test('kubectl apply of an extension API server manifest: RBAC objects and a ReplicationController', async () => {
  const id = uniqueName('wardle');
  const ns = id;
  const out = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: MANIFEST(ns, id) });
  assert.deepEqual(out.trim().split('\n'), [
    `namespace/${ns} created`,
    'serviceaccount/apiserver created',
    `clusterrole.rbac.authorization.k8s.io/${id}-aggregated-reader created`,
    `clusterrolebinding.rbac.authorization.k8s.io/${id}:system:auth-delegator created`,
    `rolebinding.rbac.authorization.k8s.io/${id}-auth-reader created`,
    'replicationcontroller/wardle-server created',
  ]);
  // Applying again changes nothing; kubectl diff agrees.
  const again = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: MANIFEST(ns, id) });
  assert.ok(again.trim().split('\n').every((l) => l.endsWith(' unchanged')), again);
  const diff = await kage.kubectl(['diff', '-f', '-'], { stdin: MANIFEST(ns, id) });
  assert.equal(diff.code, 0, describeResult(['diff'], diff));

  // Every RBAC kind at once, across namespaces: roles print NAME and CREATED AT, bindings NAME, ROLE and AGE.
  const all = tables(await kubectlOk(kage, ['get', 'clusterroles,clusterrolebindings,roles,rolebindings', '-A']));
  assert.equal(all.length, 4, all.join('\n---\n'));
  const [crs, crbs, rs, rbs] = all as [string, string, string, string];
  assert.deepEqual(headers(crs), ['NAME', 'CREATED', 'AT']);
  assert.deepEqual(headers(crbs), ['NAME', 'ROLE', 'AGE']);
  assert.deepEqual(headers(rs), ['NAMESPACE', 'NAME', 'CREATED', 'AT']);
  assert.deepEqual(headers(rbs), ['NAMESPACE', 'NAME', 'ROLE', 'AGE']);
  const crRow = parseTable(crs).find((r) => r['NAME'] === `clusterrole.rbac.authorization.k8s.io/${id}-aggregated-reader`);
  assert.ok(crRow, crs);
  assert.match(`${crRow['CREATED']}${crRow['AT']}`, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const name of ['cluster-admin', 'system:auth-delegator']) {
    assert.ok(parseTable(crs).some((r) => r['NAME'] === `clusterrole.rbac.authorization.k8s.io/${name}`), `${name}: ${crs}`);
  }
  const crbRow = parseTable(crbs).find((r) => r['NAME'] === `clusterrolebinding.rbac.authorization.k8s.io/${id}:system:auth-delegator`);
  assert.equal(crbRow?.['ROLE'], 'ClusterRole/system:auth-delegator', crbs);
  const adminBinding = parseTable(crbs).find((r) => r['NAME'] === 'clusterrolebinding.rbac.authorization.k8s.io/cluster-admin');
  assert.equal(adminBinding?.['ROLE'], 'ClusterRole/cluster-admin', crbs);
  const readerRole = parseTable(rs).find((r) => r['NAME'] === 'role.rbac.authorization.k8s.io/extension-apiserver-authentication-reader');
  assert.equal(readerRole?.['NAMESPACE'], 'kube-system', rs);
  const rbRow = parseTable(rbs).find((r) => r['NAME'] === `rolebinding.rbac.authorization.k8s.io/${id}-auth-reader`);
  assert.equal(rbRow?.['NAMESPACE'], 'kube-system', rbs);
  assert.equal(rbRow?.['ROLE'], 'Role/extension-apiserver-authentication-reader', rbs);
  // -o wide adds the subjects.
  const wide = await kubectlOk(kage, ['get', 'rolebinding', `${id}-auth-reader`, '-n', 'kube-system', '-o', 'wide']);
  assert.deepEqual(headers(wide), ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.equal(parseTable(wide)[0]?.['SERVICEACCOUNTS'], `${ns}/apiserver`, wide);

  // The ReplicationController: NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR), short name rc, in "all".
  const rc = await kubectlOk(kage, ['get', 'rc', '-n', ns]);
  assert.deepEqual(headers(rc), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  assert.deepEqual(parseTable(rc)[0], { ...parseTable(rc)[0], NAME: 'wardle-server', DESIRED: '1', CURRENT: '0', READY: '0' });
  const rcWide = await kubectlOk(kage, ['get', 'replicationcontrollers', '-n', ns, '-o', 'wide']);
  assert.deepEqual(headers(rcWide), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  const rcRow = parseTable(rcWide)[0]!;
  assert.equal(rcRow['CONTAINERS'], 'wardle-server,etcd');
  assert.equal(rcRow['SELECTOR'], 'apiserver=true');
  const everything = await kubectlOk(kage, ['get', 'all', '-n', ns, '-o', 'name']);
  assert.ok(everything.split('\n').includes('replicationcontroller/wardle-server'), everything);
  const stored = JSON.parse(await kubectlOk(kage, ['get', 'rc', 'wardle-server', '-n', ns, '-o', 'json'])) as {
    metadata: { generation?: number }; spec: { template: { spec: { restartPolicy?: string } } }; status: unknown;
  };
  assert.equal(stored.metadata.generation, 1);
  assert.equal(stored.spec.template.spec.restartPolicy, 'Always');
  assert.deepEqual(stored.status, { replicas: 0 });

  // kubectl scale goes through the scale subresource; its selector is the RC's label map.
  assert.equal((await kubectlOk(kage, ['scale', 'rc', 'wardle-server', '-n', ns, '--replicas=3'])).trim(), 'replicationcontroller/wardle-server scaled');
  const scaled = parseTable(await kubectlOk(kage, ['get', 'rc', 'wardle-server', '-n', ns]))[0]!;
  assert.equal(scaled['DESIRED'], '3');
  const scale = await kage.request('GET', `/api/v1/namespaces/${ns}/replicationcontrollers/wardle-server/scale`);
  assert.equal(scale.status, 200, scale.body);
  assert.deepEqual(scale.json().spec, { replicas: 3 });
  assert.deepEqual(scale.json().status, { replicas: 0, selector: 'apiserver=true' });
  const generation = JSON.parse(await kubectlOk(kage, ['get', 'rc', 'wardle-server', '-n', ns, '-o', 'json'])).metadata.generation;
  assert.equal(generation, 2);

  // Deleting the namespace takes its ReplicationController along; cluster-scoped objects stay.
  await kubectlOk(kage, ['delete', 'namespace', ns, '--timeout=30s']);
  const left = await kage.kubectl(['get', 'rc', '-n', ns, '-o', 'name']);
  assert.equal(left.stdout.trim(), '');
  await kubectlOk(kage, ['delete', 'clusterrole', `${id}-aggregated-reader`]);
  await kubectlOk(kage, ['delete', 'clusterrolebinding', `${id}:system:auth-delegator`]);
  await kubectlOk(kage, ['delete', 'rolebinding', `${id}-auth-reader`, '-n', 'kube-system']);
});

test('kubectl create role, clusterrole, rolebinding, clusterrolebinding (protobuf bodies)', async () => {
  const ns = uniqueName('rbac');
  await kubectlOk(kage, ['create', 'namespace', ns]);
  const id = uniqueName('crb');

  const role = await kage.kubectl(['create', 'role', 'pod-reader', '-n', ns, '--verb=get,list,watch', '--resource=pods,deployments.apps', '-v=8']);
  assert.equal(role.code, 0, describeResult(['create', 'role'], role));
  assert.equal(role.stdout.trim(), 'role.rbac.authorization.k8s.io/pod-reader created');
  assert.match(role.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/, 'kubectl sent protobuf');
  assert.equal(
    (await kubectlOk(kage, ['create', 'clusterrole', `${id}-reader`, '--verb=get', '--resource=configmaps', '--non-resource-url=/logs/*'])).trim(),
    `clusterrole.rbac.authorization.k8s.io/${id}-reader created`,
  );
  assert.equal(
    (await kubectlOk(kage, ['create', 'rolebinding', 'readers', '-n', ns, '--role=pod-reader', '--user=alice', '--group=devs', `--serviceaccount=${ns}:builder`])).trim(),
    'rolebinding.rbac.authorization.k8s.io/readers created',
  );
  assert.equal(
    (await kubectlOk(kage, ['create', 'clusterrolebinding', id, `--clusterrole=${id}-reader`, '--user=bob', '--serviceaccount=kube-system:metrics'])).trim(),
    `clusterrolebinding.rbac.authorization.k8s.io/${id} created`,
  );

  const r = JSON.parse(await kubectlOk(kage, ['get', 'role', 'pod-reader', '-n', ns, '-o', 'json']));
  assert.deepEqual(r.rules, [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] },
  ]);
  const cr = JSON.parse(await kubectlOk(kage, ['get', 'clusterrole', `${id}-reader`, '-o', 'json']));
  assert.deepEqual(cr.rules, [
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] },
    { verbs: ['get'], nonResourceURLs: ['/logs/*'] },
  ]);
  const rb = JSON.parse(await kubectlOk(kage, ['get', 'rolebinding', 'readers', '-n', ns, '-o', 'json']));
  assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
  assert.deepEqual(rb.subjects, [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
    { kind: 'ServiceAccount', name: 'builder', namespace: ns },
  ]);
  const wide = parseTable(await kubectlOk(kage, ['get', 'clusterrolebinding', id, '-o', 'wide']))[0]!;
  assert.deepEqual(wide, { ...wide, NAME: id, ROLE: `ClusterRole/${id}-reader`, USERS: 'bob', GROUPS: '', SERVICEACCOUNTS: 'kube-system/metrics' });

  // The binding's role cannot be changed; its subjects can.
  const patch = await kage.kubectl(['patch', 'rolebinding', 'readers', '-n', ns, '--type=merge', '-p', '{"roleRef":{"kind":"ClusterRole","name":"view"}}']);
  assert.notEqual(patch.code, 0);
  assert.match(patch.stderr, /roleRef: Invalid value: rbac\.RoleRef\{APIGroup:"rbac\.authorization\.k8s\.io", Kind:"ClusterRole", Name:"view"\}: cannot change roleRef/);
  await kubectlOk(kage, ['patch', 'rolebinding', 'readers', '-n', ns, '--type=merge', '-p', '{"subjects":[{"kind":"User","name":"carol","apiGroup":"rbac.authorization.k8s.io"}]}']);

  await kubectlOk(kage, ['delete', 'clusterrolebinding', id]);
  await kubectlOk(kage, ['delete', 'clusterrole', `${id}-reader`]);
  await kubectlOk(kage, ['delete', 'namespace', ns, '--wait=false']);
});

test('the bootstrap policy: system:auth-delegator and friends as a real cluster has them', async () => {
  const doc = parseYaml(await kubectlOk(kage, ['get', 'clusterrole', 'system:auth-delegator', '-o', 'yaml'])) as {
    apiVersion: string; kind: string; rules: unknown;
    metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string>; uid: string; creationTimestamp: string };
  };
  assert.equal(doc.apiVersion, 'rbac.authorization.k8s.io/v1');
  assert.equal(doc.kind, 'ClusterRole');
  assert.equal(doc.metadata.name, 'system:auth-delegator');
  assert.deepEqual(doc.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
  assert.deepEqual(doc.metadata.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  assert.ok(doc.metadata.uid && doc.metadata.creationTimestamp);
  assert.deepEqual(doc.rules, [
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ]);
  const reader = JSON.parse(await kubectlOk(kage, ['get', 'role', 'extension-apiserver-authentication-reader', '-n', 'kube-system', '-o', 'json']));
  assert.deepEqual(reader.rules, [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'] },
  ]);
  const admin = JSON.parse(await kubectlOk(kage, ['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']));
  assert.deepEqual(admin.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
  assert.deepEqual(admin.subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
  const clusterAdmin = JSON.parse(await kubectlOk(kage, ['get', 'clusterrole', 'cluster-admin', '-o', 'json']));
  assert.deepEqual(clusterAdmin.rules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]);

  // The group is served locally, with the priorities of a real cluster, and discovered as one.
  const apiService = JSON.parse(await kubectlOk(kage, ['get', 'apiservice', 'v1.rbac.authorization.k8s.io', '-o', 'json']));
  assert.deepEqual(apiService.spec, { group: 'rbac.authorization.k8s.io', version: 'v1', groupPriorityMinimum: 17000, versionPriority: 15 });
  assert.equal(apiService.status.conditions[0].reason, 'Local');
  const resources = parseTable(await kubectlOk(kage, ['api-resources', '--api-group=rbac.authorization.k8s.io', '-o', 'wide']));
  assert.deepEqual(resources.map((r) => `${r['NAME']} ${r['NAMESPACED']} ${r['KIND']}`), [
    'clusterrolebindings false ClusterRoleBinding',
    'clusterroles false ClusterRole',
    'rolebindings true RoleBinding',
    'roles true Role',
  ]);
  for (const r of resources) assert.equal(r['VERBS'], 'create,delete,deletecollection,get,list,patch,update,watch');
});

test('an invalid binding is 422 Invalid with the real message and causes', async () => {
  const ns = uniqueName('badrb');
  await kubectlOk(kage, ['create', 'namespace', ns]);
  const manifest = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: no-role
  namespace: ${ns}
subjects:
- kind: User
  name: alice
`;
  const res = await kage.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.notEqual(res.code, 0);
  assert.equal(res.stderr.trim(), [
    'The RoleBinding "no-role" is invalid: ',
    '* roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"',
    '* roleRef.name: Required value',
  ].join('\n'));
  const http = await kage.request('POST', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, {
    body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bad' }, roleRef: { kind: 'Role', name: 'r' } },
  });
  assert.equal(http.status, 422);
  const status = http.json();
  assert.equal(status.reason, 'Invalid');
  assert.equal(status.message, 'ClusterRoleBinding.rbac.authorization.k8s.io "bad" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
  assert.deepEqual(status.details, {
    name: 'bad', group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding',
    causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "Role": supported values: "ClusterRole"', field: 'roleRef.kind' }],
  });
  // A ReplicationController whose selector misses its template's labels, with negative replicas.
  const rc = await kage.kubectl(['create', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'bad', namespace: ns },
      spec: { replicas: -1, selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    }),
  });
  assert.notEqual(rc.code, 0);
  assert.equal(rc.stderr.trim(), [
    'The ReplicationController "bad" is invalid: ',
    '* spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  ].join('\n'));
  await kubectlOk(kage, ['delete', 'namespace', ns, '--wait=false']);
});

test('kubectl explain clusterrole.rules and rc.spec', async () => {
  const out = await kubectlOk(kage, ['explain', 'clusterrole.rules']);
  assert.match(out, /KIND:\s+ClusterRole/);
  assert.match(out, /FIELD: rules <\[\]PolicyRule>/);
  for (const f of ['apiGroups\t<[]string>', 'nonResourceURLs\t<[]string>', 'resourceNames\t<[]string>', 'resources\t<[]string>', 'verbs\t<[]string> -required-']) {
    assert.ok(out.includes(f), `${f} in:\n${out}`);
  }
  const binding = await kubectlOk(kage, ['explain', 'rolebinding.roleRef']);
  assert.match(binding, /FIELD: roleRef <RoleRef>/);
  assert.ok(binding.includes('kind\t<string> -required-'), binding);
  const rc = await kubectlOk(kage, ['explain', 'rc.spec']);
  assert.match(rc, /KIND:\s+ReplicationController/);
  for (const f of ['replicas\t<integer>', 'selector\t<map[string]string>', 'template\t<PodTemplateSpec>']) assert.ok(rc.includes(f), `${f} in:\n${rc}`);
});
