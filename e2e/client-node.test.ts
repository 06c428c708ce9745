// @kubernetes/client-node (1.x) against a kage process through its kubeconfig: the typed API, watch and errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startKage, uniqueName, type KageProcess } from './harness.js';

let kage: KageProcess;
let kc: k8s.KubeConfig;

before(async () => {
  kage = await startKage();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kage.kubeconfig);
});

after(async () => {
  await kage?.stop();
});

test('client-node lists namespaces and creates, reads, patches and deletes a ConfigMap', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespaces = await core.listNamespace();
  assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-system'));
  const name = uniqueName('cn');
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { a: '1' } } });
  assert.equal(created.metadata?.name, name);
  const read = await core.readNamespacedConfigMap({ name, namespace: 'default' });
  assert.deepEqual(read.data, { a: '1' });
  const patched = await core.patchNamespacedConfigMap(
    { name, namespace: 'default', body: { data: { b: '2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  assert.deepEqual(patched.data, { a: '1', b: '2' });
  await core.deleteNamespacedConfigMap({ name, namespace: 'default' });
  await assert.rejects(core.readNamespacedConfigMap({ name, namespace: 'default' }), (err: unknown) => {
    const e = err as { code?: number; body?: string };
    assert.equal(e.code, 404);
    assert.equal(JSON.parse(e.body ?? '{}').reason, 'NotFound');
    return true;
  });
});

test('client-node creates a Deployment through the apps API and sees it in a list', async () => {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const name = uniqueName('cnd');
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    },
  });
  const list = await apps.listNamespacedDeployment({ namespace: 'default', labelSelector: '' });
  const mine = list.items.find((d) => d.metadata?.name === name);
  assert.ok(mine);
  assert.equal(mine.spec?.replicas, 1, 'defaulted');
});

test('client-node Watch sees ADDED and DELETED', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = uniqueName('cnw');
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const req = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (type: string, obj: k8s.V1ConfigMap) => {
    if (obj.metadata?.name !== name) return;
    seen.push(type);
    if (type === 'DELETED') done();
  }, () => undefined);
  try {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
    await core.deleteNamespacedConfigMap({ name, namespace: 'default' });
    await Promise.race([finished, new Promise((_, rej) => setTimeout(() => rej(new Error(`events seen: ${seen.join(',')}`)), 10_000))]);
    assert.deepEqual(seen, ['ADDED', 'DELETED']);
  } finally {
    req.abort();
  }
});
