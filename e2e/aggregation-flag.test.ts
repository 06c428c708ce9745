// Registration from the command line: `--api-service wardle.example.com/v1alpha1=https://127.0.0.1:<port>`.
// kage creates the Service and APIService at start, the APIService becomes Available once the backend listens,
// and flunders work through kage; a restart of kage with the backend already running brings it straight back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, kubectlOk, makeTempDir, parseTable, removeDir, startKage, uniqueName, type KageProcess } from './harness.js';
import {
  flunderManifest, freePort, startSample, stopSamples, waitForAvailable, WARDLE_APISERVICE, WARDLE_GV,
} from './sample-harness.js';

let root: string;
let dataDir: string;
let port: number;
let kage: KageProcess | undefined;

function kageArgs(): string[] {
  return ['--availability-check-interval', '1s', '--api-service', `wardle.example.com/v1alpha1=https://127.0.0.1:${port}`];
}

before(async () => {
  root = await makeTempDir('kage-flag-');
  dataDir = join(root, 'data');
  // A port that is free now; the sample will listen on it after kage started (it needs kage's front-proxy CA).
  port = await freePort();
  kage = await startKage({ dataDir, extraArgs: kageArgs() });
});

after(async () => {
  await stopSamples();
  await kage?.stop();
  await removeDir(root);
});

async function flundersWork(k: KageProcess): Promise<void> {
  const name = uniqueName('flag');
  // kubectl may have to re-read discovery once the group is served.
  await eventually(async () => (await k.kubectl(['create', '-f', '-', '--validate=false'], { stdin: flunderManifest('default', name) })).code === 0,
    10_000, 250, 'kubectl create flunder');
  const got = JSON.parse(await kubectlOk(k, ['get', 'flunder', name, '-n', 'default', '-o', 'json']));
  assert.equal(got.kind, 'Flunder');
  assert.equal(got.metadata.name, name);
  const list = await kubectlOk(k, ['get', 'flunders', '-n', 'default', '-o', 'name']);
  assert.match(list, new RegExp(`^flunder\\.wardle\\.example\\.com/${name}$`, 'm'));
  await kubectlOk(k, ['delete', 'flunder', name, '-n', 'default']);
}

test('the APIService and its Service exist as soon as kage started', async () => {
  const k = kage!;
  const apiService = JSON.parse(await kubectlOk(k, ['get', 'apiservice', WARDLE_APISERVICE, '-o', 'json']));
  assert.equal(apiService.spec.group, 'wardle.example.com');
  assert.equal(apiService.spec.version, 'v1alpha1');
  assert.equal(apiService.spec.service.port, port);
  const { namespace, name } = apiService.spec.service as { namespace: string; name: string };
  const svc = JSON.parse(await kubectlOk(k, ['get', 'service', name, '-n', namespace, '-o', 'json']));
  assert.equal(svc.spec.type, 'ExternalName');
  assert.equal(svc.spec.externalName, '127.0.0.1');
  assert.ok((svc.spec.ports as any[]).some((p) => p.port === port), JSON.stringify(svc.spec));

  const out = await kubectlOk(k, ['get', 'apiservices']);
  const row = parseTable(out).find((r) => r['NAME'] === WARDLE_APISERVICE);
  assert.ok(row, out);
  assert.equal(row['SERVICE'], `${namespace}/${name}`);
  // Nothing listens on the port yet.
  assert.notEqual(row['AVAILABLE'], 'True', out);
});

test('once the backend listens the APIService becomes True and flunders work', async (t) => {
  const k = kage!;
  const sample = await startSample(k, { port });
  assert.equal(sample.port, port);
  const { elapsedMs } = await waitForAvailable(k, 'True', 10_000);
  t.diagnostic(`Available=True ${elapsedMs} ms after the backend started`);
  const out = await kubectlOk(k, ['get', 'apiservices', WARDLE_APISERVICE]);
  assert.equal(parseTable(out)[0]?.['AVAILABLE'], 'True', out);
  await flundersWork(k);
  const who = JSON.parse(await kubectlOk(k, ['get', '--raw', `${WARDLE_GV}/whoami`]));
  assert.equal(who.user, 'admin');
  assert.equal(who.authorizationHeader, false);
});

test('kage restarted with the flag and the backend already running: True again, flunders work', async (t) => {
  await kage!.stop();
  kage = await startKage({ dataDir, extraArgs: kageArgs() });
  const { elapsedMs } = await waitForAvailable(kage, 'True', 10_000);
  t.diagnostic(`Available=True ${elapsedMs} ms after kage's restart`);
  const list = JSON.parse(await kubectlOk(kage, ['get', 'apiservices', '-o', 'json']));
  assert.equal((list.items as any[]).filter((a) => a.metadata.name === WARDLE_APISERVICE).length, 1);
  await flundersWork(kage);
});
