// kube-system/extension-apiserver-authentication: written at start from the PKI, restored at the next start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionAuthenticationData } from './extension-authentication.js';
import { startTestKage, type TestKage } from './harness.test.js';

const PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

test('the data: CA bundles as PEM, header settings as JSON arrays, keys sorted', () => {
  const data = extensionAuthenticationData({ caCertPem: 'CA', frontProxyCaCertPem: 'FP' });
  assert.deepEqual(data, {
    'client-ca-file': 'CA',
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-client-ca-file': 'FP',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-username-headers': '["X-Remote-User"]',
  });
  assert.deepEqual(Object.keys(data), [...Object.keys(data)].sort());
});

let k: TestKage;
before(async () => {
  k = await startTestKage();
});
after(async () => {
  await k?.close();
});

test('kage writes the ConfigMap at start from its PKI files', async () => {
  const r = await k.request('GET', PATH);
  assert.equal(r.status, 200, r.body);
  const cm = r.json();
  assert.equal(cm.metadata.namespace, 'kube-system');
  const data = cm.data as Record<string, string>;
  assert.equal(data['client-ca-file'], await readFile(join(k.dataDir, 'pki', 'ca.crt'), 'utf8'));
  assert.equal(data['requestheader-client-ca-file'], await readFile(join(k.dataDir, 'pki', 'front-proxy-ca.crt'), 'utf8'));
  assert.notEqual(data['client-ca-file'], data['requestheader-client-ca-file']);
  assert.deepEqual(JSON.parse(data['requestheader-username-headers']!), ['X-Remote-User']);
  assert.deepEqual(JSON.parse(data['requestheader-group-headers']!), ['X-Remote-Group']);
  assert.deepEqual(JSON.parse(data['requestheader-extra-headers-prefix']!), ['X-Remote-Extra-']);
  assert.deepEqual(JSON.parse(data['requestheader-allowed-names']!), ['front-proxy-client']);
  assert.deepEqual(Object.keys(data).sort(), [
    'client-ca-file',
    'requestheader-allowed-names',
    'requestheader-client-ca-file',
    'requestheader-extra-headers-prefix',
    'requestheader-group-headers',
    'requestheader-username-headers',
  ]);
  // The allowed name is the front-proxy client certificate's common name.
  const { X509Certificate } = await import('node:crypto');
  const client = new X509Certificate(await readFile(join(k.dataDir, 'pki', 'front-proxy-client.crt')));
  assert.match(client.subject, /CN=front-proxy-client/);
});

test('the next start puts back what was changed, and leaves an unchanged ConfigMap alone', async () => {
  const before_ = (await k.request('GET', PATH)).json();
  const patched = await k.request('PATCH', PATH, {
    body: { data: { 'requestheader-allowed-names': '["someone-else"]' } },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(patched.status, 200, patched.body);
  await k.restart();
  const restored = (await k.request('GET', PATH)).json();
  assert.equal(restored.data['requestheader-allowed-names'], '["front-proxy-client"]');
  assert.equal(restored.metadata.uid, before_.metadata.uid, 'updated in place, not recreated');
  await k.restart();
  const again = (await k.request('GET', PATH)).json();
  assert.equal(again.metadata.resourceVersion, restored.metadata.resourceVersion, 'no write when nothing changed');
});

test('a deleted ConfigMap is created again at the next start', async () => {
  const del = await k.request('DELETE', PATH);
  assert.equal(del.status, 200, del.body);
  assert.equal((await k.request('GET', PATH)).status, 404);
  await k.restart();
  const r = await k.request('GET', PATH);
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json().data['requestheader-username-headers'], '["X-Remote-User"]');
});
