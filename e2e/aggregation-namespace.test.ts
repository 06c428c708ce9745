// Deleting a namespace also empties what extension API servers hold in it; while a backend's discovery fails the
// namespace stays Terminating with NamespaceDeletionDiscoveryFailure naming the group, then finishes once it is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kubectlOk, startKage, uniqueName, type KageProcess } from './harness.js';
import { flunderManifest, registerSample, startSample, stopSamples, waitForAvailable, WARDLE_GV, type SampleProcess } from './sample-harness.js';

let kage: KageProcess;
let sample: SampleProcess;

before(async () => {
  kage = await startKage({ extraArgs: ['--availability-check-interval', '1s', '--discovery-timeout', '2s'] });
  sample = await startSample(kage);
  await registerSample(kage, sample);
  await waitForAvailable(kage, 'True', 10_000);
});

after(async () => {
  await stopSamples();
  await kage?.stop();
});

interface NamespaceCondition { type: string; status: string; reason: string; message: string }

async function namespaceConditions(ns: string): Promise<NamespaceCondition[] | undefined> {
  const res = await kage.request('GET', `/api/v1/namespaces/${ns}`);
  if (res.status === 404) return undefined;
  return (res.json() as { status?: { conditions?: NamespaceCondition[] } }).status?.conditions ?? [];
}

async function flunderNames(ns: string): Promise<string[]> {
  const res = await kage.request('GET', `${WARDLE_GV}/namespaces/${ns}/flunders`);
  assert.equal(res.status, 200, res.body);
  return (res.json() as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
}

test('kubectl delete ns removes the backend\'s objects in it, then the namespace', async () => {
  const ns = uniqueName('aggns');
  await kubectlOk(kage, ['create', 'ns', ns]);
  for (const name of ['one', 'two']) {
    await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: flunderManifest(ns, name) });
  }
  assert.deepEqual((await flunderNames(ns)).sort(), ['one', 'two']);
  await kubectlOk(kage, ['delete', 'ns', ns, '--timeout=30s']);
  assert.equal(await namespaceConditions(ns), undefined, 'the namespace is gone');
  // The sample server keeps its objects whatever kage's namespaces are: only kage's deletecollection emptied it.
  assert.deepEqual(await flunderNames(ns), []);
});

test('with the backend down the namespace waits (NamespaceDeletionDiscoveryFailure), and finishes when it returns', async () => {
  const ns = uniqueName('aggwait');
  await kubectlOk(kage, ['create', 'ns', ns]);
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: flunderManifest(ns, 'kept') });
  await sample.stop();
  await waitForAvailable(kage, 'False', 10_000);
  // Discovery of the group must have gone Stale too before the namespace controller looks.
  await eventually(async () => {
    const res = await kage.request('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
    const group = (res.json() as { items: { metadata: { name?: string }; versions: { freshness?: string }[] }[] }).items
      .find((g) => g.metadata.name === 'wardle.example.com');
    return group?.versions.every((v) => v.freshness === 'Stale');
  }, 10_000, 200, 'wardle discovery is Stale');

  await kubectlOk(kage, ['delete', 'ns', ns, '--wait=false']);
  const condition = await eventually(async () => {
    const conds = await namespaceConditions(ns);
    return conds?.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure' && c.status === 'True');
  }, 10_000, 200, 'NamespaceDeletionDiscoveryFailure');
  assert.equal(condition.reason, 'DiscoveryFailed');
  assert.match(condition.message, /wardle\.example\.com\/v1alpha1/);
  const phase = (await kage.request('GET', `/api/v1/namespaces/${ns}`)).json() as { status: { phase: string } };
  assert.equal(phase.status.phase, 'Terminating');

  await sample.restart();
  await waitForAvailable(kage, 'True', 10_000);
  await eventually(async () => (await namespaceConditions(ns)) === undefined, 20_000, 250, 'the namespace finishes deleting');
});
