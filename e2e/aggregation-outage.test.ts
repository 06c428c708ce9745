// A registered backend that goes away and comes back: the APIService turns False (FailedDiscoveryCheck) within two
// availability checks, requests for its group get kube-aggregator's plain-text 503, discovery keeps answering at
// once (the group marked Stale), the built-in resources keep working, and a restart on the same port brings
// everything back. The tests run in order against one kage and one sample (node:test runs a file's tests
// sequentially); compare ../shared/reference/kube-apiserver-1.32/unavailable-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeResult, eventually, kubectlOk, makeTempDir, parseTable, removeDir, startKage, uniqueName, type KageProcess } from './harness.js';
import { REFERENCE_DIR } from './reference.js';
import {
  AGGREGATED_DISCOVERY_V2, aggregatedGroup, flunderManifest, registerSample, startSample, stopSamples, timed, waitForAvailable,
  WARDLE_APISERVICE, WARDLE_GV, type SampleProcess,
} from './sample-harness.js';

const INTERVAL_MS = 1000;
/** Slack for one poll, one kubectl run and a loaded 2-core machine on top of "two check intervals". */
const SLACK_MS = 1000;

let kage: KageProcess;
let sample: SampleProcess;
const freshCacheDirs: string[] = [];

function reference(name: string): string {
  return readFileSync(join(REFERENCE_DIR, name), 'utf8');
}

before(async () => {
  kage = await startKage({ extraArgs: ['--availability-check-interval', `${INTERVAL_MS / 1000}s`] });
  sample = await startSample(kage);
  await registerSample(kage, sample);
  await waitForAvailable(kage, 'True', 10_000);
  // Prime kubectl's discovery cache (the harness gives this kage's kubectl calls one KUBECACHEDIR) with flunders.
  await eventually(async () => (await kage.kubectl(['get', 'flunders', '-n', 'default'])).code === 0, 10_000, 200, 'kubectl get flunders works');
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: flunderManifest('default', 'before-outage') });
});

after(async () => {
  await stopSamples();
  await kage?.stop();
  for (const d of freshCacheDirs) await removeDir(d);
});

test('stopping the backend turns the APIService False (FailedDiscoveryCheck) within two check intervals', async (t) => {
  await sample.stop();
  // Before the check notices (unavailable-immediate-flunders): the proxy's own dial error. The check may already
  // have run, in which case the answer is the plain "service unavailable".
  const immediate = await kage.request('GET', `${WARDLE_GV}/namespaces/default/flunders`);
  t.diagnostic(`GET flunders right after the stop: ${immediate.status} ${JSON.stringify(immediate.body)}`);
  assert.equal(immediate.status, 503, immediate.body);
  assert.equal(immediate.headers['content-type'], 'text/plain; charset=utf-8');
  if (immediate.body !== 'service unavailable\n') {
    assert.equal(immediate.body, `error trying to reach service: dial tcp 127.0.0.1:${sample.port}: connect: connection refused\n`);
  }
  const { condition, elapsedMs } = await waitForAvailable(kage, 'False', 10_000);
  t.diagnostic(`Available=False after ${elapsedMs} ms: ${condition.reason}: ${condition.message}`);
  assert.ok(elapsedMs <= 2 * INTERVAL_MS + SLACK_MS, `Available went False only after ${elapsedMs} ms (interval ${INTERVAL_MS} ms)`);
  assert.equal(condition.reason, 'FailedDiscoveryCheck');
  assert.match(condition.message ?? '', new RegExp(`^failing or missing response from https://localhost:${sample.port}/apis/wardle\\.example\\.com/v1alpha1: `));
  assert.match(condition.message ?? '', /connection refused/);

  const out = await kubectlOk(kage, ['get', 'apiservices']);
  const row = parseTable(out).find((r) => r['NAME'] === WARDLE_APISERVICE);
  assert.ok(row, out);
  assert.equal(row['SERVICE'], 'wardle/api', out);
  assert.equal(row['AVAILABLE'], 'False (FailedDiscoveryCheck)', out);
});

test('kubectl get flunders fails: "the server is currently unable to handle the request"', async (t) => {
  // kubectl's cache (from before the outage) knows flunders, so it sends the GET and prints kage's 503.
  const args = ['get', 'flunders', '-n', 'default'];
  const r = await kage.kubectl(args);
  assert.notEqual(r.code, 0, describeResult(args, r));
  assert.match(r.stderr, /Error from server \(ServiceUnavailable\): the server is currently unable to handle the request \(get flunders\.wardle\.example\.com\)/, describeResult(args, r));

  // With an empty cache kubectl first reads discovery, where the group is Stale and has no resources.
  const fresh = await makeTempDir('kage-kubecache-');
  freshCacheDirs.push(fresh);
  const f = await kage.kubectl(args, { env: { KUBECACHEDIR: fresh } });
  t.diagnostic(`fresh cache: exit ${f.code}; stderr: ${f.stderr.trim()}`);
  assert.notEqual(f.code, 0, describeResult(args, f));
  assert.match(f.stderr, /the server doesn't have a resource type "flunders"/, describeResult(args, f));
});

test('raw GETs under the group version get 503 text/plain "service unavailable"', async () => {
  const expected = reference('unavailable-flunders.json');
  for (const path of [`${WARDLE_GV}/namespaces/default/flunders`, `${WARDLE_GV}/namespaces/default/flunders/before-outage`, WARDLE_GV]) {
    const { value: res, ms } = await timed(() => kage.request('GET', path));
    assert.equal(res.status, 503, `${path}: ${res.body}`);
    assert.equal(res.body, expected, path);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8', path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(res.headers['cache-control'], 'no-cache, private', path);
    assert.ok(ms < 1000, `${path} took ${ms} ms`);
  }
  assert.equal(reference('unavailable-group-version.json'), expected);
});

test('/apis answers at once in both forms; the aggregated form keeps wardle.example.com with freshness Stale', async () => {
  const legacy = await timed(() => kage.request('GET', '/apis'));
  assert.equal(legacy.value.status, 200, legacy.value.body);
  assert.ok(legacy.ms < 1000, `legacy /apis took ${legacy.ms} ms`);
  assert.ok((legacy.value.json().groups as any[]).some((g) => g.name === 'apps'), legacy.value.body);

  const aggregated = await timed(() => kage.request('GET', '/apis', { headers: { Accept: AGGREGATED_DISCOVERY_V2 } }));
  assert.equal(aggregated.value.status, 200, aggregated.value.body);
  assert.ok(aggregated.ms < 1000, `aggregated /apis took ${aggregated.ms} ms`);
  assert.equal(aggregated.value.headers['content-type'], AGGREGATED_DISCOVERY_V2);
  const wardle = (aggregated.value.json().items as any[]).find((g) => g.metadata?.name === 'wardle.example.com');
  assert.ok(wardle, `wardle.example.com missing from aggregated /apis: ${aggregated.value.body}`);
  // As the real capture: the version stays listed, Stale, without resources.
  const ref = JSON.parse(reference('unavailable-aggregated-discovery-apis.json')).items.find((g: any) => g.metadata.name === 'wardle.example.com');
  const refV1alpha1 = ref.versions.find((v: any) => v.version === 'v1alpha1');
  assert.deepEqual(wardle.versions, [refV1alpha1]);
  assert.deepEqual(wardle.metadata, ref.metadata);
});

test('kubectl api-resources still prints the built-in resources', async (t) => {
  const r = await kage.kubectl(['api-resources']);
  t.diagnostic(`kubectl api-resources during the outage: exit ${r.code}; stderr: ${JSON.stringify(r.stderr.trim())}`);
  const rows = parseTable(r.stdout);
  for (const [name, version] of [['configmaps', 'v1'], ['namespaces', 'v1'], ['deployments', 'apps/v1'], ['apiservices', 'apiregistration.k8s.io/v1']]) {
    assert.ok(rows.some((row) => row['NAME'] === name && row['APIVERSION'] === version), `${name} missing:\n${r.stdout}`);
  }
  assert.ok(!rows.some((row) => row['NAME'] === 'flunders'), r.stdout);
  // kubectl 1.32's disk-cached discovery drops Stale versions from the group list without reporting them, so the
  // aggregated /apis above (the same shape as the real capture) yields no error line and exit 0.
  assert.equal(r.code, 0, describeResult(['api-resources'], r));
  assert.doesNotMatch(r.stderr, /wardle/);
});

test('built-in resources keep working during the outage', async () => {
  const ns = uniqueName('during');
  await kubectlOk(kage, ['create', 'namespace', ns]);
  await kubectlOk(kage, ['create', 'configmap', 'c', '-n', ns, '--from-literal=a=1']);
  assert.match(await kubectlOk(kage, ['get', 'cm', 'c', '-n', ns, '-o', 'name']), /^configmap\/c$/m);
  const health = await kage.request('GET', '/healthz', { token: null });
  assert.equal(health.status, 200, health.body);
});

test('restarting the backend on the same port: Available True again and flunders work', async (t) => {
  await sample.restart();
  const { elapsedMs } = await waitForAvailable(kage, 'True', 10_000);
  t.diagnostic(`Available=True ${elapsedMs} ms after the restart`);
  assert.ok(elapsedMs <= 2 * INTERVAL_MS + SLACK_MS, `Available went True only after ${elapsedMs} ms`);

  const out = await kubectlOk(kage, ['get', 'apiservices', WARDLE_APISERVICE]);
  assert.equal(parseTable(out)[0]?.['AVAILABLE'], 'True', out);

  // The sample keeps flunders in memory, so the restarted one starts empty. kubectl's cache lost flunders during
  // the outage (api-resources rewrote it); kubectl re-reads discovery when a type is unknown.
  const name = uniqueName('after');
  await eventually(async () => {
    const r = await kage.kubectl(['create', '-f', '-', '--validate=false'], { stdin: flunderManifest('default', name) });
    return r.code === 0 || /AlreadyExists/.test(r.stderr) ? true : (() => { throw new Error(describeResult(['create', 'flunder'], r)); })();
  }, 10_000, 250, 'kubectl create flunder after the restart');
  const got = JSON.parse(await kubectlOk(kage, ['get', 'flunder', name, '-n', 'default', '-o', 'json']));
  assert.equal(got.metadata.name, name);
  const group = await aggregatedGroup(kage);
  assert.equal(group?.versions?.[0]?.freshness ?? 'Current', 'Current', JSON.stringify(group));
  assert.ok(group.versions[0].resources.some((r: any) => r.resource === 'flunders'), JSON.stringify(group));
});
