// Persistence across restarts of kage on the same data dir: after SIGKILL (no clean shutdown) and after SIGTERM,
// objects are still there and the revision sequence goes on; an emptied watch history answers 410 Expired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk, makeTempDir, removeDir, startKage, uniqueName, within, type KageProcess } from './harness.js';

interface Meta { name: string; uid: string; resourceVersion: string; creationTimestamp: string; labels?: Record<string, string> }
interface Obj { kind: string; metadata: Meta; data?: Record<string, string> }
interface List { metadata: { resourceVersion: string }; items: Obj[] }

/** Starts kage on a fresh data dir that outlives the process; everything is removed after the test. */
async function freshDataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dataDir: string; started: KageProcess[] }> {
  const dataDir = await makeTempDir('kage-e2e-restart-');
  const started: KageProcess[] = [];
  t.after(async () => {
    for (const k of started) await k.kill();
    await removeDir(dataDir);
  });
  return { dataDir, started };
}

/** Writes a namespace, three configmaps (one changed twice), a deployment; returns the namespace. */
async function populate(kage: KageProcess): Promise<string> {
  const ns = uniqueName('persist');
  const manifest = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    ...['one', 'two', 'three'].map((n) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: ns }, data: { n } })),
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    },
  ];
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: manifest.map((m) => JSON.stringify(m)).join('\n') });
  await kubectlOk(kage, ['label', 'cm', 'two', '-n', ns, 'changed=yes']);
  await kubectlOk(kage, ['patch', 'cm', 'two', '-n', ns, '--type=merge', '-p', '{"data":{"n":"2"}}']);
  await kubectlOk(kage, ['delete', 'cm', 'three', '-n', ns]);
  return ns;
}

async function snapshot(kage: KageProcess, ns: string): Promise<{ cms: Obj[]; deploy: Obj; revision: number; namespaces: string[] }> {
  const cms = (await kage.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).json() as List;
  const deploy = (await kage.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).json() as Obj;
  const nsList = (await kage.request('GET', '/api/v1/namespaces')).json() as List;
  return {
    cms: cms.items.filter((i) => i.metadata.name !== 'kube-root-ca.crt'),
    deploy,
    // A list's resourceVersion is the store's current revision: every write so far is at or below it.
    revision: Math.max(Number(cms.metadata.resourceVersion), Number(nsList.metadata.resourceVersion)),
    namespaces: nsList.items.map((i) => i.metadata.name).sort(),
  };
}

async function assertSurvived(before: Awaited<ReturnType<typeof snapshot>>, kage: KageProcess, ns: string): Promise<void> {
  const after = await snapshot(kage, ns);
  assert.deepEqual(after.cms, before.cms, 'configmaps are unchanged, resourceVersions and uids included');
  assert.deepEqual(after.cms.map((c) => c.metadata.name), ['one', 'two']);
  assert.deepEqual(after.cms.find((c) => c.metadata.name === 'two')?.data, { n: '2' });
  assert.deepEqual(after.deploy, before.deploy);
  assert.deepEqual(after.namespaces, before.namespaces, 'the same namespaces, system ones not seeded twice');
  assert.ok(after.revision >= before.revision, `revision did not go back: ${after.revision} < ${before.revision}`);
  // kubectl sees them too.
  const out = await kubectlOk(kage, ['get', 'cm', '-n', ns, '-o', 'name']);
  assert.deepEqual(out.trim().split('\n').filter((l) => l !== 'configmap/kube-root-ca.crt'), ['configmap/one', 'configmap/two']);
  const three = await kage.kubectl(['get', 'cm', 'three', '-n', ns]);
  assert.equal(three.code, 1, 'the deleted configmap stays deleted');
  // A new write gets a resourceVersion greater than every earlier one.
  const res = await kage.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } } });
  assert.equal(res.status, 201, res.body);
  const rv = Number((res.json() as Obj).metadata.resourceVersion);
  assert.ok(rv > before.revision, `new resourceVersion ${rv} > ${before.revision} (the revision before the restart)`);
  for (const c of [...before.cms, before.deploy]) assert.ok(rv > Number(c.metadata.resourceVersion));
  // Updating an object that survived works with its stored resourceVersion.
  const two = after.cms.find((c) => c.metadata.name === 'two')!;
  const put = await kage.request('PUT', `/api/v1/namespaces/${ns}/configmaps/two`, { body: { ...two, data: { n: 'two again' } } });
  assert.equal(put.status, 200, put.body);
  assert.ok(Number((put.json() as Obj).metadata.resourceVersion) > rv);
}

test('objects survive SIGKILL, and new writes get higher resourceVersions', async (t) => {
  const { dataDir, started } = await freshDataDir(t);
  const first = await startKage({ dataDir });
  started.push(first);
  const ns = await populate(first);
  const before = await snapshot(first, ns);
  const killed = await first.kill();
  assert.equal(killed.signal, 'SIGKILL', 'kage was killed, not stopped');

  const second = await startKage({ dataDir });
  started.push(second);
  assert.equal(second.token, first.token, 'the admin token is reused');
  assert.equal(second.ca, first.ca, 'the CA is reused');
  await assertSurvived(before, second, ns);
});

test('objects survive a clean SIGTERM stop and restart', async (t) => {
  const { dataDir, started } = await freshDataDir(t);
  const first = await startKage({ dataDir });
  started.push(first);
  const ns = await populate(first);
  const before = await snapshot(first, ns);
  const stopped = await first.stop('SIGTERM');
  assert.deepEqual(stopped, { code: 0, signal: null }, 'SIGTERM shuts kage down cleanly with exit code 0');

  const second = await startKage({ dataDir });
  started.push(second);
  await assertSurvived(before, second, ns);
  // And once more, after the writes of the second life.
  const before2 = await snapshot(second, ns);
  assert.deepEqual((await second.stop()).code, 0);
  const third = await startKage({ dataDir });
  started.push(third);
  const after2 = await snapshot(third, ns);
  assert.deepEqual(after2.cms, before2.cms);
});

test('SIGTERM ends open watches and kubectl get -w', async (t) => {
  const { dataDir, started } = await freshDataDir(t);
  const kage = await startKage({ dataDir });
  started.push(kage);
  const stream = await kage.stream('GET', '/api/v1/namespaces?watch=true');
  await stream.waitForLine((l) => l.includes('"name":"default"'));
  const t0 = Date.now();
  const stopped = await kage.stop('SIGTERM');
  assert.equal(stopped.code, 0);
  assert.ok(Date.now() - t0 < 5000, `kage stopped promptly with a watch open (${Date.now() - t0} ms)`);
  await within(stream.ended, 5000, 'the watch ends when kage stops');
});

test('410 Expired for a watch from a revision older than the (restarted, empty) history', async (t) => {
  const { dataDir, started } = await freshDataDir(t);
  const first = await startKage({ dataDir });
  started.push(first);
  const ns = uniqueName('expired');
  const made = await first.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  assert.equal(made.status, 201, made.body);
  const rvs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await first.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } } });
    assert.equal(res.status, 201, res.body);
    rvs.push(Number((res.json() as Obj).metadata.resourceVersion));
  }
  // Before the restart, the history still has these revisions: a watch from the first one replays the rest.
  const replay = await first.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rvs[0]}&timeoutSeconds=1`);
  await replay.waitForLine((l) => l.includes('"name":"c4"'));
  assert.ok(replay.lines.filter(Boolean).every((l) => (JSON.parse(l) as { type: string }).type === 'ADDED'), replay.lines.join('\n'));
  replay.close();
  await first.stop();

  const second = await startKage({ dataDir });
  started.push(second);
  const current = Number(((await second.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).json() as List).metadata.resourceVersion);
  assert.ok(current >= rvs[4]!);
  const stream = await second.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rvs[1]}`);
  try {
    assert.equal(stream.status, 200);
    const line = await stream.waitForLine((l) => l.trim() !== '');
    const ev = JSON.parse(line) as { type: string; object: { kind: string; apiVersion: string; status: string; code: number; reason: string; message: string } };
    assert.equal(ev.type, 'ERROR', line);
    assert.equal(ev.object.kind, 'Status');
    assert.equal(ev.object.apiVersion, 'v1');
    assert.equal(ev.object.status, 'Failure');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    // The real server's words: "too old resource version: <asked> (<oldest kept>)".
    assert.match(ev.object.message, new RegExp(`^too old resource version: ${rvs[1]} \\(\\d+\\)$`));
    // The server ends the stream after the error.
    await within(stream.ended, 5000, 'the server ends the stream after the 410 ERROR event');
  } finally {
    stream.close();
  }
  // A watch from the current revision works, and kubectl recovers by relisting.
  const ok = await second.stream('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${current}&timeoutSeconds=1`);
  await within(ok.ended, 5000, 'the watch ends after timeoutSeconds=1');
  assert.ok(ok.lines.every((l) => !l.includes('"ERROR"')), ok.lines.join('\n'));
  const out = await kubectlOk(second, ['get', 'cm', '-n', ns, '-o', 'name']);
  assert.equal(out.trim().split('\n').filter((l) => l !== 'configmap/kube-root-ca.crt').length, 5);
});
