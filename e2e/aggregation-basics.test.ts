// The aggregation layer with a healthy backend: the sample extension API server registered with `kubectl apply`
// (Namespace, ExternalName Service, APIService with caBundle), then used through kage with the real kubectl:
// discovery, the flunder verbs and watch, the identity the backend sees, WebSocket upgrades, and the
// authentication/authorization APIs extension servers rely on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { describeResult, kubectlOk, parseTable, startKage, uniqueName, type KageProcess } from './harness.js';
import {
  flunderManifest, registerSample, startSample, stopSamples, waitForAvailable, WARDLE_APISERVICE, WARDLE_GV, type SampleProcess,
} from './sample-harness.js';

const INTERVAL = '1s';

let kage: KageProcess;
let sample: SampleProcess;
let registered: string;

before(async () => {
  kage = await startKage({ extraArgs: ['--availability-check-interval', INTERVAL] });
  sample = await startSample(kage, { namespace: 'wardle', serviceName: 'api' });
  registered = await registerSample(kage, sample, { namespace: 'wardle', serviceName: 'api' });
});

after(async () => {
  await stopSamples();
  await kage?.stop();
});

async function createFlunder(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: flunderManifest(ns, name, spec) });
}

test('kubectl apply registers the sample; kubectl get apiservices shows it with its Service and AVAILABLE True', async () => {
  assert.match(registered, /^namespace\/wardle created$/m);
  assert.match(registered, /^service\/api created$/m);
  assert.match(registered, /^apiservice\.apiregistration\.k8s\.io\/v1alpha1\.wardle\.example\.com created$/m);

  const { condition } = await waitForAvailable(kage, 'True', 10_000);
  assert.equal(condition.reason, 'Passed');
  assert.equal(condition.message, 'all checks passed');

  const out = await kubectlOk(kage, ['get', 'apiservices']);
  const rows = parseTable(out);
  const row = rows.find((r) => r['NAME'] === WARDLE_APISERVICE);
  assert.ok(row, `no ${WARDLE_APISERVICE} row in:\n${out}`);
  assert.equal(row['SERVICE'], 'wardle/api', out);
  assert.equal(row['AVAILABLE'], 'True', out);
  // The built-in group versions stay Local.
  assert.equal(rows.find((r) => r['NAME'] === 'v1.')?.['SERVICE'], 'Local', out);
});

test('kubectl api-resources lists flunders (wardle.example.com/v1alpha1, namespaced, Flunder)', async () => {
  await waitForAvailable(kage, 'True', 10_000);
  const out = await kubectlOk(kage, ['api-resources']);
  const row = parseTable(out).find((r) => r['NAME'] === 'flunders');
  assert.ok(row, `no flunders in kubectl api-resources:\n${out}`);
  assert.equal(row['APIVERSION'], 'wardle.example.com/v1alpha1');
  assert.equal(row['NAMESPACED'], 'true');
  assert.equal(row['KIND'], 'Flunder');
  // The built-ins are still there.
  assert.ok(parseTable(out).some((r) => r['NAME'] === 'configmaps' && r['APIVERSION'] === 'v1'), out);
});

test('kubectl create, get, get -w, patch --type=merge and delete flunders through kage', async () => {
  await waitForAvailable(kage, 'True', 10_000);
  const ns = 'default';
  const seed = uniqueName('seed');
  const moving = uniqueName('moving');
  await createFlunder(ns, seed, { reference: 'anchor' });

  const got = JSON.parse(await kubectlOk(kage, ['get', 'flunder', seed, '-n', ns, '-o', 'json']));
  assert.equal(got.kind, 'Flunder');
  assert.equal(got.apiVersion, 'wardle.example.com/v1alpha1');
  assert.equal(got.metadata.name, seed);
  assert.equal(got.spec.reference, 'anchor');
  assert.equal(got.spec.referenceType, 'Flunder', 'the backend defaulted referenceType');

  const list = await kubectlOk(kage, ['get', 'flunders', '-n', ns]);
  const listed = parseTable(list);
  assert.deepEqual(Object.keys(listed[0] ?? {}), ['NAME', 'AGE'], list);
  assert.ok(listed.some((r) => r['NAME'] === seed), list);

  const watch = kage.kubectlWatch(['get', 'flunders', '-n', ns, '-w', '--output-watch-events'], { lifetimeMs: 30_000 });
  try {
    await watch.waitForLine(new RegExp(`^ADDED\\s+${seed}\\s+\\S+$`), 10_000);
    assert.match(watch.lines[0]!, /^EVENT\s+NAME\s+AGE$/, watch.lines.join('\n'));

    await createFlunder(ns, moving);
    await watch.waitForLine(new RegExp(`^ADDED\\s+${moving}\\s+\\S+$`), 10_000);

    await kubectlOk(kage, ['patch', 'flunder', moving, '-n', ns, '--type=merge', '-p', '{"spec":{"reference":"elsewhere"}}']);
    await watch.waitForLine(new RegExp(`^MODIFIED\\s+${moving}\\s+\\S+$`), 10_000);
    const patched = await kubectlOk(kage, ['get', 'flunder', moving, '-n', ns, '-o', 'jsonpath={.spec.reference}/{.spec.referenceType}']);
    assert.equal(patched, 'elsewhere/Flunder');

    const del = await kubectlOk(kage, ['delete', 'flunder', moving, '-n', ns]);
    assert.match(del.trim(), new RegExp(`^flunder\\.wardle\\.example\\.com "${moving}" deleted$`));
    await watch.waitForLine(new RegExp(`^DELETED\\s+${moving}\\s+\\S+$`), 10_000);

    const events = watch.lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    assert.deepEqual(events, [`ADDED ${seed}`, `ADDED ${moving}`, `MODIFIED ${moving}`, `DELETED ${moving}`]);
  } finally {
    const r = await watch.stop();
    assert.ok(!r.timedOut, describeResult(['get', 'flunders', '-w'], r));
  }

  const gone = await kage.kubectl(['get', 'flunder', moving, '-n', ns]);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, new RegExp(`Error from server \\(NotFound\\): flunders\\.wardle\\.example\\.com "${moving}" not found`));
  await kubectlOk(kage, ['delete', 'flunder', seed, '-n', ns]);
});

test('the backend sees X-Remote-User admin in system:masters, the front-proxy certificate, and no Authorization', async () => {
  await waitForAvailable(kage, 'True', 10_000);
  const who = JSON.parse(await kubectlOk(kage, ['get', '--raw', `${WARDLE_GV}/whoami`]));
  assert.equal(who.user, 'admin');
  assert.ok(who.groups.includes('system:masters'), JSON.stringify(who));
  assert.ok(who.groups.includes('system:authenticated'), JSON.stringify(who));
  assert.equal(who.authorizationHeader, false, 'kage must not forward the bearer token');
  assert.deepEqual(who.impersonateHeaders, []);
  assert.equal(who.clientCertCN, 'front-proxy-client');
});

test('a WebSocket upgrade is proxied to the backend: a message comes back', async () => {
  await waitForAvailable(kage, 'True', 10_000);
  const url = `wss://127.0.0.1:${kage.port}${WARDLE_GV}/namespaces/default/flunders/x/echo`;
  const ws = new WebSocket(url, { ca: kage.ca, headers: { Authorization: `Bearer ${kage.token}` }, handshakeTimeout: 10_000 });
  try {
    await new Promise<void>((resolveOpen, reject) => {
      const timer = setTimeout(() => reject(new Error('WebSocket did not open within 10 s')), 10_000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolveOpen();
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new Error(`upgrade refused: ${res.statusCode} ${body}`)));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const echo = (data: string | Buffer): Promise<{ data: Buffer; isBinary: boolean }> => new Promise((resolveMsg, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
      ws.once('message', (d: Buffer, isBinary: boolean) => {
        clearTimeout(timer);
        resolveMsg({ data: d, isBinary });
      });
      ws.send(data);
    });
    const text = await echo('hello through kage');
    assert.equal(text.isBinary, false);
    assert.equal(text.data.toString('utf8'), 'hello through kage');
    const bin = await echo(Buffer.from([0, 1, 2, 255]));
    assert.equal(bin.isBinary, true);
    assert.deepEqual([...bin.data], [0, 1, 2, 255]);
  } finally {
    ws.terminate();
  }
});

test('kubectl auth can-i create flunders → yes', async () => {
  const r = await kage.kubectl(['auth', 'can-i', 'create', 'flunders']);
  assert.equal(r.code, 0, describeResult(['auth', 'can-i', 'create', 'flunders'], r));
  assert.equal(r.stdout.trim(), 'yes');
});

test('a TokenReview of the admin token created with kubectl is authenticated', async () => {
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: kage.token } };
  const out = JSON.parse(await kubectlOk(kage, ['create', '-f', '-', '--validate=false', '-o', 'json'], { stdin: JSON.stringify(review) }));
  assert.equal(out.kind, 'TokenReview');
  assert.equal(out.status?.authenticated, true, JSON.stringify(out));
  assert.equal(out.status.user?.username, 'admin');
  assert.ok(out.status.user?.groups?.includes('system:masters'), JSON.stringify(out.status));

  const bad = { ...review, spec: { token: 'not-a-token' } };
  const rejected = JSON.parse(await kubectlOk(kage, ['create', '-f', '-', '--validate=false', '-o', 'json'], { stdin: JSON.stringify(bad) }));
  assert.notEqual(rejected.status?.authenticated, true, JSON.stringify(rejected));
});
