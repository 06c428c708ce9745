// Server-side apply with the real kubectl (default validation), and managedFields on objects written by any verb,
// as a real kube-apiserver 1.32 does them:
//   - `kubectl apply --server-side` prints "<kind>/<name> serverside-applied"; a second manager setting a field
//     the first one owns with a different value fails with "Apply failed with 1 conflict: conflict with "<first>":
//     .data.key" (exit 1, nothing changed); `--force-conflicts` takes the field over.
//   - create/update/patch record an `Update` entry for their field manager (kubectl-create, kubectl-replace,
//     kubectl-patch) owning the fields that request set (FieldsV1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeResult, kubectlOk, startKage, uniqueName, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, any>;
  subresource?: string;
}
interface ConfigMap {
  metadata: { name: string; resourceVersion: string; managedFields?: ManagedFieldsEntry[] };
  data?: Record<string, string>;
}

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n` });
  return ns;
}

async function getCm(ns: string, name: string): Promise<ConfigMap> {
  return JSON.parse(await kubectlOk(kage, ['get', 'cm', name, '-n', ns, '-o', 'json', '--show-managed-fields'])) as ConfigMap;
}

const cmYaml = (ns: string, name: string, data: Record<string, string>): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n`;

function entry(cm: ConfigMap, manager: string): ManagedFieldsEntry | undefined {
  return cm.metadata.managedFields?.find((m) => m.manager === manager);
}

/** The data keys a managedFields entry owns (f:data → f:<key>). */
function ownedDataKeys(e: ManagedFieldsEntry | undefined): string[] {
  const data = (e?.fieldsV1?.['f:data'] ?? {}) as Record<string, unknown>;
  return Object.keys(data).filter((k) => k.startsWith('f:')).map((k) => k.slice(2)).sort();
}

test('kubectl apply --server-side: a conflict between two field managers, then --force-conflicts', async () => {
  const ns = await newNamespace('ssa');
  const alice = ['apply', '--server-side', '--field-manager=alice', '-f', '-'];
  const out = await kubectlOk(kage, alice, { stdin: cmYaml(ns, 'shared', { key: 'one', other: 'x' }) });
  assert.equal(out.trim(), 'configmap/shared serverside-applied');
  const applied = await getCm(ns, 'shared');
  assert.deepEqual(applied.data, { key: 'one', other: 'x' });
  assert.equal(entry(applied, 'alice')?.operation, 'Apply');
  assert.deepEqual(ownedDataKeys(entry(applied, 'alice')), ['key', 'other']);

  // bob sets the field alice owns to another value: a conflict naming alice and the field; nothing changes.
  const bob = ['apply', '--server-side', '--field-manager=bob', '-f', '-'];
  const conflict = await kage.kubectl(bob, { stdin: cmYaml(ns, 'shared', { key: 'two' }) });
  assert.notEqual(conflict.code, 0, describeResult(bob, conflict));
  assert.match(conflict.stderr, /conflict/i, describeResult(bob, conflict));
  assert.match(conflict.stderr, /"alice"/, describeResult(bob, conflict));
  assert.match(conflict.stderr, /\.data\.key/, describeResult(bob, conflict));
  const unchanged = await getCm(ns, 'shared');
  assert.equal(unchanged.metadata.resourceVersion, applied.metadata.resourceVersion);
  assert.deepEqual(unchanged.data, { key: 'one', other: 'x' });

  // --force-conflicts: bob takes the field; alice keeps what bob did not touch.
  const forced = await kubectlOk(kage, [...bob.slice(0, -2), '--force-conflicts', '-f', '-'], { stdin: cmYaml(ns, 'shared', { key: 'two' }) });
  assert.equal(forced.trim(), 'configmap/shared serverside-applied');
  const after = await getCm(ns, 'shared');
  assert.deepEqual(after.data, { key: 'two', other: 'x' });
  assert.equal(entry(after, 'bob')?.operation, 'Apply');
  assert.deepEqual(ownedDataKeys(entry(after, 'bob')), ['key']);
  assert.deepEqual(ownedDataKeys(entry(after, 'alice')), ['other']);
});

test('kubectl apply --server-side removes a field its manager no longer applies and nobody else owns', async () => {
  const ns = await newNamespace('ssaprune');
  const alice = ['apply', '--server-side', '--field-manager=alice', '-f', '-'];
  await kubectlOk(kage, alice, { stdin: cmYaml(ns, 'prune', { keep: '1', drop: '2' }) });
  await kubectlOk(kage, alice, { stdin: cmYaml(ns, 'prune', { keep: '1' }) });
  const cm = await getCm(ns, 'prune');
  assert.deepEqual(cm.data, { keep: '1' });
  assert.deepEqual(ownedDataKeys(entry(cm, 'alice')), ['keep']);
});

test('managedFields on objects written by create, update and patch (kubectl get -o yaml --show-managed-fields)', async () => {
  const ns = await newNamespace('managed');
  await kubectlOk(kage, ['create', '-f', '-'], { stdin: cmYaml(ns, 'tracked', { color: 'blue' }) });
  await kubectlOk(kage, ['replace', '-f', '-'], { stdin: cmYaml(ns, 'tracked', { color: 'blue', size: '3' }) });
  await kubectlOk(kage, ['patch', 'cm', 'tracked', '-n', ns, '--type=merge', '-p', '{"data":{"shape":"round"}}']);

  const yaml = await kubectlOk(kage, ['get', 'cm', 'tracked', '-n', ns, '-o', 'yaml', '--show-managed-fields']);
  assert.match(yaml, /^ {2}managedFields:$/m, yaml);
  const cm = await getCm(ns, 'tracked');
  for (const [manager, key] of [['kubectl-create', 'color'], ['kubectl-replace', 'size'], ['kubectl-patch', 'shape']] as const) {
    const e = entry(cm, manager);
    assert.ok(e, `no managedFields entry for ${manager}: ${JSON.stringify(cm.metadata.managedFields)}`);
    assert.equal(e.operation, 'Update');
    assert.equal(e.apiVersion, 'v1');
    assert.equal(e.fieldsType, 'FieldsV1');
    assert.match(e.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(ownedDataKeys(e), [key], `${manager}: ${JSON.stringify(e)}`);
  }
  // Without --show-managed-fields kubectl leaves them out, as against a real cluster.
  const plain = await kubectlOk(kage, ['get', 'cm', 'tracked', '-n', ns, '-o', 'yaml']);
  assert.doesNotMatch(plain, /managedFields/);
});
