// The real kubectl creating, reading, changing and deleting objects in one kage process. Each test works in its
// own namespace, so order does not matter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { describeResult, eventually, kubectlOk, parseTable, startKage, uniqueName, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ConfigMap {
  kind: string;
  apiVersion: string;
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

// Setup goes through `kubectl create -f -` (JSON bodies), so that a failure of the typed `kubectl create
// namespace` / `kubectl create configmap` generators (protobuf bodies) only fails the tests about them.

/** A fresh namespace, made with `kubectl create -f -`. */
async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
  return ns;
}

/** A ConfigMap made with `kubectl create -f -`. */
async function createCm(ns: string, name: string, data: Record<string, string> = {}, labels?: Record<string, string>): Promise<void> {
  const metadata: Record<string, unknown> = { name, namespace: ns };
  if (labels) metadata['labels'] = labels;
  const out = await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data }) });
  assert.equal(out.trim(), `configmap/${name} created`);
}

async function getCm(ns: string, name: string): Promise<ConfigMap> {
  return JSON.parse(await kubectlOk(kage, ['get', 'cm', name, '-n', ns, '-o', 'json'])) as ConfigMap;
}

/** The configmaps of a namespace by name (-o name), without the kube-root-ca.crt a real cluster adds. */
async function cmNames(ns: string, extra: string[] = []): Promise<string[]> {
  const out = await kubectlOk(kage, ['get', 'cm', '-n', ns, '-o', 'name', ...extra]);
  return out.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'configmap/kube-root-ca.crt').sort();
}

const MANIFEST = (ns: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
  labels:
    app: web
data:
  color: blue
  size: "3"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

test('kubectl create configmap --from-literal', async () => {
  const ns = await newNamespace('literal');
  const out = await kubectlOk(kage, ['create', 'configmap', 'demo', '-n', ns, '--from-literal=a=1', '--from-literal=b=two']);
  assert.equal(out.trim(), 'configmap/demo created');
  const cm = await getCm(ns, 'demo');
  assert.equal(cm.kind, 'ConfigMap');
  assert.equal(cm.apiVersion, 'v1');
  assert.equal(cm.metadata.name, 'demo');
  assert.equal(cm.metadata.namespace, ns);
  assert.deepEqual(cm.data, { a: '1', b: 'two' });
  assert.match(cm.metadata.resourceVersion ?? '', /^\d+$/);
  assert.match(cm.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
});

test('kubectl create -f - --validate=false with a ConfigMap and a Deployment', async () => {
  const ns = await newNamespace('manifest');
  const out = await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: MANIFEST(ns) });
  assert.deepEqual(out.trim().split('\n'), ['configmap/settings created', 'deployment.apps/web created']);
  const cm = await getCm(ns, 'settings');
  assert.deepEqual(cm.data, { color: 'blue', size: '3' });
  assert.deepEqual(cm.metadata.labels, { app: 'web' });
  const deploy = JSON.parse(await kubectlOk(kage, ['get', 'deployment', 'web', '-n', ns, '-o', 'json'])) as {
    kind: string; apiVersion: string; spec: { replicas: number; selector: unknown; template: { spec: { containers: Array<{ name: string; image: string }> } } };
    metadata: ObjectMeta & { generation?: number };
  };
  assert.equal(deploy.kind, 'Deployment');
  assert.equal(deploy.apiVersion, 'apps/v1');
  assert.equal(deploy.spec.replicas, 2);
  assert.deepEqual(deploy.spec.selector, { matchLabels: { app: 'web' } });
  assert.equal(deploy.spec.template.spec.containers[0]?.image, 'nginx:1.27');
  assert.equal(deploy.metadata.generation, 1);
  // The deployments table: NAME READY UP-TO-DATE AVAILABLE AGE.
  const table = await kubectlOk(kage, ['get', 'deploy', '-n', ns]);
  assert.deepEqual(table.split('\n')[0]!.trim().split(/\s+/), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  const row = parseTable(table).find((r) => r['NAME'] === 'web');
  assert.ok(row, table);
  assert.equal(row['READY'], '0/2');
});

test('kubectl get cm -o yaml, -o json, -o wide, -o name', async () => {
  const ns = await newNamespace('output');
  await createCm(ns, 'one', { k: 'v' });
  await createCm(ns, 'two', { x: '1', y: '2' });

  const yaml = parseYaml(await kubectlOk(kage, ['get', 'cm', 'one', '-n', ns, '-o', 'yaml'])) as ConfigMap;
  assert.equal(yaml.kind, 'ConfigMap');
  assert.equal(yaml.metadata.name, 'one');
  assert.deepEqual(yaml.data, { k: 'v' });

  const list = JSON.parse(await kubectlOk(kage, ['get', 'cm', '-n', ns, '-o', 'json'])) as {
    kind: string; apiVersion: string; items: ConfigMap[]; metadata: { resourceVersion?: string };
  };
  assert.equal(list.kind, 'List');
  const mine = list.items.filter((i) => i.metadata.name !== 'kube-root-ca.crt');
  assert.deepEqual(mine.map((i) => i.metadata.name), ['one', 'two']);
  for (const item of mine) {
    assert.equal(item.kind, 'ConfigMap');
    assert.equal(item.apiVersion, 'v1');
  }

  const wide = await kubectlOk(kage, ['get', 'cm', '-n', ns, '-o', 'wide']);
  assert.deepEqual(wide.split('\n')[0]!.trim().split(/\s+/), ['NAME', 'DATA', 'AGE']);
  const rows = parseTable(wide);
  assert.equal(rows.find((r) => r['NAME'] === 'one')?.['DATA'], '1');
  assert.equal(rows.find((r) => r['NAME'] === 'two')?.['DATA'], '2');

  assert.deepEqual(await cmNames(ns), ['configmap/one', 'configmap/two']);
});

test('kubectl get cm -l selects by label', async () => {
  const ns = await newNamespace('labels');
  for (const [name, labels] of [['a', 'tier=front,env=prod'], ['b', 'tier=back,env=prod'], ['c', 'tier=front,env=dev'], ['d', '']] as const) {
    await createCm(ns, name);
    if (labels) await kubectlOk(kage, ['label', 'cm', name, '-n', ns, ...labels.split(',')]);
  }
  assert.deepEqual(await cmNames(ns, ['-l', 'tier=front']), ['configmap/a', 'configmap/c']);
  assert.deepEqual(await cmNames(ns, ['-l', 'tier=front,env=prod']), ['configmap/a']);
  assert.deepEqual(await cmNames(ns, ['-l', 'env!=prod']), ['configmap/c', 'configmap/d']);
  assert.deepEqual(await cmNames(ns, ['-l', 'tier in (front,back)']), ['configmap/a', 'configmap/b', 'configmap/c']);
  assert.deepEqual(await cmNames(ns, ['-l', '!tier']), ['configmap/d']);
  assert.deepEqual(await cmNames(ns, ['-l', 'tier']), ['configmap/a', 'configmap/b', 'configmap/c']);
  const none = await kage.kubectl(['get', 'cm', '-n', ns, '-l', 'tier=nowhere']);
  assert.equal(none.code, 0, describeResult(['get', 'cm', '-l', 'tier=nowhere'], none));
  assert.equal(none.stdout, '');
  assert.match(none.stderr, new RegExp(`No resources found in ${ns} namespace\\.`));
  const bad = await kage.kubectl(['get', 'cm', '-n', ns, '-l', 'a=b=c']);
  assert.notEqual(bad.code, 0, 'an unparsable selector fails');
});

test('kubectl get cm --field-selector metadata.name= and !=', async () => {
  const ns = await newNamespace('fields');
  for (const name of ['x', 'y', 'z']) await createCm(ns, name);
  assert.deepEqual(await cmNames(ns, ['--field-selector', 'metadata.name=x']), ['configmap/x']);
  assert.deepEqual(await cmNames(ns, ['--field-selector', 'metadata.name!=x']), ['configmap/y', 'configmap/z']);
  assert.deepEqual(await cmNames(ns, ['--field-selector', `metadata.name!=x,metadata.namespace=${ns}`]), ['configmap/y', 'configmap/z']);
  // Across namespaces, a field selector on the namespace.
  const all = await kubectlOk(kage, ['get', 'cm', '-A', '--field-selector', `metadata.namespace=${ns},metadata.name=y`, '-o', 'name']);
  assert.equal(all.trim(), 'configmap/y');
  // An unsupported field is a 400 from the server, in the words of a real cluster (DefaultMetaV1FieldSelectorConversion).
  const bad = await kage.kubectl(['get', 'cm', '-n', ns, '--field-selector', 'data.k=v']);
  assert.equal(bad.code, 1, describeResult(['get', 'cm', '--field-selector', 'data.k=v'], bad));
  assert.match(bad.stderr, /Error from server \(BadRequest\): .*"data\.k" is not a known field selector: only "metadata\.name", "metadata\.namespace"/);
});

test('kubectl get all shows the service, the pod and the deployment', async () => {
  const ns = await newNamespace('all');
  const manifest = `apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  selector:
    app: front
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: lonely
  labels:
    app: front
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: front
spec:
  replicas: 1
  selector:
    matchLabels:
      app: front
  template:
    metadata:
      labels:
        app: front
    spec:
      containers:
      - name: main
        image: nginx:1.27
`;
  const created = await kubectlOk(kage, ['create', '-n', ns, '-f', '-', '--validate=false'], { stdin: manifest });
  assert.deepEqual(created.trim().split('\n'), ['service/front created', 'pod/lonely created', 'deployment.apps/front created']);
  const out = await kubectlOk(kage, ['get', 'all', '-n', ns]);
  assert.match(out, /^pod\/lonely\s+0\/1\s+Pending\s+0\s+\S+$/m, out);
  assert.match(out, /^service\/front\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\S+$/m, out);
  assert.match(out, /^deployment\.apps\/front\s+0\/1\s+0\s+0\s+\S+$/m, out);
  const names = await kubectlOk(kage, ['get', 'all', '-n', ns, '-o', 'name']);
  assert.deepEqual(names.trim().split('\n').sort(), ['deployment.apps/front', 'pod/lonely', 'service/front']);
  // Defaults a real API server fills in.
  const svc = JSON.parse(await kubectlOk(kage, ['get', 'svc', 'front', '-n', ns, '-o', 'json'])) as {
    spec: { type?: string; clusterIP?: string; ports: Array<{ protocol?: string; port: number; targetPort: number }> };
  };
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.match(svc.spec.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(svc.spec.ports[0]?.protocol, 'TCP');
  const pod = JSON.parse(await kubectlOk(kage, ['get', 'pod', 'lonely', '-n', ns, '-o', 'json'])) as { status?: { phase?: string } };
  assert.equal(pod.status?.phase, 'Pending');
});

test('kubectl get cm --chunk-size=2 lists all 5 and the server paginates', async () => {
  const ns = await newNamespace('chunks');
  const names = ['c1', 'c2', 'c3', 'c4', 'c5'];
  for (const n of names) await createCm(ns, n, { n });

  const r = await kage.kubectl(['get', 'cm', '-n', ns, '--chunk-size=2', '-o', 'name', '-v=6']);
  assert.equal(r.code, 0, describeResult(['get', 'cm', '--chunk-size=2', '-v=6'], r));
  const listed = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'configmap/kube-root-ca.crt');
  assert.deepEqual(listed, names.map((n) => `configmap/${n}`));
  // kubectl logged each page request: the first with limit=2, then ones with continue=.
  const gets = r.stderr.split('\n').filter((l) => l.includes(`/api/v1/namespaces/${ns}/configmaps?`) && /\b200 OK\b/.test(l));
  assert.ok(gets.length >= 3, `at least 3 pages of 2 were fetched; kubectl -v=6 logged:\n${r.stderr}`);
  assert.ok(gets.every((l) => l.includes('limit=2')), r.stderr);
  assert.ok(gets.slice(1).every((l) => l.includes('continue=')), r.stderr);

  // And by HTTP: limit=2 gives 2 items and a continue token; following continues yields all 5 exactly once.
  // (Every namespace also holds kube-root-ca.crt, as on a real cluster.)
  const total = (await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).json().items.length as number;
  assert.equal(total, names.length + 1);
  const seen: string[] = [];
  let cont: string | undefined;
  let pages = 0;
  let firstRv: string | undefined;
  do {
    const path = `/api/v1/namespaces/${ns}/configmaps?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const res = await kage.request('GET', path);
    assert.equal(res.status, 200, res.body);
    const page = res.json() as { kind: string; items: ConfigMap[]; metadata: { continue?: string; resourceVersion?: string; remainingItemCount?: number } };
    assert.equal(page.kind, 'ConfigMapList');
    pages++;
    if (pages === 1) {
      assert.equal(page.items.length, 2, 'first page has 2 items');
      assert.ok(page.metadata.continue, 'first page has metadata.continue');
      assert.equal(page.metadata.remainingItemCount, total - 2);
      firstRv = page.metadata.resourceVersion;
    } else {
      // Every page is served from the same snapshot.
      assert.equal(page.metadata.resourceVersion, firstRv);
    }
    seen.push(...page.items.map((i) => i.metadata.name));
    cont = page.metadata.continue || undefined;
    assert.ok(pages <= 5, 'pagination ends');
  } while (cont);
  assert.equal(pages, Math.ceil(total / 2));
  assert.deepEqual(seen.filter((n) => n !== 'kube-root-ca.crt'), names);
});

test('kubectl label and annotate (add, --overwrite, remove with key-)', async () => {
  const ns = await newNamespace('meta');
  await createCm(ns, 'tagged', { a: '1' });
  const rv0 = Number((await getCm(ns, 'tagged')).metadata.resourceVersion);

  assert.equal((await kubectlOk(kage, ['label', 'cm', 'tagged', '-n', ns, 'team=blue', 'tier=db'])).trim(), 'configmap/tagged labeled');
  let cm = await getCm(ns, 'tagged');
  assert.deepEqual(cm.metadata.labels, { team: 'blue', tier: 'db' });
  const rv1 = Number(cm.metadata.resourceVersion);
  assert.ok(rv1 > rv0, 'label bumps resourceVersion');

  // Without --overwrite a different value is refused by kubectl.
  const refused = await kage.kubectl(['label', 'cm', 'tagged', '-n', ns, 'team=red']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /'team' already has a value \(blue\), and --overwrite is false/);

  await kubectlOk(kage, ['label', 'cm', 'tagged', '-n', ns, 'team=red', '--overwrite']);
  cm = await getCm(ns, 'tagged');
  assert.deepEqual(cm.metadata.labels, { team: 'red', tier: 'db' });

  assert.equal((await kubectlOk(kage, ['label', 'cm', 'tagged', '-n', ns, 'tier-'])).trim(), 'configmap/tagged unlabeled');
  cm = await getCm(ns, 'tagged');
  assert.deepEqual(cm.metadata.labels, { team: 'red' });

  assert.equal((await kubectlOk(kage, ['annotate', 'cm', 'tagged', '-n', ns, 'note=hello world', 'owner=ops'])).trim(), 'configmap/tagged annotated');
  cm = await getCm(ns, 'tagged');
  assert.equal(cm.metadata.annotations?.['note'], 'hello world');
  assert.equal(cm.metadata.annotations?.['owner'], 'ops');
  await kubectlOk(kage, ['annotate', 'cm', 'tagged', '-n', ns, 'note=bye', '--overwrite']);
  await kubectlOk(kage, ['annotate', 'cm', 'tagged', '-n', ns, 'owner-']);
  cm = await getCm(ns, 'tagged');
  assert.equal(cm.metadata.annotations?.['note'], 'bye');
  assert.equal(cm.metadata.annotations?.['owner'], undefined);
  assert.deepEqual(cm.data, { a: '1' }, 'data untouched');
  // kubectl -L shows label columns.
  const withCol = await kubectlOk(kage, ['get', 'cm', 'tagged', '-n', ns, '-L', 'team']);
  assert.equal(parseTable(withCol)[0]?.['TEAM'], 'red');
});

test('kubectl patch --type=json and --type=merge', async () => {
  const ns = await newNamespace('patch');
  await createCm(ns, 'p', { a: '1', b: '2' });

  const merged = await kubectlOk(kage, ['patch', 'cm', 'p', '-n', ns, '--type=merge', '-p', '{"data":{"a":"10","b":null,"c":"3"}}']);
  assert.equal(merged.trim(), 'configmap/p patched');
  assert.deepEqual((await getCm(ns, 'p')).data, { a: '10', c: '3' });

  const jsonPatched = await kubectlOk(kage, ['patch', 'cm', 'p', '-n', ns, '--type=json', '-p',
    '[{"op":"replace","path":"/data/a","value":"11"},{"op":"add","path":"/data/d","value":"4"},{"op":"remove","path":"/data/c"}]']);
  assert.equal(jsonPatched.trim(), 'configmap/p patched');
  assert.deepEqual((await getCm(ns, 'p')).data, { a: '11', d: '4' });

  // A patch that changes nothing is reported as such.
  const noop = await kubectlOk(kage, ['patch', 'cm', 'p', '-n', ns, '--type=merge', '-p', '{"data":{"a":"11"}}']);
  assert.equal(noop.trim(), 'configmap/p patched (no change)');

  // A failing JSON patch test op is refused and changes nothing.
  const failed = await kage.kubectl(['patch', 'cm', 'p', '-n', ns, '--type=json', '-p', '[{"op":"test","path":"/data/a","value":"nope"},{"op":"remove","path":"/data/a"}]']);
  assert.notEqual(failed.code, 0, describeResult(['patch', '--type=json', 'test op'], failed));
  // 422 Invalid without details: kubectl prints it as "The request is invalid: …".
  assert.match(failed.stderr, /The request is invalid: .*test/i);
  assert.deepEqual((await getCm(ns, 'p')).data, { a: '11', d: '4' });

  // Patching a missing object is NotFound.
  const missing = await kage.kubectl(['patch', 'cm', 'nope', '-n', ns, '--type=merge', '-p', '{"data":{"a":"1"}}']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
});

test('kubectl replace -f', async () => {
  const ns = await newNamespace('replace');
  await createCm(ns, 'r', { old: '1' });
  const before = await getCm(ns, 'r');
  const replacement = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r', namespace: ns, labels: { v: '2' } }, data: { fresh: 'yes' } };
  const out = await kubectlOk(kage, ['replace', '-f', '-', '--validate=false'], { stdin: JSON.stringify(replacement) });
  assert.equal(out.trim(), 'configmap/r replaced');
  const after = await getCm(ns, 'r');
  assert.deepEqual(after.data, { fresh: 'yes' });
  assert.deepEqual(after.metadata.labels, { v: '2' });
  assert.equal(after.metadata.uid, before.metadata.uid, 'same object');
  assert.equal(after.metadata.creationTimestamp, before.metadata.creationTimestamp);
  assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion));

  // replace with a stale resourceVersion is a Conflict.
  const stale = { ...replacement, metadata: { ...replacement.metadata, resourceVersion: before.metadata.resourceVersion } };
  const conflict = await kage.kubectl(['replace', '-f', '-', '--validate=false'], { stdin: JSON.stringify(stale) });
  assert.equal(conflict.code, 1, describeResult(['replace', 'stale'], conflict));
  assert.match(conflict.stderr, /Error from server \(Conflict\).*Operation cannot be fulfilled on configmaps "r": the object has been modified/);

  // replace of something that does not exist is NotFound.
  const ghost = { ...replacement, metadata: { name: 'ghost', namespace: ns } };
  const nf = await kage.kubectl(['replace', '-f', '-', '--validate=false'], { stdin: JSON.stringify(ghost) });
  assert.equal(nf.code, 1);
  assert.match(nf.stderr, /Error from server \(NotFound\).*configmaps "ghost" not found/);
});

test('kubectl delete: one object, by label, --all', async () => {
  const ns = await newNamespace('delete');
  for (const [name, app] of [['d1', 'x'], ['d2', 'x'], ['d3', 'y'], ['d4', 'y'], ['d5', 'z']] as const) {
    await createCm(ns, name);
    await kubectlOk(kage, ['label', 'cm', name, '-n', ns, `app=${app}`]);
  }
  assert.equal((await kubectlOk(kage, ['delete', 'cm', 'd1', '-n', ns])).trim(), 'configmap "d1" deleted');
  assert.deepEqual(await cmNames(ns), ['configmap/d2', 'configmap/d3', 'configmap/d4', 'configmap/d5']);
  const gone = await kage.kubectl(['get', 'cm', 'd1', '-n', ns]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /Error from server \(NotFound\): configmaps "d1" not found/);

  const byLabel = await kubectlOk(kage, ['delete', 'cm', '-n', ns, '-l', 'app=y']);
  assert.deepEqual(byLabel.trim().split('\n').sort(), ['configmap "d3" deleted', 'configmap "d4" deleted']);
  assert.deepEqual(await cmNames(ns), ['configmap/d2', 'configmap/d5']);

  const all = await kubectlOk(kage, ['delete', 'cm', '-n', ns, '--all']);
  assert.ok(all.includes('configmap "d2" deleted') && all.includes('configmap "d5" deleted'), all);
  assert.deepEqual(await cmNames(ns), []);

  const again = await kage.kubectl(['delete', 'cm', 'd1', '-n', ns]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /Error from server \(NotFound\): configmaps "d1" not found/);
  const ignored = await kubectlOk(kage, ['delete', 'cm', 'd1', '-n', ns, '--ignore-not-found']);
  assert.equal(ignored.trim(), '');
});

test('kubectl delete ns removes the namespace and everything in it', async () => {
  const ns = await newNamespace('doomed');
  await createCm(ns, 'inside', { a: '1' });
  await kubectlOk(kage, ['create', '-n', ns, '-f', '-', '--validate=false'], { stdin: MANIFEST(ns) });
  const started = Date.now();
  const out = await kubectlOk(kage, ['delete', 'ns', ns, '--timeout=20s'], { timeoutMs: 25_000 });
  assert.equal(out.trim(), `namespace "${ns}" deleted`);
  // kubectl delete waits for the namespace to be gone; allow a little slack anyway.
  await eventually(async () => {
    const r = await kage.kubectl(['get', 'ns', ns]);
    return r.code === 1 && /Error from server \(NotFound\): namespaces ".*" not found/.test(r.stderr);
  }, 10_000, 250, `namespace ${ns} gone`);
  assert.ok(Date.now() - started < 15_000, 'namespace deletion finished within a few seconds');
  // The objects that were inside are gone too.
  const cms = await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
  assert.equal(cms.status, 200, cms.body);
  assert.deepEqual((cms.json() as { items: unknown[] }).items, []);
  const deploys = await kage.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
  assert.equal(deploys.status, 200, deploys.body);
  assert.deepEqual((deploys.json() as { items: unknown[] }).items, []);
  const allCms = await kubectlOk(kage, ['get', 'cm', '-A', '-o', 'name', '--field-selector', `metadata.namespace=${ns}`]);
  assert.equal(allCms.trim(), '');
  // And the name can be used again.
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
  assert.deepEqual(await cmNames(ns), []);
});
