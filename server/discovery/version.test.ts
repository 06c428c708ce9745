import { test } from 'node:test';
import assert from 'node:assert/strict';
import { versionInfo } from './version.js';
import { needsReference, referenceJson } from './fixtures.test.js';

// semver 2.0.0, with the leading "v" Kubernetes puts in front.
const SEMVER =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

test('same fields, in the same order, as a real /version', needsReference, () => {
  const real = referenceJson<Record<string, string>>('version.json');
  const ours = versionInfo('0.1.0');
  assert.deepEqual(Object.keys(ours), Object.keys(real));
  for (const [k, v] of Object.entries(ours)) assert.equal(typeof v, 'string', k);
  assert.equal(ours.major, real['major']);
  assert.equal(ours.minor, real['minor']);
});

test('gitVersion is Kubernetes 1.32 with kage in the build metadata', () => {
  const v = versionInfo('0.1.0');
  assert.equal(v.gitVersion, 'v1.32.0+kage.0.1.0');
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  for (const kage of ['0.1.0', '0.1.0-beta.1', 'v2.0.0+build.5', 'weird version!', '', '1.0.0-rc.1+sha.abc']) {
    assert.match(versionInfo(kage).gitVersion, SEMVER, kage);
    assert.ok(versionInfo(kage).gitVersion.startsWith('v1.32.0+kage'), kage);
  }
});

test('build details: given ones are used; the runtime is described Go-style', () => {
  const v = versionInfo('0.1.0', { gitCommit: 'abc123', gitTreeState: 'clean', buildDate: '2026-01-02T03:04:05Z' });
  assert.equal(v.gitCommit, 'abc123');
  assert.equal(v.gitTreeState, 'clean');
  assert.equal(v.buildDate, '2026-01-02T03:04:05Z');
  assert.equal(v.goVersion, `node${process.versions.node}`);
  assert.equal(v.compiler, 'v8');
  assert.match(v.platform, /^[a-z0-9]+\/[a-z0-9]+$/);
  if (process.arch === 'x64') assert.equal(v.platform, `${process.platform}/amd64`);
  assert.match(versionInfo('0.1.0').buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
