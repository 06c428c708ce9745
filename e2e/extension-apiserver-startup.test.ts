// What an extension API server built on k8s.io/apiserver 1.32 (sample-apiserver with the default
// RecommendedOptions and --kubeconfig, --authentication-kubeconfig, --authorization-kubeconfig pointing at kage)
// asks of the main API server while it starts, becomes ready and serves, sent here exactly as its client-go does:
//   - the typed clients of built-in kinds prefer protobuf (Accept "application/vnd.kubernetes.protobuf,
//     application/json") and decode whatever media type the answer names;
//   - every informer (reflector) lists with limit=500&resourceVersion=0, then watches with
//     allowWatchBookmarks=true, the list's resourceVersion and a timeoutSeconds; the three informers of
//     kube-system/extension-apiserver-authentication select it with fieldSelector=metadata.name=…;
//   - TokenReviews and SubjectAccessReviews are posted as JSON by the webhook authenticator and authorizer;
//   - the API Priority and Fairness config consumer applies FlowSchemas' Dangling condition to their status.
// /readyz of such a server waits for the shared informers (namespaces, webhook configurations, validating
// admission policies and bindings, flowschemas, prioritylevelconfigurations) to sync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKage, uniqueName, type HttpStream, type KageProcess } from './harness.js';

let kage: KageProcess;

before(async () => {
  kage = await startKage();
});

after(async () => {
  await kage?.stop();
});

const TYPED_ACCEPT = 'application/vnd.kubernetes.protobuf,application/json';
const USER_AGENT = 'sample-apiserver/v0.0.0 (linux/amd64) kubernetes/$Format';
const JSON_CLIENT = { Accept: 'application/json, */*', 'User-Agent': USER_AGENT };
const AUTH_CM = 'extension-apiserver-authentication';
const AUTH_CM_SELECTOR = `fieldSelector=${encodeURIComponent(`metadata.name=${AUTH_CM}`)}`;
const CONSUMER = 'api-priority-and-fairness-config-consumer-v1';

interface Informer {
  /** The collection path; the informer's own query comes after it. */
  path: string;
  listKind: string;
  kind: string;
  apiVersion: string;
  selector?: string;
}

function informer(group: string, plural: string, kind: string): Informer {
  return { path: `/apis/${group}/v1/${plural}`, listKind: `${kind}List`, kind, apiVersion: `${group}/v1` };
}

const INFORMERS: Informer[] = [
  { path: '/api/v1/namespaces/kube-system/configmaps', listKind: 'ConfigMapList', kind: 'ConfigMap', apiVersion: 'v1', selector: AUTH_CM_SELECTOR },
  { path: '/api/v1/namespaces', listKind: 'NamespaceList', kind: 'Namespace', apiVersion: 'v1' },
  informer('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'),
  informer('admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'),
  informer('admissionregistration.k8s.io', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy'),
  informer('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding'),
  informer('flowcontrol.apiserver.k8s.io', 'flowschemas', 'FlowSchema'),
  informer('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', 'PriorityLevelConfiguration'),
];

interface WatchEvent {
  type: string;
  object: { kind?: string; apiVersion?: string; metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

function query(...parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined).join('&');
}

async function list(inf: Informer): Promise<{ resourceVersion: string; items: Array<{ metadata: { name: string } }> }> {
  const res = await kage.request('GET', `${inf.path}?${query(inf.selector, 'limit=500', 'resourceVersion=0')}`, {
    headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT },
  });
  assert.equal(res.status, 200, `${inf.path}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, inf.path);
  const body = res.json();
  assert.equal(body.kind, inf.listKind);
  assert.equal(body.apiVersion, inf.apiVersion);
  assert.match(body.metadata.resourceVersion, /^[1-9][0-9]*$/, `${inf.path}: list resourceVersion`);
  return { resourceVersion: body.metadata.resourceVersion, items: body.items };
}

function watch(inf: Informer, resourceVersion: string, timeoutSeconds: number): Promise<HttpStream> {
  return kage.stream('GET', `${inf.path}?${query('allowWatchBookmarks=true', inf.selector, `resourceVersion=${resourceVersion}`, `timeoutSeconds=${timeoutSeconds}`, 'watch=true')}`, {
    headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT },
  });
}

function events(stream: HttpStream): WatchEvent[] {
  return stream.lines.filter(Boolean).map((l) => JSON.parse(l) as WatchEvent);
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('the authentication ConfigMap is read once (GET) before the informers start', async () => {
  const res = await kage.request('GET', `/api/v1/namespaces/kube-system/configmaps/${AUTH_CM}`, { headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT } });
  assert.equal(res.status, 200);
  const cm = res.json();
  assert.equal(cm.kind, 'ConfigMap');
  assert.equal(cm.apiVersion, 'v1');
  for (const key of ['client-ca-file', 'requestheader-client-ca-file', 'requestheader-allowed-names', 'requestheader-username-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix']) {
    assert.ok(typeof cm.data[key] === 'string' && cm.data[key] !== '', key);
  }
});

test('every informer syncs: list with limit=500&resourceVersion=0, then a watch that brings a bookmark before it times out', async () => {
  const streams = await Promise.all(INFORMERS.map(async (inf) => {
    const listed = await list(inf);
    if (inf.selector) assert.deepEqual(listed.items.map((i) => i.metadata.name), [AUTH_CM]);
    return { inf, listed, stream: await watch(inf, listed.resourceVersion, 3) };
  }));
  try {
    for (const { inf, listed, stream } of streams) {
      assert.equal(stream.status, 200, inf.path);
      assert.match(String(stream.headers['content-type']), /^application\/json/, inf.path);
      // The watch cache sends a bookmark 2 s before the deadline, so the reflector resumes from a fresh revision.
      await stream.waitForLine((l) => l.includes('"BOOKMARK"'), 5000);
      await within(stream.ended, 5000, `${inf.path}: the watch ends after timeoutSeconds=3`);
      const all = events(stream);
      const bookmarks = all.filter((e) => e.type === 'BOOKMARK');
      assert.equal(bookmarks.length, 1, `${inf.path}: ${stream.lines.join('\n')}`);
      // Each event decodes into the informer's type: kind and apiVersion are always there.
      for (const e of all) {
        assert.equal(e.object.kind, inf.kind, `${inf.path}: ${e.type}`);
        assert.equal(e.object.apiVersion, inf.apiVersion, `${inf.path}: ${e.type}`);
      }
      assert.ok(Number(bookmarks[0]!.object.metadata.resourceVersion) >= Number(listed.resourceVersion), inf.path);
    }
  } finally {
    for (const { stream } of streams) stream.close();
  }
});

test('informer watches see changes: a new namespace, and only the selected ConfigMap in kube-system', async () => {
  const [nsInf, cmInf] = [INFORMERS[1]!, INFORMERS[0]!];
  const nsList = await list(nsInf);
  const cmList = await list(cmInf);
  const nsWatch = await watch(nsInf, nsList.resourceVersion, 30);
  const cmWatch = await watch(cmInf, cmList.resourceVersion, 30);
  try {
    const ns = uniqueName('ext');
    const created = await kage.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    assert.equal(created.status, 201);
    const added = JSON.parse(await nsWatch.waitForLine((l) => l.includes(`"name":"${ns}"`))) as WatchEvent;
    assert.equal(added.type, 'ADDED');
    assert.equal(added.object.kind, 'Namespace');

    const other = await kage.request('POST', '/api/v1/namespaces/kube-system/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: uniqueName('other') } } });
    assert.equal(other.status, 201);
    const patched = await kage.request('PATCH', `/api/v1/namespaces/kube-system/configmaps/${AUTH_CM}`, {
      body: { metadata: { labels: { touched: 'yes' } } }, headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.equal(patched.status, 200);
    const modified = JSON.parse(await cmWatch.waitForLine((l) => l.includes('"MODIFIED"'))) as WatchEvent;
    assert.equal(modified.object.metadata.name, AUTH_CM);
    assert.ok(events(cmWatch).every((e) => e.type === 'BOOKMARK' || e.object.metadata.name === AUTH_CM), cmWatch.lines.join('\n'));
  } finally {
    nsWatch.close();
    cmWatch.close();
  }
});

test('a WatchList informer (sendInitialEvents) gets the objects, then the initial-events-end bookmark', async () => {
  const stream = await kage.stream('GET', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=30&watch=true', {
    headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT },
  });
  try {
    await stream.waitForLine((l) => l.includes('"BOOKMARK"'));
    const all = events(stream);
    assert.deepEqual(all.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`), [
      ...['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low'].map((n) => `ADDED ${n}`),
      'BOOKMARK ',
    ]);
    const end = all[all.length - 1]!;
    assert.equal(end.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    assert.equal(end.object.kind, 'PriorityLevelConfiguration');
  } finally {
    stream.close();
  }
});

test('delegated authentication: a TokenReview as the webhook authenticator posts it', async () => {
  const review = (token: string) => ({
    kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { token }, status: { user: {} },
  });
  const ok = await kage.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: review(kage.token), headers: JSON_CLIENT });
  assert.equal(ok.status, 201, ok.body);
  assert.equal(ok.headers['warning'], undefined);
  const okBody = ok.json();
  assert.equal(okBody.kind, 'TokenReview');
  assert.equal(okBody.status.authenticated, true);
  assert.equal(okBody.status.user.username, 'admin');
  assert.deepEqual(okBody.status.user.groups, ['system:masters', 'system:authenticated']);

  const bad = await kage.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: review('not-a-token'), headers: JSON_CLIENT });
  assert.equal(bad.status, 201);
  assert.notEqual(bad.json().status.authenticated, true);
});

test('delegated authorization: SubjectAccessReviews as the webhook authorizer posts them (with 1.32 selector attributes)', async () => {
  const resource = {
    kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
    spec: {
      resourceAttributes: {
        namespace: 'default', verb: 'list', group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders',
        fieldSelector: { requirements: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
        labelSelector: { requirements: [{ key: 'tier', operator: 'Exists' }] },
      },
      user: 'jane', groups: ['devs', 'system:authenticated'], extra: { 'scopes.example.com': ['read'] }, uid: 'u-1',
    },
    status: { allowed: false },
  };
  const nonResource = {
    kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
    spec: { nonResourceAttributes: { path: '/apis/wardle.example.com/v1alpha1', verb: 'get' }, user: 'system:kube-aggregator', groups: ['system:authenticated'] },
    status: { allowed: false },
  };
  for (const body of [resource, nonResource]) {
    const res = await kage.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body, headers: JSON_CLIENT });
    assert.equal(res.status, 201, res.body);
    assert.equal(res.headers['warning'], undefined, 'every field the authorizer sends is known');
    const got = res.json();
    assert.equal(got.kind, 'SubjectAccessReview');
    assert.equal(got.status.allowed, true);
  }
});

test('NamespaceLifecycle looks a namespace up when its informer has not seen it yet', async () => {
  const found = await kage.request('GET', '/api/v1/namespaces/default', { headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT } });
  assert.equal(found.status, 200);
  assert.equal(found.json().status.phase, 'Active');
  const missing = await kage.request('GET', '/api/v1/namespaces/no-such-namespace', { headers: { Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT } });
  assert.equal(missing.status, 404);
  assert.equal(missing.json().reason, 'NotFound');
});

test('FlowSchemas carry the Dangling condition the APF config consumer wants, so an extension server writes nothing', async () => {
  // The mandatory ones and the suggested ones, which all name existing priority levels.
  const names = (await list(INFORMERS[6]!)).items.map((i) => i.metadata.name);
  assert.ok(names.includes('exempt') && names.includes('catch-all') && names.includes('global-default'), names.join());
  for (const name of names) {
    await eventually(async () => {
      const fs = (await kage.request('GET', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).json();
      const cond = fs.status?.conditions?.find((c: { type: string }) => c.type === 'Dangling');
      assert.ok(cond, `${name}: ${JSON.stringify(fs.status)}`);
      assert.equal(cond.status, 'False');
      assert.equal(cond.reason, 'Found');
      assert.equal(cond.message, `This FlowSchema references the PriorityLevelConfiguration object named "${fs.spec.priorityLevelConfiguration.name}" and it exists`);
      assert.match(cond.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const entry = fs.metadata.managedFields?.find((e: { manager: string }) => e.manager === CONSUMER);
      assert.deepEqual(entry && { operation: entry.operation, subresource: entry.subresource }, { operation: 'Apply', subresource: 'status' });
    });
  }
});

test('a FlowSchema naming a missing priority level is Dangling until the level exists', async () => {
  const name = uniqueName('fs');
  const level = uniqueName('pl');
  const created = await kage.request('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', {
    body: {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name },
      spec: { priorityLevelConfiguration: { name: level }, rules: [{ subjects: [{ kind: 'User', user: { name: 'jane' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }] },
    },
  });
  assert.equal(created.status, 201, created.body);
  const dangling = async (status: string, reason: string): Promise<void> => eventually(async () => {
    const fs = (await kage.request('GET', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).json();
    const cond = fs.status?.conditions?.find((c: { type: string }) => c.type === 'Dangling');
    assert.deepEqual(cond && [cond.status, cond.reason], [status, reason], JSON.stringify(fs.status));
  });
  await dangling('True', 'NotFound');
  const pl = await kage.request('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', {
    body: {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: level },
      spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } },
    },
  });
  assert.equal(pl.status, 201, pl.body);
  await dangling('False', 'Found');
  assert.equal((await kage.request('DELETE', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).status, 200);
  assert.equal((await kage.request('DELETE', `/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/${level}`)).status, 200);
});

test('the consumer\'s server-side apply to flowschemas/<name>/status keeps its managedFields entry', async () => {
  const name = uniqueName('fs');
  const created = await kage.request('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', {
    body: {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name },
      spec: { priorityLevelConfiguration: { name: 'global' }, rules: [{ subjects: [{ kind: 'Group', group: { name: 'g' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/version'] }] }] },
    },
  });
  assert.equal(created.status, 201, created.body);
  // As a second consumer would send it: its own condition type, the JSON of an apply configuration.
  const condition = { type: 'Example', status: 'True', lastTransitionTime: '2025-01-02T03:04:05Z', reason: 'Tested', message: 'applied by a second consumer' };
  const res = await kage.request('PATCH', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}/status?fieldManager=second-consumer&force=true`, {
    body: JSON.stringify({ kind: 'FlowSchema', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', metadata: { name }, status: { conditions: [condition] } }),
    headers: { 'Content-Type': 'application/apply-patch+yaml', Accept: TYPED_ACCEPT, 'User-Agent': USER_AGENT },
  });
  assert.equal(res.status, 200, res.body);
  const fs = res.json();
  assert.deepEqual(fs.status.conditions.find((c: { type: string }) => c.type === 'Example'), condition);
  const entry = fs.metadata.managedFields.find((e: { manager: string }) => e.manager === 'second-consumer');
  assert.deepEqual(entry, {
    manager: 'second-consumer', operation: 'Apply', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', time: entry?.time, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Example"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} } } } },
    subresource: 'status',
  });
  // Stored, not just answered.
  const again = (await kage.request('GET', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).json();
  assert.ok(again.metadata.managedFields.some((e: { manager: string }) => e.manager === 'second-consumer'), JSON.stringify(again.metadata));
  assert.equal((await kage.request('DELETE', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).status, 200);
});
