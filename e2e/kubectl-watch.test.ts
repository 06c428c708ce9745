// Long-running kubectl commands against one kage process: `get -w` and `wait --for=delete`, with other kubectl
// calls changing things meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeResult, kubectlOk, startKage, uniqueName, within, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
  return ns;
}

async function createCm(ns: string, name: string, data: Record<string, string> = {}): Promise<void> {
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data }),
  });
}

test('kubectl get cm -w --output-watch-events sees ADDED, MODIFIED and DELETED', async () => {
  const ns = await newNamespace('watch');
  await createCm(ns, 'seed', { s: '1' });
  const watch = kage.kubectlWatch(['get', 'cm', '-n', ns, '-w', '--output-watch-events']);
  try {
    // The initial list arrives as ADDED events, under a header with an EVENT column.
    await watch.waitForLine(/^ADDED\s+seed\s+1\s+\S+$/);
    assert.match(watch.lines[0]!, /^EVENT\s+NAME\s+DATA\s+AGE$/, watch.lines.join('\n'));

    await createCm(ns, 'moving', { a: '1', b: '2' });
    await watch.waitForLine(/^ADDED\s+moving\s+2\s+\S+$/);

    await kubectlOk(kage, ['label', 'cm', 'moving', '-n', ns, 'stage=two']);
    await watch.waitForLine(/^MODIFIED\s+moving\s+2\s+\S+$/);

    await kubectlOk(kage, ['patch', 'cm', 'moving', '-n', ns, '--type=merge', '-p', '{"data":{"c":"3"}}']);
    await watch.waitForLine(/^MODIFIED\s+moving\s+3\s+\S+$/);

    await kubectlOk(kage, ['delete', 'cm', 'moving', '-n', ns]);
    await watch.waitForLine(/^DELETED\s+moving\s+3\s+\S+$/);

    // Only this namespace, and every change exactly once, in order.
    const events = watch.lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).filter((e) => e !== 'ADDED kube-root-ca.crt');
    assert.deepEqual(events, ['ADDED seed', 'ADDED moving', 'MODIFIED moving', 'MODIFIED moving', 'DELETED moving']);
  } finally {
    const r = await watch.stop();
    assert.ok(!r.timedOut, describeResult(['get', 'cm', '-w'], r));
  }
});

test('kubectl get cm -w -o name sees objects created by another kubectl', async () => {
  const ns = await newNamespace('watchname');
  const watch = kage.kubectlWatch(['get', 'cm', '-n', ns, '-w', '-o', 'name']);
  try {
    // Nothing to list yet; give kubectl a moment to open its watch, then create until it is seen.
    for (let i = 0; i < 20; i++) {
      await createCm(ns, `late-${i}`);
      try {
        await watch.waitForLine(new RegExp(`^configmap/late-${i}$`), 1000);
        return;
      } catch {
        // the watch was not open yet; the next object will be seen
      }
    }
    assert.fail(`kubectl get -w never printed a created configmap:\n${watch.lines.join('\n')}`);
  } finally {
    await watch.stop();
  }
});

test('kubectl wait --for=delete returns once the object is deleted', async () => {
  const ns = await newNamespace('wait');
  await createCm(ns, 'x', { a: '1' });
  const wait = kage.kubectlWatch(['wait', '--for=delete', 'cm/x', '-n', ns, '--timeout=20s'], { lifetimeMs: 30_000 });
  try {
    // wait must still be waiting while the object exists.
    const early = await Promise.race([wait.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
    assert.equal(early, 'waiting', `kubectl wait ended before the delete:\n${wait.lines.join('\n')}`);
    const started = Date.now();
    await kubectlOk(kage, ['delete', 'cm', 'x', '-n', ns, '--wait=false']);
    const r = await within(wait.exited, 15_000, 'kubectl wait --for=delete exits after the delete');
    assert.equal(r.code, 0, describeResult(['wait', '--for=delete', 'cm/x'], r));
    assert.match(r.stdout.trim(), /^configmap\/x condition met$/);
    assert.ok(Date.now() - started < 10_000, 'wait noticed the delete promptly');
  } finally {
    await wait.stop();
  }
});

test('kubectl wait --for=delete on a missing object returns at once', async () => {
  const ns = await newNamespace('waitgone');
  const r = await kage.kubectl(['wait', '--for=delete', 'cm/never', '-n', ns, '--timeout=10s']);
  assert.equal(r.code, 0, describeResult(['wait', '--for=delete', 'cm/never'], r));
});

test('kubectl wait --for=jsonpath sees a change made by another kubectl', async () => {
  const ns = await newNamespace('waitjp');
  await createCm(ns, 'flag', { ready: 'no' });
  const wait = kage.kubectlWatch(['wait', '--for=jsonpath={.data.ready}=yes', 'cm/flag', '-n', ns, '--timeout=20s'], { lifetimeMs: 30_000 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await kubectlOk(kage, ['patch', 'cm', 'flag', '-n', ns, '--type=merge', '-p', '{"data":{"ready":"yes"}}']);
    const r = await within(wait.exited, 15_000, 'kubectl wait --for=jsonpath exits after the patch');
    assert.equal(r.code, 0, describeResult(['wait', '--for=jsonpath'], r));
    assert.match(r.stdout.trim(), /^configmap\/flag condition met$/);
  } finally {
    await wait.stop();
  }
});
