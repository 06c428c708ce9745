// The availability controller against real kage and real backends, with a short interval.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  availableCondition, createServingCert, createTestCa, isProbe, kageJson, registerBackend, startBackend, startTestKage, waitFor,
  waitForCondition, type CertAndKey, type TestBackend, type TestKage,
} from './aggregator-testkit.test.js';

const INTERVAL_MS = 300;
const DISCOVERY_TIMEOUT_MS = 2000;

let k: TestKage;
let serving: CertAndKey;
const backends: TestBackend[] = [];

before(async () => {
  k = await startTestKage({ availabilityCheckIntervalMs: INTERVAL_MS, discoveryTimeoutMs: DISCOVERY_TIMEOUT_MS });
  serving = await createServingCert(await createTestCa('availability-ca'), 'backend', ['localhost', '127.0.0.1']);
});

after(async () => {
  for (const b of backends) await b.close();
  await k?.close();
});

async function backend(port?: number, handler?: Parameters<typeof startBackend>[0]['handler']): Promise<TestBackend> {
  const b = await startBackend({ serving, frontProxyCaPem: k.frontProxyCaPem, ...(port ? { port } : {}), ...(handler ? { handler } : {}) });
  backends.push(b);
  return b;
}

test('Passed with a live backend, FailedDiscoveryCheck within two intervals after it stops, Passed again after a restart', { timeout: 30_000 }, async () => {
  const b = await backend();
  const name = await registerBackend(k, { group: 'live.example.com', version: 'v1', port: b.port });
  const up = await waitForCondition(k, name, 'True', 'Passed');
  assert.equal(up.message, 'all checks passed');
  const probe = b.seen.find((s) => isProbe({ headers: s.headers } as never))!;
  assert.ok(probe, 'the backend was probed');
  assert.equal(probe.url, '/apis/live.example.com/v1');
  assert.equal(probe.authorized, true, 'the probe presents the front-proxy client certificate');
  const groups = probe.rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'x-remote-group');
  assert.deepEqual(groups, ['system:masters']);

  // Checks that change nothing write nothing: the resourceVersion and lastTransitionTime stay.
  await new Promise((r) => setTimeout(r, INTERVAL_MS * 3));
  const still = await availableCondition(k, name);
  assert.equal(still?.resourceVersion, up.resourceVersion);
  assert.equal(still?.lastTransitionTime, up.lastTransitionTime);

  await b.close();
  const stoppedAt = Date.now();
  const down = await waitForCondition(k, name, 'False', 'FailedDiscoveryCheck', 2 * INTERVAL_MS + DISCOVERY_TIMEOUT_MS + 1000);
  assert.ok(Date.now() - stoppedAt <= 2 * INTERVAL_MS + 1500, `took ${Date.now() - stoppedAt} ms`);
  const url = `https://localhost:${b.port}/apis/live.example.com/v1`;
  assert.equal(down.message, `failing or missing response from ${url}: Get "${url}": dial tcp 127.0.0.1:${b.port}: connect: connection refused`);

  // Restart on the same port.
  const again = await backend(b.port);
  assert.equal(again.port, b.port);
  const back = await waitForCondition(k, name, 'True', 'Passed', 2 * INTERVAL_MS + 2000);
  assert.notEqual(back.lastTransitionTime, '');
});

test('non-2xx discovery answers fail the check with "bad status"', { timeout: 30_000 }, async () => {
  const b = await backend(undefined, (req, res) => {
    if (!isProbe(req)) return false;
    res.writeHead(500);
    res.end();
    return true;
  });
  const name = await registerBackend(k, { group: 'sick.example.com', version: 'v1', port: b.port });
  const c = await waitForCondition(k, name, 'False', 'FailedDiscoveryCheck');
  const url = `https://localhost:${b.port}/apis/sick.example.com/v1`;
  assert.equal(c.message, `failing or missing response from ${url}: bad status from ${url}: 500`);
});

test('a probe that gets no answer fails within the discovery timeout', { timeout: 30_000 }, async () => {
  const b = await backend(undefined, () => true);
  const name = await registerBackend(k, { group: 'mute.example.com', version: 'v1', port: b.port });
  const c = await waitForCondition(k, name, 'False', 'FailedDiscoveryCheck', DISCOVERY_TIMEOUT_MS + 3000);
  const url = `https://localhost:${b.port}/apis/mute.example.com/v1`;
  assert.equal(c.message, `failing or missing response from ${url}: Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
});

test('service, port and endpoint problems get the real reasons and messages, and recover on change', { timeout: 30_000 }, async () => {
  const b = await backend();
  const apiService = (name: string, group: string, svc: string, port = 443): unknown => ({
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
    spec: { group, version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'default', name: svc, port } },
  });

  await kageJson(k, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', apiService('v1.nosvc.example.com', 'nosvc.example.com', 'api-x'));
  const notFound = await waitForCondition(k, 'v1.nosvc.example.com', 'False', 'ServiceNotFound');
  assert.equal(notFound.message, 'service/api-x in "default" is not present');

  // The service appears, on another port.
  await kageJson(k, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api-x' }, spec: { ports: [{ name: 'web', port: 8080 }] } });
  const portError = await waitForCondition(k, 'v1.nosvc.example.com', 'False', 'ServicePortError');
  assert.equal(portError.message, 'service/api-x in "default" is not listening on port 443');

  // Now on the right port, without endpoints.
  const svc = await kageJson(k, 'GET', '/api/v1/namespaces/default/services/api-x');
  (svc['spec'] as { ports: unknown[] }).ports = [{ name: 'https', port: 443, targetPort: b.port, protocol: 'TCP' }];
  await kageJson(k, 'PUT', '/api/v1/namespaces/default/services/api-x', svc);
  const noEndpoints = await waitForCondition(k, 'v1.nosvc.example.com', 'False', 'EndpointsNotFound');
  assert.equal(noEndpoints.message, 'cannot find endpoints for service/api-x in "default"');

  // Endpoints exist, but not on the port's name.
  await kageJson(k, 'POST', '/api/v1/namespaces/default/endpoints', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api-x' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'metrics', port: b.port }] }],
  });
  const missing = await waitForCondition(k, 'v1.nosvc.example.com', 'False', 'MissingEndpoints');
  assert.equal(missing.message, 'endpoints for service/api-x in "default" have no addresses with port name "https"');

  // Fixed: the endpoints name the port; the loopback address is reachable.
  const eps = await kageJson(k, 'GET', '/api/v1/namespaces/default/endpoints/api-x');
  eps['subsets'] = [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: b.port }] }];
  await kageJson(k, 'PUT', '/api/v1/namespaces/default/endpoints/api-x', eps);
  const ok = await waitForCondition(k, 'v1.nosvc.example.com', 'True', 'Passed');
  assert.equal(ok.message, 'all checks passed');
  // The transition time moved with the status.
  assert.ok(ok.lastTransitionTime >= missing.lastTransitionTime);
});

test('a status written by someone else is corrected', { timeout: 30_000 }, async () => {
  await kageJson(k, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.overwritten.example.com' },
    spec: { group: 'overwritten.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'default', name: 'absent', port: 443 } },
  });
  const first = await waitForCondition(k, 'v1.overwritten.example.com', 'False', 'ServiceNotFound');
  const obj = await kageJson(k, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.overwritten.example.com');
  obj['status'] = { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z', reason: 'Lies', message: 'trust me' }] };
  await kageJson(k, 'PUT', '/apis/apiregistration.k8s.io/v1/apiservices/v1.overwritten.example.com/status', obj);
  const fixed = await waitForCondition(k, 'v1.overwritten.example.com', 'False', 'ServiceNotFound', INTERVAL_MS + 2000);
  assert.equal(fixed.message, first.message);
  assert.notEqual(fixed.lastTransitionTime, '2020-01-01T00:00:00Z');
});

test('Local APIServices stay True/Local', { timeout: 10_000 }, async () => {
  await new Promise((r) => setTimeout(r, INTERVAL_MS * 2));
  for (const name of ['v1.', 'v1.apps']) {
    const c = await waitFor(`${name} condition`, () => availableCondition(k, name));
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'Local');
    assert.equal(c.message, 'Local APIServices are always available');
  }
});
