// --api-service registration: kage creates the Service and APIService at start, proxies to the URL, and removes
// them when started again without the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagServiceName, flagTarget } from './register-flags.js';
import {
  createServingCert, createTestCa, kageJson, kageRequest, startBackend, startTestKage, waitForCondition,
} from './aggregator-testkit.test.js';

test('service names derive from the group version and fit in 63 characters; URLs give host and port', () => {
  assert.equal(flagServiceName('metrics.k8s.io', 'v1beta1'), 'kage-v1beta1-metrics-k8s-io');
  const long = flagServiceName(`${'a'.repeat(70)}.example.com`, 'v1');
  assert.ok(long.length <= 63 && !long.endsWith('-'), long);
  assert.deepEqual(flagTarget('https://127.0.0.1:8443'), { host: '127.0.0.1', port: 8443 });
  assert.deepEqual(flagTarget('https://[::1]:9443'), { host: '::1', port: 9443 });
  assert.deepEqual(flagTarget('https://api.example.com'), { host: 'api.example.com', port: 443 });
});

test('--api-service creates an ExternalName Service and an APIService that proxies; a restart without it removes them', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kage-flags-'));
  // The backend must trust kage's front-proxy CA, which kage creates on its first start: start kage once first.
  const first = await startTestKage({}, dataDir);
  const frontProxyCaPem = first.frontProxyCaPem;
  await first.close();
  const backend = await startBackend({ serving: await createServingCert(await createTestCa('flag-ca'), 'b', ['127.0.0.1']), frontProxyCaPem });
  try {
    const k = await startTestKage({
      availabilityCheckIntervalMs: 300,
      apiServices: [{ group: 'flags.example.com', version: 'v1alpha1', url: `https://127.0.0.1:${backend.port}` }],
    }, dataDir);
    try {
      const svc = await kageJson(k, 'GET', '/api/v1/namespaces/kube-system/services/kage-v1alpha1-flags-example-com');
      assert.equal((svc['metadata'] as { labels: Record<string, string> }).labels['kage.io/registered-by'], 'flag');
      const spec = svc['spec'] as { type: string; externalName: string; ports: Array<{ port: number }> };
      assert.equal(spec.type, 'ExternalName');
      assert.equal(spec.externalName, '127.0.0.1');
      assert.equal(spec.ports[0]!.port, backend.port);

      const api = await kageJson(k, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.flags.example.com');
      assert.equal((api['metadata'] as { labels: Record<string, string> }).labels['kage.io/registered-by'], 'flag');
      assert.deepEqual(api['spec'], {
        service: { namespace: 'kube-system', name: 'kage-v1alpha1-flags-example-com', port: backend.port },
        group: 'flags.example.com', version: 'v1alpha1', insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15,
      });
      await waitForCondition(k, 'v1alpha1.flags.example.com', 'True', 'Passed');
      const got = await kageRequest(k, 'GET', '/apis/flags.example.com/v1alpha1');
      assert.equal(got.status, 200);
      assert.equal((JSON.parse(got.body) as { groupVersion: string }).groupVersion, 'flags.example.com/v1alpha1');
    } finally {
      await k.close();
    }

    // Same flag again: nothing is rewritten.
    const again = await startTestKage({ apiServices: [{ group: 'flags.example.com', version: 'v1alpha1', url: `https://127.0.0.1:${backend.port}` }] }, dataDir);
    try {
      const api = await kageJson(again, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.flags.example.com');
      assert.equal((api['spec'] as { service: { port: number } }).service.port, backend.port);
    } finally {
      await again.close();
    }

    const without = await startTestKage({}, dataDir);
    try {
      assert.equal((await kageRequest(without, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.flags.example.com')).status, 404);
      assert.equal((await kageRequest(without, 'GET', '/api/v1/namespaces/kube-system/services/kage-v1alpha1-flags-example-com')).status, 404);
    } finally {
      await without.close();
    }
  } finally {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('--api-service for a group version kage serves itself is refused', { timeout: 30_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kage-flags-'));
  try {
    await assert.rejects(startTestKage({ apiServices: [{ group: 'apps', version: 'v1', url: 'https://127.0.0.1:1' }] }, dataDir), /served by kage itself/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
