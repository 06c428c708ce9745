// A backend that accepts connections and requests but never answers discovery (`--misbehave hang-discovery`),
// with kage started with `--discovery-timeout 2s`: discovery (/apis, both forms) never waits for it, other groups
// keep working, the availability check gives up after the timeout (APIService False), and a discovery request
// proxied to it while its APIService is still Available fails after about the discovery timeout with a 503, as
// kube-aggregator's proxy bounds /apis/<group>/<version> requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeResult, kubectlOk, startKage, type KageProcess } from './harness.js';
import {
  AGGREGATED_DISCOVERY_V2, registerSample, startSample, stopSamples, timed, waitForAvailable, WARDLE_APISERVICE, WARDLE_GV,
  type SampleProcess,
} from './sample-harness.js';

const DISCOVERY_TIMEOUT_MS = 2000;
const INTERVAL_MS = 1000;

let kage: KageProcess;
let hanging: SampleProcess;

before(async () => {
  kage = await startKage({ extraArgs: ['--discovery-timeout', `${DISCOVERY_TIMEOUT_MS / 1000}s`, '--availability-check-interval', `${INTERVAL_MS / 1000}s`] });
  hanging = await startSample(kage, { misbehave: 'hang-discovery' });
});

after(async () => {
  await stopSamples();
  await kage?.stop();
});

/** Both forms of /apis, each of which must answer within 1 s. */
async function discoveryAnswersAtOnce(): Promise<void> {
  const [legacy, aggregated] = await Promise.all([
    timed(() => kage.request('GET', '/apis', { timeoutMs: 5000 })),
    timed(() => kage.request('GET', '/apis', { timeoutMs: 5000, headers: { Accept: AGGREGATED_DISCOVERY_V2 } })),
  ]);
  assert.equal(legacy.value.status, 200, legacy.value.body);
  assert.equal(aggregated.value.status, 200, aggregated.value.body);
  assert.equal(aggregated.value.headers['content-type'], AGGREGATED_DISCOVERY_V2);
  assert.ok(legacy.ms < 1000, `legacy /apis took ${legacy.ms} ms`);
  assert.ok(aggregated.ms < 1000, `aggregated /apis took ${aggregated.ms} ms`);
}

/** kubectl get ns and kubectl get cm -A, which must work (and not wait for the backend). */
async function otherGroupsWork(): Promise<void> {
  const [ns, cm] = await Promise.all([
    timed(() => kage.kubectl(['get', 'ns'], { timeoutMs: 15_000 })),
    timed(() => kage.kubectl(['get', 'cm', '-A'], { timeoutMs: 15_000 })),
  ]);
  assert.equal(ns.value.code, 0, describeResult(['get', 'ns'], ns.value));
  assert.match(ns.value.stdout, /^kube-system\s+Active/m);
  assert.equal(cm.value.code, 0, describeResult(['get', 'cm', '-A'], cm.value));
  assert.match(cm.value.stdout, /^kube-system\s+extension-apiserver-authentication\s/m);
  assert.ok(ns.ms < DISCOVERY_TIMEOUT_MS, `kubectl get ns took ${ns.ms} ms`);
  assert.ok(cm.ms < DISCOVERY_TIMEOUT_MS, `kubectl get cm -A took ${cm.ms} ms`);
}

test('registered directly: /apis answers at once, other groups work, the APIService goes False', async (t) => {
  await registerSample(kage, hanging);
  const registeredAt = Date.now();
  // While kage's discovery fetch and availability probe hang on the backend.
  for (let i = 0; i < 3; i++) {
    await Promise.all([discoveryAnswersAtOnce(), otherGroupsWork()]);
    await new Promise((r) => setTimeout(r, 500));
  }
  const { condition } = await waitForAvailable(kage, 'False', 10_000);
  const falseAfter = Date.now() - registeredAt;
  t.diagnostic(`Available=False ${falseAfter} ms after registration: ${condition.reason}: ${condition.message}`);
  assert.equal(condition.reason, 'FailedDiscoveryCheck');
  assert.match(condition.message ?? '', new RegExp(`^failing or missing response from https://localhost:${hanging.port}/apis/wardle\\.example\\.com/v1alpha1: .*context deadline exceeded`));
  assert.ok(falseAfter < DISCOVERY_TIMEOUT_MS + 2 * INTERVAL_MS + 2000, `False only after ${falseAfter} ms`);
  const out = await kubectlOk(kage, ['get', 'apiservice', WARDLE_APISERVICE]);
  assert.match(out, /\bFalse \(FailedDiscoveryCheck\)/, out);

  // An APIService that never was Available: kube-aggregator answers at once, without asking the backend.
  const gv = await timed(() => kage.request('GET', WARDLE_GV, { timeoutMs: 10_000 }));
  t.diagnostic(`GET ${WARDLE_GV} with the APIService False: ${gv.value.status} ${JSON.stringify(gv.value.body)} in ${gv.ms} ms`);
  assert.equal(gv.value.status, 503);
  assert.equal(gv.value.body, 'service unavailable\n');
  assert.ok(gv.ms < 1000, `took ${gv.ms} ms`);

  await Promise.all([discoveryAnswersAtOnce(), otherGroupsWork()]);
});

test('while Available: GET /apis/wardle.example.com/v1alpha1 through kage fails with 503 after about the discovery timeout', async (t) => {
  // Point the APIService at a healthy sample (same certificates, so the caBundle stays valid) until it is
  // Available, then back at the hanging one: kage proxies discovery to it until the check notices.
  const healthy = await startSample(kage, { certDir: hanging.certDir });
  const pointAt = async (port: number): Promise<void> => {
    await kubectlOk(kage, ['patch', 'service', hanging.serviceName, '-n', hanging.namespace, '--type=merge', '-p',
      JSON.stringify({ spec: { ports: [{ name: 'https', protocol: 'TCP', port, targetPort: port }] } })]);
    await kubectlOk(kage, ['patch', 'apiservice', WARDLE_APISERVICE, '--type=merge', '-p', JSON.stringify({ spec: { service: { port } } })]);
  };
  await pointAt(healthy.port);
  await waitForAvailable(kage, 'True', 10_000);
  const ok = await kage.request('GET', WARDLE_GV);
  assert.equal(ok.status, 200, ok.body);

  await pointAt(hanging.port);
  const switchedAt = Date.now();
  await new Promise((r) => setTimeout(r, 200));
  const cond = await waitForAvailable(kage, 'True', 1000);
  assert.equal(cond.condition.status, 'True', 'still Available when the request is sent');

  const [gv] = await Promise.all([
    timed(() => kage.request('GET', WARDLE_GV, { timeoutMs: 15_000 })),
    (async () => {
      for (let i = 0; i < 3; i++) {
        await Promise.all([discoveryAnswersAtOnce(), otherGroupsWork()]);
        await new Promise((r) => setTimeout(r, 300));
      }
    })(),
  ]);
  t.diagnostic(`GET ${WARDLE_GV} while Available: ${gv.value.status} ${JSON.stringify(gv.value.body)} after ${gv.ms} ms`);
  assert.equal(gv.value.status, 503, gv.value.body);
  assert.ok(gv.ms >= DISCOVERY_TIMEOUT_MS - 200, `failed after only ${gv.ms} ms`);
  assert.ok(gv.ms < 6000, `failed only after ${gv.ms} ms`);
  assert.match(gv.value.body, /^error trying to reach service: .*context deadline exceeded/);

  const { condition } = await waitForAvailable(kage, 'False', 10_000);
  t.diagnostic(`Available=False ${Date.now() - switchedAt} ms after the switch: ${condition.message}`);
  assert.equal(condition.reason, 'FailedDiscoveryCheck');
  await discoveryAnswersAtOnce();
});
