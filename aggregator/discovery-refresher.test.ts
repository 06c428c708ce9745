import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError, type BackendFetcher } from './backend.js';
import { BackendRefresher, boundedGet } from './discovery-refresher.js';
import { DiscoveryManager } from './discovery-manager.js';
import { MemoryAPIServices } from './discovery-testkit.test.js';
import type { APIServiceInfo } from './apiservice-registry.js';

const someAPIService = { name: 'v1.x.example.com', group: 'x.example.com', version: 'v1' } as APIServiceInfo;

test('boundedGet: a fetcher that never settles is given up on shortly after the timeout', { timeout: 5000 }, async () => {
  const never: BackendFetcher = { get: () => new Promise(() => undefined) };
  const started = Date.now();
  await assert.rejects(boundedGet(never, someAPIService, '/apis', { timeoutMs: 100 }), (err: unknown) => err instanceof BackendError && err.reason === 'FailedDiscoveryCheck');
  const took = Date.now() - started;
  assert.ok(took >= 100 && took < 1000, `${took}ms`);

  const throwing: BackendFetcher = { get: () => { throw new Error('boom'); } };
  await assert.rejects(boundedGet(throwing, someAPIService, '/apis', { timeoutMs: 100 }), /boom/);
  const ok: BackendFetcher = { get: async () => ({ status: 200, headers: {}, body: Buffer.from('{}') }) };
  assert.equal((await boundedGet(ok, someAPIService, '/apis', { timeoutMs: 100 })).status, 200);
});

test('a manager over a fetcher that never settles still turns Stale, and groups() answers meanwhile', { timeout: 5000 }, async (t) => {
  const reg = new MemoryAPIServices();
  reg.add({ group: 'x.example.com', version: 'v1', port: 1 });
  const m = new DiscoveryManager({ registry: reg, fetcher: { get: () => new Promise(() => undefined) }, discoveryTimeoutMs: 100 }).start();
  t.after(() => m.stop());
  assert.equal(m.groups()[0]!.versions[0]!.freshness, 'Stale');
  const started = Date.now();
  await m.settled();
  assert.ok(Date.now() - started < 1000);
  assert.match(m.status()[0]!.lastError ?? '', /no answer within 100ms/);
});

test('the refresher coalesces triggers, runs again when triggered while running, forgets removed keys', { timeout: 5000 }, async () => {
  const runs: string[] = [];
  let release: (() => void) | undefined;
  const r = new BackendRefresher({
    refresh: async (key) => {
      runs.push(key);
      if (key === 'slow') await new Promise<void>((resolve) => (release = resolve));
      if (key === 'bad') throw new Error('refresh failed');
      return key !== 'failing';
    },
    intervalMs: 60_000,
    retryMinMs: 20,
    retryMaxMs: 40,
    maxConcurrent: 2,
  });
  r.trigger('slow');
  r.trigger('slow');
  r.trigger('slow'); // while running: one more run after this one
  await new Promise((res) => setTimeout(res, 10));
  assert.deepEqual(runs, ['slow']);
  release!();
  await new Promise((res) => setTimeout(res, 10));
  assert.deepEqual(runs, ['slow', 'slow']);
  release!();
  await r.idle();

  // Failures are retried with backoff (20, 40, 40ms...); a throwing refresh counts as one.
  r.trigger('failing');
  r.trigger('bad');
  await new Promise((res) => setTimeout(res, 150));
  assert.ok(runs.filter((k) => k === 'failing').length >= 3);
  assert.ok(runs.filter((k) => k === 'bad').length >= 3);
  assert.ok(r.failures('failing') >= 3);
  r.remove('failing');
  r.remove('bad');
  const n = runs.length;
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(runs.length, n, 'removed keys are not run again');
  assert.deepEqual(r.keys(), ['slow']);
  r.stop();
  r.trigger('slow');
  await r.idle();
  assert.equal(runs.length, n);
});

test('the refresher runs at most maxConcurrent refreshes at once', { timeout: 5000 }, async () => {
  let running = 0;
  let peak = 0;
  const r = new BackendRefresher({
    refresh: async () => {
      peak = Math.max(peak, ++running);
      await new Promise((res) => setTimeout(res, 20));
      running--;
      return true;
    },
    intervalMs: 60_000, retryMinMs: 10, retryMaxMs: 10, maxConcurrent: 3,
  });
  for (let i = 0; i < 10; i++) r.trigger(`k${i}`);
  await r.idle();
  assert.equal(peak, 3);
  r.stop();
});
