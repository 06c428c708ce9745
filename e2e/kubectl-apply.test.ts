// The real kubectl with its DEFAULT validation (no --validate=false anywhere here): create -f, apply -f (client-side,
// strategic merge patches with the last-applied annotation), patch --type=strategic, create --dry-run=server,
// apply --validate=strict, diff, and edit driven by an editor script. Each test works in its own namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeResult, kubectlOk, makeTempDir, removeDir, startKage, uniqueName, type KageProcess } from './harness.js';

let kage: KageProcess;
let scratch: string;

before(async () => {
  [kage, scratch] = await Promise.all([startKage(), makeTempDir('kage-e2e-apply-')]);
});

after(async () => {
  await kage?.stop();
  if (scratch) await removeDir(scratch);
});

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ containerPort: number; protocol?: string }>;
}
interface Deployment {
  metadata: { name: string; resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: Container[] } } };
}
interface ConfigMap {
  metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n` });
  return ns;
}

async function getJson<T>(ns: string, what: string[]): Promise<T> {
  return JSON.parse(await kubectlOk(kage, ['get', ...what, '-n', ns, '-o', 'json'])) as T;
}

const containersOf = (d: Deployment): Record<string, Container> => Object.fromEntries(d.spec.template.spec.containers.map((c) => [c.name, c]));

/** A ConfigMap and a Deployment with two containers (web with env and a port, and a sidecar). */
function manifest(ns: string, o: { webImage?: string; sidecar?: boolean; data?: Record<string, string> } = {}): string {
  const data = o.data ?? { color: 'blue', size: '3' };
  const sidecar = o.sidecar ?? true;
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}
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
        image: ${o.webImage ?? 'nginx:1.27'}
        env:
        - name: MODE
          value: production
        ports:
        - containerPort: 80
${sidecar ? '      - name: sidecar\n        image: busybox:1.36\n' : ''}`;
}

test('kubectl create -f with a ConfigMap and a Deployment (default validation)', async () => {
  const ns = await newNamespace('create');
  const out = await kubectlOk(kage, ['create', '-f', '-'], { stdin: manifest(ns) });
  assert.deepEqual(out.trim().split('\n'), ['configmap/settings created', 'deployment.apps/web created']);
  const cm = await getJson<ConfigMap>(ns, ['cm', 'settings']);
  assert.deepEqual(cm.data, { color: 'blue', size: '3' });
  const d = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.equal(d.spec.replicas, 2);
  assert.deepEqual(d.spec.template.spec.containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.27'], ['sidecar', 'busybox:1.36']]);
});

test('kubectl apply -f twice with a changed image changes it on the server', async () => {
  const ns = await newNamespace('apply');
  const first = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns) });
  assert.deepEqual(first.trim().split('\n'), ['configmap/settings created', 'deployment.apps/web created']);
  const created = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.match(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '', /nginx:1\.27/);

  const second = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns, { webImage: 'nginx:1.28' }) });
  assert.deepEqual(second.trim().split('\n'), ['configmap/settings unchanged', 'deployment.apps/web configured']);
  const changed = await getJson<Deployment>(ns, ['deployment', 'web']);
  const c = containersOf(changed);
  assert.equal(c['web']?.image, 'nginx:1.28');
  assert.equal(c['sidecar']?.image, 'busybox:1.36');
  // Merged, not replaced: what the patch did not mention is still there.
  assert.deepEqual(c['web']?.env, [{ name: 'MODE', value: 'production' }]);
  assert.equal(changed.spec.replicas, 2);
  assert.equal(changed.metadata.generation, 2);
  assert.match(changed.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '', /nginx:1\.28/);

  // Applying the same file again changes nothing.
  const third = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns, { webImage: 'nginx:1.28' }) });
  assert.deepEqual(third.trim().split('\n'), ['configmap/settings unchanged', 'deployment.apps/web unchanged']);
  const same = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.equal(same.metadata.resourceVersion, changed.metadata.resourceVersion);
});

test('kubectl apply -f with a container (and a data key) removed from the file removes it on the server', async () => {
  const ns = await newNamespace('prune');
  await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns) });
  const out = await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns, { sidecar: false, data: { color: 'blue' } }) });
  assert.deepEqual(out.trim().split('\n'), ['configmap/settings configured', 'deployment.apps/web configured']);
  const d = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.deepEqual(d.spec.template.spec.containers.map((c) => c.name), ['web']);
  const web = containersOf(d)['web']!;
  assert.equal(web.image, 'nginx:1.27');
  assert.deepEqual(web.env, [{ name: 'MODE', value: 'production' }]);
  assert.deepEqual(web.ports?.map((p) => p.containerPort), [80]);
  const cm = await getJson<ConfigMap>(ns, ['cm', 'settings']);
  assert.deepEqual(cm.data, { color: 'blue' });
});

test('kubectl patch --type=strategic: add a container by name, change an image, $patch: delete another', async () => {
  const ns = await newNamespace('smp');
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: manifest(ns) });
  const patch = {
    spec: { template: { spec: { containers: [
      { name: 'extra', image: 'redis:7' },
      { name: 'web', image: 'nginx:1.29' },
      { name: 'sidecar', $patch: 'delete' },
    ] } } },
  };
  const out = await kubectlOk(kage, ['patch', 'deployment', 'web', '-n', ns, '--type=strategic', '-p', JSON.stringify(patch)]);
  assert.equal(out.trim(), 'deployment.apps/web patched');
  const d = await getJson<Deployment>(ns, ['deployment', 'web']);
  const c = containersOf(d);
  assert.deepEqual(Object.keys(c).sort(), ['extra', 'web']);
  assert.equal(c['web']?.image, 'nginx:1.29');
  assert.equal(c['extra']?.image, 'redis:7');
  // The web container was merged by its name, not replaced: its env and port are still there.
  assert.deepEqual(c['web']?.env, [{ name: 'MODE', value: 'production' }]);
  assert.deepEqual(c['web']?.ports?.map((p) => p.containerPort), [80]);
  // Env entries merge by name too.
  await kubectlOk(kage, ['patch', 'deployment', 'web', '-n', ns, '--type=strategic', '-p',
    JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'DEBUG', value: '1' }] }] } } } })]);
  const d2 = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.deepEqual(containersOf(d2)['web']?.env?.map((e) => e.name).sort(), ['DEBUG', 'MODE']);
});

test('kubectl create --dry-run=server prints the object and stores nothing', async () => {
  const ns = await newNamespace('dryrun');
  const cm = JSON.parse(await kubectlOk(kage, ['create', 'configmap', 'dry', '-n', ns, '--from-literal=a=1', '--dry-run=server', '-o', 'json'])) as ConfigMap & { metadata: { uid?: string; namespace?: string } };
  assert.equal(cm.metadata.name, 'dry');
  assert.equal(cm.metadata.namespace, ns);
  assert.deepEqual(cm.data, { a: '1' });
  // The server filled in what it fills in on a real create.
  assert.match(cm.metadata.uid ?? '', /^[0-9a-f-]{36}$/);

  const printed = await kubectlOk(kage, ['create', '-f', '-', '--dry-run=server', '-o', 'json'], { stdin: manifest(ns).split('---\n')[1]! });
  const d = JSON.parse(printed) as Deployment & { spec: { strategy?: { type?: string } } };
  assert.equal(d.metadata.name, 'web');
  // Defaults only the server sets: the manifest has no strategy.
  assert.equal(d.spec.strategy?.type, 'RollingUpdate');

  for (const what of [['cm', 'dry'], ['deployment', 'web']]) {
    const r = await kage.kubectl(['get', ...what, '-n', ns]);
    assert.notEqual(r.code, 0, describeResult(['get', ...what], r));
    assert.match(r.stderr, /NotFound|not found/, describeResult(['get', ...what], r));
  }
});

test('kubectl apply --validate=strict with an unknown field fails and names the field', async () => {
  const ns = await newNamespace('strict');
  const bad = manifest(ns, { sidecar: false }).split('---\n')[1]!.replace('        image: nginx:1.27\n', '        image: nginx:1.27\n        colour: red\n');
  const args = ['apply', '--validate=strict', '-f', '-'];
  const r = await kage.kubectl(args, { stdin: bad });
  assert.notEqual(r.code, 0, describeResult(args, r));
  assert.match(r.stderr, /unknown field/i, describeResult(args, r));
  assert.match(r.stderr, /colour/, describeResult(args, r));
  const get = await kage.kubectl(['get', 'deployment', 'web', '-n', ns]);
  assert.notEqual(get.code, 0, 'nothing is created: ' + describeResult(['get'], get));
});

test('kubectl diff -f: exit 1 with the change, nothing changed; exit 0 when equal', async () => {
  const ns = await newNamespace('diff');
  await kubectlOk(kage, ['apply', '-f', '-'], { stdin: manifest(ns) });
  const before = await getJson<Deployment>(ns, ['deployment', 'web']);

  const args = ['diff', '-f', '-'];
  const changed = await kage.kubectl(args, { stdin: manifest(ns, { webImage: 'nginx:1.28' }) });
  assert.equal(changed.code, 1, describeResult(args, changed));
  assert.match(changed.stdout, /^-\s+image: nginx:1\.27$/m, describeResult(args, changed));
  assert.match(changed.stdout, /^\+\s+image: nginx:1\.28$/m, describeResult(args, changed));
  // Only the Deployment differs.
  assert.doesNotMatch(changed.stdout, /ConfigMap/, describeResult(args, changed));

  const after = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.equal(containersOf(after)['web']?.image, 'nginx:1.27');

  const equal = await kage.kubectl(args, { stdin: manifest(ns) });
  assert.equal(equal.code, 0, describeResult(args, equal));
  assert.equal(equal.stdout.trim(), '');
});

/** An editor script for kubectl edit: sed on the file kubectl hands it. */
async function editorScript(name: string, sedExpr: string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, `#!/bin/sh\nexec sed -i '${sedExpr}' "$1"\n`);
  await chmod(path, 0o755);
  return path;
}

test('kubectl edit cm with EDITOR set to a script stores the change', async () => {
  const ns = await newNamespace('edit');
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: manifest(ns).split('---\n')[0]! });
  const editor = await editorScript('edit-cm.sh', 's/color: blue/color: green/');
  const out = await kubectlOk(kage, ['edit', 'cm', 'settings', '-n', ns], { env: { EDITOR: editor } });
  assert.equal(out.trim(), 'configmap/settings edited');
  const cm = await getJson<ConfigMap>(ns, ['cm', 'settings']);
  assert.deepEqual(cm.data, { color: 'green', size: '3' });
});

test('kubectl edit deployment with KUBE_EDITOR changes one container (strategic merge patch with $setElementOrder)', async () => {
  const ns = await newNamespace('editdeploy');
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: manifest(ns).split('---\n')[1]! });
  const editor = await editorScript('edit-deploy.sh', 's/image: busybox:1.36/image: busybox:1.37/');
  const out = await kubectlOk(kage, ['edit', 'deployment', 'web', '-n', ns], { env: { KUBE_EDITOR: editor } });
  assert.equal(out.trim(), 'deployment.apps/web edited');
  const d = await getJson<Deployment>(ns, ['deployment', 'web']);
  assert.deepEqual(d.spec.template.spec.containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.27'], ['sidecar', 'busybox:1.37']]);
});
