// kube-system/extension-apiserver-authentication: what kage publishes there for extension API servers, and a
// sample server that finds its front-proxy settings through it (`--kubeconfig`, no
// `--requestheader-client-ca-file`), as real k8s.io/apiserver servers do, then works through kage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlOk, startKage, uniqueName, type KageProcess } from './harness.js';
import { flunderManifest, registerSample, startSample, stopSamples, waitForAvailable, WARDLE_GV } from './sample-harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage({ extraArgs: ['--availability-check-interval', '1s'] });
});

after(async () => {
  await stopSamples();
  await kage?.stop();
});

test('extension-apiserver-authentication carries kage\'s client CA and front-proxy CA', async () => {
  const cm = JSON.parse(await kubectlOk(kage, ['get', 'cm', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'json']));
  const frontProxyCa = await readFile(join(kage.dataDir, 'pki', 'front-proxy-ca.crt'), 'utf8');
  assert.equal(cm.data['requestheader-client-ca-file'], frontProxyCa);
  assert.equal(cm.data['client-ca-file'], kage.ca);
  // As kube-apiserver writes them: JSON lists.
  assert.equal(cm.data['requestheader-allowed-names'], '["front-proxy-client"]');
  assert.equal(cm.data['requestheader-username-headers'], '["X-Remote-User"]');
  assert.equal(cm.data['requestheader-group-headers'], '["X-Remote-Group"]');
  assert.equal(cm.data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
});

test('a sample started with --kubeconfig (settings from the ConfigMap) starts and works through kage', async () => {
  const sample = await startSample(kage, { viaKubeconfig: true });
  await registerSample(kage, sample);
  await waitForAvailable(kage, 'True', 10_000);

  const who = JSON.parse(await kubectlOk(kage, ['get', '--raw', `${WARDLE_GV}/whoami`]));
  assert.equal(who.user, 'admin');
  assert.ok(who.groups.includes('system:masters'), JSON.stringify(who));
  assert.equal(who.clientCertCN, 'front-proxy-client');

  const name = uniqueName('kc');
  await kubectlOk(kage, ['create', '-f', '-', '--validate=false'], { stdin: flunderManifest('default', name, { reference: 'x' }) });
  const got = await kubectlOk(kage, ['get', 'flunder', name, '-n', 'default', '-o', 'jsonpath={.metadata.name} {.spec.reference}']);
  assert.equal(got, `${name} x`);
  await kubectlOk(kage, ['delete', 'flunder', name, '-n', 'default']);
});
