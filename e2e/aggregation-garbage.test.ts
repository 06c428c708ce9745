// A backend whose discovery answers 200 with a body that is not JSON (`--misbehave garbage-discovery`): kage
// keeps its group in aggregated /apis marked Stale, keeps answering everything else, and does not crash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeResult, eventually, kubectlOk, startKage, type KageProcess } from './harness.js';
import {
  AGGREGATED_DISCOVERY_V2, aggregatedGroup, registerSample, startSample, stopSamples, timed, waitForAvailable, WARDLE_GV,
  type SampleProcess,
} from './sample-harness.js';

let kage: KageProcess;
let sample: SampleProcess;

before(async () => {
  kage = await startKage({ extraArgs: ['--availability-check-interval', '1s', '--discovery-timeout', '2s'] });
  sample = await startSample(kage, { misbehave: 'garbage-discovery' });
  await registerSample(kage, sample);
});

after(async () => {
  await stopSamples();
  await kage?.stop();
});

test('the group of a backend with garbage discovery appears Stale in aggregated /apis', async (t) => {
  const group = await eventually(async () => {
    const g = await aggregatedGroup(kage);
    return g?.versions?.some((v: any) => v.freshness === 'Stale') ? g : undefined;
  }, 10_000, 200, 'wardle.example.com Stale in aggregated /apis');
  t.diagnostic(`aggregated /apis entry: ${JSON.stringify(group)}`);
  const v1alpha1 = group.versions.find((v: any) => v.version === 'v1alpha1');
  assert.deepEqual(v1alpha1, { version: 'v1alpha1', freshness: 'Stale' });

  // The availability check only looks at the status code (kube-aggregator's does the same), so it passes.
  const { condition } = await waitForAvailable(kage, 'True', 10_000);
  assert.equal(condition.reason, 'Passed');
  // The garbage itself is proxied untouched to whoever asks the backend's group version directly.
  const raw = await kage.request('GET', WARDLE_GV);
  assert.equal(raw.status, 200);
  assert.throws(() => JSON.parse(raw.body));
});

test('kage keeps answering: healthz, /apis in both forms, kubectl get ns', async () => {
  const health = await kage.request('GET', '/healthz', { token: null });
  assert.equal(health.status, 200);
  assert.equal(health.body, 'ok');
  for (const headers of [{}, { Accept: AGGREGATED_DISCOVERY_V2 }] as Array<Record<string, string>>) {
    const { value: res, ms } = await timed(() => kage.request('GET', '/apis', { headers }));
    assert.equal(res.status, 200, res.body);
    res.json();
    assert.ok(ms < 1000, `/apis took ${ms} ms`);
  }
  const ns = await kubectlOk(kage, ['get', 'ns']);
  assert.match(ns, /^default\s+Active/m);
  const cms = await kubectlOk(kage, ['get', 'cm', '-A']);
  assert.match(cms, /extension-apiserver-authentication/);
  // kubectl's own discovery of the group fails (the group has no usable version), which is the backend's fault.
  const flunders = await kage.kubectl(['get', 'flunders']);
  assert.notEqual(flunders.code, 0, describeResult(['get', 'flunders'], flunders));
});

test('nothing crashed: kage and the sample are still running', async () => {
  // Let a few more refresh and availability rounds hit the garbage.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(kage.child.exitCode, null, `kage exited:\n${kage.output()}`);
  assert.equal(kage.child.signalCode, null, `kage was killed:\n${kage.output()}`);
  assert.doesNotMatch(kage.output(), /uncaught|unhandled/i, kage.output());
  assert.ok(sample.running, sample.output());
  const health = await kage.request('GET', '/readyz', { token: null });
  assert.equal(health.status, 200, health.body);
});
