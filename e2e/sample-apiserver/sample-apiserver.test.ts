// The sample extension API server on its own: started as a child process (the compiled
// dist/e2e/sample-apiserver/main.js, so run `npm run build` first) with a throwaway front-proxy CA made here, and
// driven over HTTPS/WebSocket with the CA's client certificates. Every process and temp dir is cleaned up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { REFERENCE_DIR } from '../reference.js';
import { createCa, createLeaf } from './certs.js';
import type { CertAndKey } from './certs.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MAIN = join(REPO_ROOT, 'dist', 'e2e', 'sample-apiserver', 'main.js');
const GV = '/apis/wardle.example.com/v1alpha1';
const NS_FLUNDERS = (ns: string): string => `${GV}/namespaces/${ns}/flunders`;
const LISTENING = /^sample-apiserver listening on https:\/\/127\.0\.0\.1:(\d+)$/m;
const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

let dir: string;
let caFile: string;
let proxy: CertAndKey;
let other: CertAndKey;
const children = new Set<ChildProcess>();

function reference(name: string): any {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, name), 'utf8'));
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Sample {
  port: number;
  certDir: string;
  proc: ChildProcess;
  stderr(): string;
  /** SIGTERM, wait for the exit; resolves with the exit code (or signal). */
  stop(): Promise<number | string>;
}

function waitExit(proc: ChildProcess, timeoutMs: number): Promise<number | string> {
  return new Promise((resolvePromise) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      resolvePromise(proc.exitCode ?? proc.signalCode!);
      return;
    }
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(proc);
      resolvePromise(code ?? signal ?? -1);
    });
  });
}

async function startSample(args: string[] = [], opts: { certDir?: string; caFile?: string } = {}): Promise<Sample> {
  assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
  const certDir = opts.certDir ?? (await mkdtemp(join(dir, 'certs-')));
  const fullArgs = [MAIN, '--port', '0', '--cert-dir', certDir, ...(opts.caFile === '' ? [] : ['--requestheader-client-ca-file', opts.caFile ?? caFile]), ...args];
  const proc = spawn(process.execPath, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`sample-apiserver did not start within 15 s; stderr: ${err}`)), 15_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = LISTENING.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(Number(m[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sample-apiserver exited with ${code} before listening; stderr: ${err}`));
    });
  });
  return {
    port,
    certDir,
    proc,
    stderr: () => err,
    stop: async () => {
      proc.kill('SIGTERM');
      return waitExit(proc, 10_000);
    },
  };
}

/** Runs the server expecting it to exit by itself (bad flags, failed startup). */
function runToExit(args: string[], timeoutMs = 20_000): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return waitExit(proc, timeoutMs).then((code) => ({ code, stdout, stderr }));
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

type Identity = 'proxy' | 'other' | 'none';

interface Req {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | object;
  as?: Identity;
  timeoutMs?: number;
  ca?: string;
}

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): any;
}

function clientCert(as: Identity): { cert?: string; key?: string } {
  if (as === 'proxy') return { cert: proxy.certPem, key: proxy.keyPem };
  if (as === 'other') return { cert: other.certPem, key: other.keyPem };
  return {};
}

function call(s: Sample, path: string, r: Req = {}): Promise<Res> {
  const as = r.as ?? 'proxy';
  const headers: Record<string, string | string[]> = {};
  if (as !== 'none') headers['X-Remote-User'] = 'tester';
  Object.assign(headers, r.headers ?? {});
  let body: Buffer | undefined;
  if (r.body !== undefined) {
    body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: s.port,
        path,
        method: r.method ?? 'GET',
        headers,
        ca: r.ca ?? readFileSync(join(s.certDir, 'ca.crt'), 'utf8'),
        servername: 'localhost',
        agent: false,
        ...clientCert(as),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${r.timeoutMs ?? 10_000} ms: ${path}`)), r.timeoutMs ?? 10_000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

interface WatchStream {
  status: number;
  lines: string[];
  events(): any[];
  waitFor(pred: (events: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
  ended: Promise<void>;
  close(): void;
}

function openWatch(s: Sample, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    let buf = '';
    const listeners = new Set<() => void>();
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: s.port,
        path,
        headers: { 'X-Remote-User': 'watcher', ...headers },
        ca: readFileSync(join(s.certDir, 'ca.crt'), 'utf8'),
        servername: 'localhost',
        agent: false,
        ...clientCert('proxy'),
      },
      (res) => {
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            lines.push(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
          for (const l of [...listeners]) l();
        });
        res.on('end', endResolve);
        res.on('close', endResolve);
        res.on('error', endResolve);
        const stream: WatchStream = {
          status: res.statusCode ?? 0,
          lines,
          events: () => lines.map((l) => JSON.parse(l)),
          waitFor: (pred, timeoutMs = 5000) =>
            new Promise((ok, fail) => {
              const check = (): void => {
                const evs = lines.map((l) => JSON.parse(l));
                if (pred(evs)) {
                  clearTimeout(timer);
                  listeners.delete(check);
                  ok(evs);
                }
              };
              const timer = setTimeout(() => {
                listeners.delete(check);
                fail(new Error(`watch condition not met within ${timeoutMs} ms; lines so far:\n${lines.join('\n')}`));
              }, timeoutMs);
              listeners.add(check);
              check();
            }),
          ended,
          close: () => req.destroy(),
        };
        resolvePromise(stream);
      },
    );
    req.on('error', (e) => {
      endResolve();
      reject(e);
    });
    req.end();
  });
}

function flunder(name: string, extra: Record<string, unknown> = {}): object {
  return { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name, ...extra }, spec: { reference: 'anchor' } };
}

// ---------------------------------------------------------------------------------------------------------------

let sample: Sample;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kage-sample-apiserver-'));
  const ca = await createCa('test-front-proxy-ca');
  proxy = await createLeaf(ca, { commonName: 'front-proxy-client', usage: 'client' });
  other = await createLeaf(ca, { commonName: 'someone-else', usage: 'client' });
  caFile = join(dir, 'front-proxy-ca.crt');
  await writeFile(caFile, ca.certPem);
  sample = await startSample(['--watch-bookmark-interval', '200ms']);
});

after(async () => {
  await Promise.all([...children].map((p) => {
    p.kill('SIGKILL');
    return waitExit(p, 5000);
  }));
  if (dir) await rm(dir, { recursive: true, force: true });
});

// A crashed run must not leave servers behind.
process.on('exit', () => {
  for (const p of children) p.kill('SIGKILL');
});

test('health endpoints answer ok without credentials', { timeout: 20_000 }, async () => {
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const res = await call(sample, p, { as: 'none' });
    assert.equal(res.status, 200, p);
    assert.equal(res.body, 'ok');
  }
});

test('requests without a trusted front-proxy certificate are 401', { timeout: 20_000 }, async () => {
  const expected = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
  const noCert = await call(sample, `${GV}/whoami`, { as: 'none', headers: { 'X-Remote-User': 'mallory' } });
  assert.equal(noCert.status, 401);
  assert.equal(noCert.headers['content-type'], 'application/json');
  assert.equal(noCert.body, JSON.stringify(expected));
  const wrongCn = await call(sample, `${GV}/whoami`, { as: 'other' });
  assert.equal(wrongCn.status, 401);
  assert.deepEqual(wrongCn.json(), expected);
  // A certificate from another CA, even with the right CN.
  const strangerCa = await createCa('stranger-ca');
  const stranger = await createLeaf(strangerCa, { commonName: 'front-proxy-client', usage: 'client' });
  const res = await new Promise<number>((ok, fail) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: sample.port, path: `${GV}/whoami`, ca: readFileSync(join(sample.certDir, 'ca.crt')), servername: 'localhost', agent: false, cert: stranger.certPem, key: stranger.keyPem, headers: { 'X-Remote-User': 'x' } },
      (r) => {
        r.resume();
        ok(r.statusCode ?? 0);
      },
    );
    req.on('error', fail);
    req.end();
  });
  assert.equal(res, 401);
  // The right certificate but no user header.
  const noUser = await call(sample, `${GV}/whoami`, { headers: { 'X-Remote-User': '' } });
  assert.equal(noUser.status, 401);
  // Discovery too.
  assert.equal((await call(sample, '/apis', { as: 'none' })).status, 401);
});

test('whoami reports the identity headers and stray credentials', { timeout: 20_000 }, async () => {
  const res = await call(sample, `${GV}/whoami`, {
    headers: {
      'X-Remote-User': 'alice',
      'X-Remote-Group': ['system:authenticated', 'devs'],
      'X-Remote-Extra-Scopes': ['read', 'write'],
      'X-Remote-Extra-Example.com%2Fteam': 'blue',
    },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), {
    user: 'alice',
    groups: ['system:authenticated', 'devs'],
    extra: { scopes: ['read', 'write'], 'example.com/team': ['blue'] },
    authorizationHeader: false,
    impersonateHeaders: [],
    clientCertCN: 'front-proxy-client',
  });
  const leaky = await call(sample, `${GV}/whoami`, {
    headers: { Authorization: 'Bearer secret', 'Impersonate-User': 'root', 'Impersonate-Group': 'system:masters' },
  });
  const body = leaky.json();
  assert.equal(body.authorizationHeader, true);
  assert.deepEqual(body.impersonateHeaders, ['Impersonate-User', 'Impersonate-Group']);
});

test('legacy discovery matches the reference shapes', { timeout: 20_000 }, async () => {
  const refList = reference('apis-wardle.example.com-v1alpha1.json');
  const res = await call(sample, GV);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.headers['cache-control'], 'no-cache, private');
  const doc = res.json();
  assert.deepEqual(Object.keys(doc), Object.keys(refList));
  assert.equal(doc.kind, 'APIResourceList');
  assert.equal(doc.groupVersion, 'wardle.example.com/v1alpha1');
  const refFlunders = refList.resources.find((r: any) => r.name === 'flunders');
  assert.deepEqual(doc.resources, [refFlunders]);

  const refApis = reference('apis.json');
  const refGroup = refApis.groups.find((g: any) => g.name === 'wardle.example.com');
  const apis = (await call(sample, '/apis')).json();
  assert.equal(apis.kind, 'APIGroupList');
  assert.equal(apis.apiVersion, 'v1');
  assert.equal(apis.groups.length, 1);
  assert.deepEqual(Object.keys(apis.groups[0]), Object.keys(refGroup));
  assert.deepEqual(apis.groups[0].versions, refGroup.versions.filter((v: any) => v.version === 'v1alpha1'));
  assert.deepEqual(apis.groups[0].preferredVersion, { groupVersion: 'wardle.example.com/v1alpha1', version: 'v1alpha1' });

  const group = (await call(sample, '/apis/wardle.example.com')).json();
  assert.deepEqual(group, { kind: 'APIGroup', apiVersion: 'v1', ...apis.groups[0] });
});

test('aggregated discovery: exact Content-Type, ETag, 304, reference shape', { timeout: 20_000 }, async () => {
  const ref = reference('aggregated-discovery-apis.json');
  const refGroup = ref.items.find((i: any) => i.metadata.name === 'wardle.example.com');
  const refVersion = refGroup.versions.find((v: any) => v.version === 'v1alpha1');
  const refFlunders = refVersion.resources.find((r: any) => r.resource === 'flunders');

  for (const [accept, contentType, apiVersion] of [
    [`${AGGREGATED_V2},application/json`, AGGREGATED_V2, 'apidiscovery.k8s.io/v2'],
    [`${AGGREGATED_V2BETA1},application/json`, AGGREGATED_V2BETA1, 'apidiscovery.k8s.io/v2beta1'],
  ] as const) {
    const res = await call(sample, '/apis', { headers: { Accept: accept } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], contentType);
    assert.equal(res.headers['vary'], 'Accept');
    const etag = res.headers['etag'];
    assert.match(String(etag), /^"[0-9A-F]{128}"$/);
    const doc = res.json();
    assert.deepEqual(Object.keys(doc), Object.keys(ref));
    assert.equal(doc.apiVersion, apiVersion);
    assert.deepEqual(doc.metadata, {});
    assert.equal(doc.items.length, 1);
    const group = doc.items[0];
    assert.deepEqual(group.metadata, refGroup.metadata);
    assert.deepEqual(group.versions, [{ ...refVersion, resources: [refFlunders] }]);
    const again = await call(sample, '/apis', { headers: { Accept: accept, 'If-None-Match': String(etag) } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers['etag'], etag);
  }
  const plain = await call(sample, '/apis', { headers: { Accept: 'application/json' } });
  assert.equal(plain.json().kind, 'APIGroupList');
});

test('openapi v3 index and document', { timeout: 20_000 }, async () => {
  const index = await call(sample, '/openapi/v3');
  assert.equal(index.status, 200);
  const paths = index.json().paths;
  assert.deepEqual(Object.keys(paths), ['apis/wardle.example.com/v1alpha1']);
  const url: string = paths['apis/wardle.example.com/v1alpha1'].serverRelativeURL;
  const m = /^\/openapi\/v3\/apis\/wardle\.example\.com\/v1alpha1\?hash=([0-9A-F]{128})$/.exec(url);
  assert.ok(m, url);
  const doc = await call(sample, url);
  assert.equal(doc.status, 200);
  assert.equal(doc.headers['etag'], `"${m[1]}"`);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  assert.equal(doc.headers['content-type'], 'application/json');
  const spec = doc.json();
  assert.equal(spec.openapi, '3.0.0');
  assert.deepEqual(spec.components.schemas['com.example.wardle.v1alpha1.Flunder']['x-kubernetes-group-version-kind'], [
    { group: 'wardle.example.com', kind: 'Flunder', version: 'v1alpha1' },
  ]);
  assert.equal((await call(sample, url, { headers: { 'If-None-Match': `"${m[1]}"` } })).status, 304);
  assert.equal((await call(sample, '/openapi/v2')).status, 404);
});

test('flunders CRUD with Status errors', { timeout: 30_000 }, async () => {
  const ns = 'crud';
  const created = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('my-first-flunder', { labels: { 'sample-label': 'true' } }) });
  assert.equal(created.status, 201, created.body);
  const obj = created.json();
  assert.deepEqual(Object.keys(obj), ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
  assert.equal(obj.metadata.namespace, ns);
  assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(obj.metadata.resourceVersion, /^\d+$/);
  assert.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(obj.spec, { reference: 'anchor', referenceType: 'Flunder' });
  assert.deepEqual(obj.status, {});

  // 409 AlreadyExists, shaped like the reference's.
  const dup = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('my-first-flunder') });
  assert.equal(dup.status, 409);
  const refExists = reference('status-409-alreadyexists.json');
  assert.deepEqual(Object.keys(dup.json()), Object.keys(refExists));
  assert.deepEqual(dup.json(), {
    ...refExists,
    message: 'flunders.wardle.example.com "my-first-flunder" already exists',
    details: { name: 'my-first-flunder', group: 'wardle.example.com', kind: 'flunders' },
  });

  // get, and the list shape of the reference (items without kind/apiVersion).
  const got = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`);
  assert.deepEqual(got.json(), obj);
  const list = (await call(sample, NS_FLUNDERS(ns))).json();
  const refList = reference('flunders-list.json');
  assert.deepEqual(Object.keys(list), Object.keys(refList));
  assert.equal(list.kind, 'FlunderList');
  assert.equal(list.apiVersion, 'wardle.example.com/v1alpha1');
  assert.deepEqual(Object.keys(list.items[0]), Object.keys(refList.items[0]));
  assert.deepEqual(Object.keys(list.items[0].metadata), Object.keys(refList.items[0].metadata).filter((k) => k in list.items[0].metadata));
  assert.deepEqual(list.items[0], { metadata: obj.metadata, spec: obj.spec, status: {} });

  // update: stale resourceVersion → 409 Conflict; no resourceVersion → 422; current → 200 with a new one.
  const stale = { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' }, spec: { reference: 'other' } };
  const conflict = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'PUT', body: stale });
  assert.equal(conflict.status, 409);
  const refConflict = reference('status-409-conflict.json');
  assert.deepEqual(conflict.json(), {
    ...refConflict,
    message:
      'Operation cannot be fulfilled on flunders.wardle.example.com "my-first-flunder": the object has been modified; please apply your changes to the latest version and try again',
    details: { name: 'my-first-flunder', group: 'wardle.example.com', kind: 'flunders' },
  });
  const noRv = { ...obj, metadata: { name: 'my-first-flunder' } };
  const unconditional = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'PUT', body: noRv });
  assert.equal(unconditional.status, 422);
  const updated = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'PUT', body: { ...obj, spec: { reference: 'fish', referenceType: 'Fischer' } } });
  assert.equal(updated.status, 200, updated.body);
  assert.deepEqual(updated.json().spec, { reference: 'fish', referenceType: 'Fischer' });
  assert.ok(Number(updated.json().metadata.resourceVersion) > Number(obj.metadata.resourceVersion));
  assert.equal(updated.json().metadata.uid, obj.metadata.uid);
  // PUT of something that does not exist.
  const missingPut = await call(sample, `${NS_FLUNDERS(ns)}/nope`, { method: 'PUT', body: { ...obj, metadata: { name: 'nope', resourceVersion: '5' } } });
  assert.equal(missingPut.status, 404);

  // patches: merge, JSON, strategic (as merge).
  const merge = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: { metadata: { labels: { touched: 'yes' } } },
  });
  assert.equal(merge.status, 200, merge.body);
  assert.deepEqual(merge.json().metadata.labels, { 'sample-label': 'true', touched: 'yes' });
  const jsonPatch = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json-patch+json' },
    body: [{ op: 'remove', path: '/metadata/labels/touched' }, { op: 'replace', path: '/spec/reference', value: 'anchor2' }],
  });
  assert.equal(jsonPatch.status, 200, jsonPatch.body);
  assert.deepEqual(jsonPatch.json().metadata.labels, { 'sample-label': 'true' });
  assert.equal(jsonPatch.json().spec.reference, 'anchor2');
  const failedTest = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json-patch+json' },
    body: [{ op: 'test', path: '/spec/reference', value: 'wrong' }],
  });
  assert.equal(failedTest.status, 422);
  const smp = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    body: { spec: { referenceType: null, reference: 'anchor3' } },
  });
  assert.equal(smp.status, 200, smp.body);
  assert.deepEqual(smp.json().spec, { reference: 'anchor3', referenceType: 'Flunder' });
  const stalePatch = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: { metadata: { resourceVersion: '1' }, spec: { reference: 'x' } },
  });
  assert.equal(stalePatch.status, 409);
  const apply = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/apply-patch+yaml' },
    body: 'spec: {}',
  });
  assert.equal(apply.status, 415);
  assert.equal(apply.json().reason, 'UnsupportedMediaType');

  // delete → Status Success; then 404 like the reference's (our resource's details).
  const del = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.deepEqual(del.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: 'my-first-flunder', group: 'wardle.example.com', kind: 'flunders', uid: obj.metadata.uid },
  });
  const gone = await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`);
  assert.equal(gone.status, 404);
  const ref404 = reference('status-404.json');
  assert.deepEqual(Object.keys(gone.json()), Object.keys(ref404));
  assert.equal(gone.json().message, 'flunders.wardle.example.com "my-first-flunder" not found');
  assert.deepEqual(gone.json().details, { name: 'my-first-flunder', group: 'wardle.example.com', kind: 'flunders' });
  assert.equal((await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'DELETE' })).status, 404);
});

test('create: generateName, validation, malformed input', { timeout: 20_000 }, async () => {
  const ns = 'validation';
  const generated = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { metadata: { generateName: 'gen-' }, spec: {} } });
  assert.equal(generated.status, 201, generated.body);
  assert.match(generated.json().metadata.name, /^gen-[a-z0-9]{5}$/);

  const bad = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('Not_Valid') });
  assert.equal(bad.status, 422);
  assert.equal(bad.json().reason, 'Invalid');
  assert.equal(bad.json().details.causes[0].field, 'metadata.name');
  const badType = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { metadata: { name: 'x' }, spec: { referenceType: 'Horse' } } });
  assert.equal(badType.status, 422);
  const noName = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { spec: {} } });
  assert.equal(noName.status, 422);

  const badJson = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: '{"metadata": {' });
  assert.equal(badJson.status, 400);
  assert.equal(badJson.json().reason, 'BadRequest');
  const wrongKind = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } });
  assert.equal(wrongKind.status, 400);
  const wrongType = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { metadata: { name: 'x', labels: { a: 1 } } } });
  assert.equal(wrongType.status, 400);
  const xml = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: '<flunder/>', headers: { 'Content-Type': 'application/xml' } });
  assert.equal(xml.status, 415);
  const otherNs = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('x', { namespace: 'elsewhere' }) });
  assert.equal(otherNs.status, 400);
  const strict = await call(sample, `${NS_FLUNDERS(ns)}?fieldValidation=Strict`, { method: 'POST', body: { metadata: { name: 'strict' }, spec: { colour: 'red' } } });
  assert.equal(strict.status, 400);
  assert.match(strict.json().message, /unknown field "spec.colour"/);
  const warn = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: { metadata: { name: 'warned' }, spec: { colour: 'red' } } });
  assert.equal(warn.status, 201);
  assert.match(String(warn.headers['warning']), /unknown field \\"spec.colour\\"/);
  assert.deepEqual(warn.json().spec, {});
  const dry = await call(sample, `${NS_FLUNDERS(ns)}?dryRun=All`, { method: 'POST', body: flunder('dry') });
  assert.equal(dry.status, 201);
  assert.equal((await call(sample, `${NS_FLUNDERS(ns)}/dry`)).status, 404);

  // 413 beyond 3 MiB.
  const huge = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: Buffer.alloc(3 * 1024 * 1024 + 10, 'a') });
  assert.equal(huge.status, 413);
  // Odd paths and methods are answered, not fatal.
  assert.equal((await call(sample, `${GV}/namespaces/%zz/flunders`)).status, 400);
  assert.equal((await call(sample, `${GV}/nothings`)).status, 404);
  assert.equal((await call(sample, `${GV}/flunders`, { method: 'POST', body: flunder('x') })).status, 405);
  assert.equal((await call(sample, `${NS_FLUNDERS(ns)}/x`, { method: 'POST', body: flunder('x') })).status, 405);
  assert.equal((await call(sample, '/nowhere')).status, 404);
  assert.equal((await call(sample, '/healthz', { as: 'none' })).status, 200);
});

test('list: selectors, all namespaces, limit/continue, deletecollection', { timeout: 20_000 }, async () => {
  for (const [ns, name, labels] of [
    ['sel-a', 'one', { tier: 'front', app: 'x' }],
    ['sel-a', 'two', { tier: 'back' }],
    ['sel-a', 'three', {}],
    ['sel-b', 'four', { tier: 'front' }],
  ] as const) {
    const r = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder(name, { labels }) });
    assert.equal(r.status, 201, r.body);
  }
  const names = async (path: string): Promise<string[]> => {
    const r = await call(sample, path);
    assert.equal(r.status, 200, r.body);
    return r.json().items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`);
  };
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?labelSelector=tier%3Dfront`), ['sel-a/one']);
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?labelSelector=tier!%3Dfront`), ['sel-a/three', 'sel-a/two']);
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?labelSelector=tier`), ['sel-a/one', 'sel-a/two']);
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?labelSelector=!tier`), ['sel-a/three']);
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?labelSelector=tier%20in%20(front,back),app`), ['sel-a/one']);
  assert.deepEqual(await names(`${NS_FLUNDERS('sel-a')}?fieldSelector=metadata.name%3Dtwo`), ['sel-a/two']);
  assert.deepEqual(
    (await names(`${GV}/flunders?labelSelector=tier%3Dfront`)).filter((n) => n.startsWith('sel-')),
    ['sel-a/one', 'sel-b/four'],
  );
  assert.deepEqual(await names(`${GV}/flunders?fieldSelector=metadata.namespace%3Dsel-b`), ['sel-b/four']);
  assert.equal((await call(sample, `${NS_FLUNDERS('sel-a')}?labelSelector=%3D%3D%3D`)).status, 400);
  assert.equal((await call(sample, `${NS_FLUNDERS('sel-a')}?fieldSelector=spec.reference%3Dx`)).status, 400);

  const page1 = (await call(sample, `${NS_FLUNDERS('sel-a')}?limit=2`)).json();
  assert.equal(page1.items.length, 2);
  assert.equal(page1.metadata.remainingItemCount, 1);
  assert.ok(page1.metadata.continue);
  const page2 = (await call(sample, `${NS_FLUNDERS('sel-a')}?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`)).json();
  assert.deepEqual(page2.items.map((i: any) => i.metadata.name), ['two']);
  assert.equal(page2.metadata.continue, undefined);
  assert.equal(page2.metadata.resourceVersion, page1.metadata.resourceVersion);

  const dc = await call(sample, `${NS_FLUNDERS('sel-a')}?labelSelector=tier`, { method: 'DELETE' });
  assert.equal(dc.status, 200, dc.body);
  assert.equal(dc.json().kind, 'FlunderList');
  assert.deepEqual(dc.json().items.map((i: any) => i.metadata.name).sort(), ['one', 'two']);
  assert.deepEqual(await names(NS_FLUNDERS('sel-a')), ['sel-a/three']);
  assert.equal((await call(sample, NS_FLUNDERS('sel-a'), { method: 'DELETE' })).status, 200);
  assert.deepEqual(await names(NS_FLUNDERS('sel-a')), []);
  assert.deepEqual(await names(NS_FLUNDERS('sel-b')), ['sel-b/four']);
});

test('finalizers hold a deleted flunder until they are removed', { timeout: 20_000 }, async () => {
  const ns = 'fin';
  const created = (await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('held', { finalizers: ['example.com/hold'] }) })).json();
  const del = await call(sample, `${NS_FLUNDERS(ns)}/held`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.ok(del.json().metadata.deletionTimestamp);
  const still = (await call(sample, `${NS_FLUNDERS(ns)}/held`)).json();
  assert.ok(still.metadata.deletionTimestamp);
  const released = await call(sample, `${NS_FLUNDERS(ns)}/held`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: { metadata: { finalizers: null } },
  });
  assert.equal(released.status, 200, released.body);
  assert.equal(released.json().metadata.uid, created.metadata.uid);
  assert.equal((await call(sample, `${NS_FLUNDERS(ns)}/held`)).status, 404);
});

test('watch sees ADDED, MODIFIED and DELETED', { timeout: 30_000 }, async () => {
  const ns = 'watching';
  const pre = await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('before') });
  assert.equal(pre.status, 201);
  const w = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=true`);
  try {
    assert.equal(w.status, 200);
    await w.waitFor((evs) => evs.length >= 1);
    assert.deepEqual(w.events()[0], { type: 'ADDED', object: pre.json() });

    const created = (await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('my-first-flunder', { labels: { 'sample-label': 'true' } }) })).json();
    await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { metadata: { labels: { touched: 'yes' } } },
    });
    await call(sample, `${NS_FLUNDERS(ns)}/my-first-flunder`, { method: 'DELETE' });
    await call(sample, NS_FLUNDERS('unwatched-ns'), { method: 'POST', body: flunder('elsewhere') });
    const evs = await w.waitFor((e) => e.some((x) => x.type === 'DELETED'));
    assert.deepEqual(evs.map((e) => e.type), ['ADDED', 'ADDED', 'MODIFIED', 'DELETED']);
    assert.deepEqual(evs[1].object, created);
    const ref = readFileSync(join(REFERENCE_DIR, 'watch-flunders.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(evs[2]), Object.keys(ref[0]));
    assert.deepEqual(Object.keys(evs[2].object), Object.keys(ref[0].object));
    assert.deepEqual(evs[2].object.metadata.labels, { 'sample-label': 'true', touched: 'yes' });
    const rvs = evs.slice(1).map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, `resourceVersions increase: ${rvs}`);

    // Resuming from the ADDED's resourceVersion replays what came after it, without initial events.
    const resumed = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
    try {
      const replay = await resumed.waitFor((e) => e.length >= 2);
      assert.deepEqual(replay.map((e) => e.type), ['MODIFIED', 'DELETED']);
    } finally {
      resumed.close();
    }
  } finally {
    w.close();
  }
});

test('watch: selectors turn MODIFIED into ADDED/DELETED; single object; bookmarks; timeoutSeconds', { timeout: 30_000 }, async () => {
  const ns = 'watch-sel';
  const w = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=1&labelSelector=color%3Dred&allowWatchBookmarks=true`);
  const single = await openWatch(sample, `${GV}/watch/namespaces/${ns}/flunders/solo`);
  try {
    await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('solo', { labels: { color: 'blue' } }) });
    const patch = (color: string): Promise<Res> =>
      call(sample, `${NS_FLUNDERS(ns)}/solo`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels: { color } } } });
    await patch('red');
    await patch('blue');
    const evs = await w.waitFor((e) => e.filter((x) => x.type !== 'BOOKMARK').length >= 2 && e.some((x) => x.type === 'BOOKMARK'));
    assert.deepEqual(evs.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type), ['ADDED', 'DELETED']);
    const bookmark = evs.find((e) => e.type === 'BOOKMARK');
    assert.equal(bookmark.object.kind, 'Flunder');
    assert.match(bookmark.object.metadata.resourceVersion, /^\d+$/);
    const solo = await single.waitFor((e) => e.length >= 3);
    assert.deepEqual(solo.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED']);
  } finally {
    w.close();
    single.close();
  }
  const timed = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=true&timeoutSeconds=1`);
  const started = Date.now();
  await timed.ended;
  const took = Date.now() - started;
  assert.ok(took >= 800 && took < 5000, `timeoutSeconds=1 ended the watch after ${took} ms`);
  const tooOld = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=true&resourceVersion=abc`);
  assert.equal(tooOld.status, 400);
  tooOld.close();
});

test('Table output for get, list and watch', { timeout: 20_000 }, async () => {
  const ns = 'tables';
  await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('t1') });
  const list = await call(sample, NS_FLUNDERS(ns), { headers: { Accept: `${TABLE},application/json` } });
  assert.equal(list.status, 200);
  const table = list.json();
  const refTable = reference('namespaces-table.json');
  assert.deepEqual(Object.keys(table), Object.keys(refTable));
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.columnDefinitions.map((c: any) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Age', 'string', '']]);
  assert.deepEqual(table.columnDefinitions[0], refTable.columnDefinitions[0]);
  assert.equal(table.rows.length, 1);
  assert.equal(table.rows[0].cells[0], 't1');
  assert.match(table.rows[0].cells[1], /^\d+s$/);
  assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
  assert.equal(table.rows[0].object.metadata.name, 't1');

  const none = (await call(sample, `${NS_FLUNDERS(ns)}/t1?includeObject=None`, { headers: { Accept: TABLE } })).json();
  assert.equal(none.rows.length, 1);
  assert.equal(none.rows[0].object, undefined);
  const full = (await call(sample, `${NS_FLUNDERS(ns)}/t1?includeObject=Object`, { headers: { Accept: TABLE } })).json();
  assert.equal(full.rows[0].object.kind, 'Flunder');
  assert.equal(full.rows[0].object.spec.reference, 'anchor');

  const w = await openWatch(sample, `${NS_FLUNDERS(ns)}?watch=true`, { Accept: TABLE });
  try {
    await call(sample, NS_FLUNDERS(ns), { method: 'POST', body: flunder('t2') });
    const evs = await w.waitFor((e) => e.length >= 2);
    assert.equal(evs[0].type, 'ADDED');
    assert.equal(evs[0].object.kind, 'Table');
    assert.equal(evs[0].object.columnDefinitions.length, 2);
    assert.equal(evs[0].object.rows[0].cells[0], 't1');
    assert.equal(evs[1].object.columnDefinitions, null);
    assert.equal(evs[1].object.rows[0].cells[0], 't2');
  } finally {
    w.close();
  }
  assert.equal((await call(sample, NS_FLUNDERS(ns), { headers: { Accept: 'application/yaml' } })).status, 406);
});

test('WebSocket echo through the front-proxy identity', { timeout: 20_000 }, async () => {
  const url = `wss://127.0.0.1:${sample.port}${NS_FLUNDERS('ws')}/anything/echo`;
  const ca = readFileSync(join(sample.certDir, 'ca.crt'), 'utf8');
  const ws = new WebSocket(url, { ca, cert: proxy.certPem, key: proxy.keyPem, headers: { 'X-Remote-User': 'ws-user' } });
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) => fail(new Error(`unexpected ${res.statusCode}`)));
    });
    const next = (): Promise<{ data: Buffer; binary: boolean }> =>
      new Promise((ok) => ws.once('message', (data, binary) => ok({ data: data as Buffer, binary })));
    let reply = next();
    ws.send('hello flunder');
    let got = await reply;
    assert.equal(got.data.toString(), 'hello flunder');
    assert.equal(got.binary, false);
    reply = next();
    ws.send(Buffer.from([0, 1, 2, 255]));
    got = await reply;
    assert.deepEqual([...got.data], [0, 1, 2, 255]);
    assert.equal(got.binary, true);
  } finally {
    ws.terminate();
  }
  // Without the proxy certificate the upgrade is refused with 401.
  const status = await new Promise<number>((ok, fail) => {
    const bad = new WebSocket(url, { ca, cert: other.certPem, key: other.keyPem, headers: { 'X-Remote-User': 'x' } });
    bad.once('unexpected-response', (_req, res) => {
      ok(res.statusCode ?? 0);
      bad.terminate();
    });
    bad.once('open', () => fail(new Error('upgrade accepted without the proxy certificate')));
    bad.once('error', () => undefined);
  });
  assert.equal(status, 401);
  // A plain GET of the echo path asks for an upgrade.
  assert.equal((await call(sample, `${NS_FLUNDERS('ws')}/anything/echo`)).status, 400);
});

test('serving certificate in --cert-dir: ca.crt and tls.crt both verify it', { timeout: 20_000 }, async () => {
  assert.ok(existsSync(join(sample.certDir, 'tls.key')));
  const viaTls = await call(sample, '/healthz', { ca: readFileSync(join(sample.certDir, 'tls.crt'), 'utf8'), as: 'none' });
  assert.equal(viaTls.status, 200);
});

test('--tls-sans: the serving certificate covers <service>.<namespace>.svc; a fitting cert-dir is reused', { timeout: 30_000 }, async () => {
  const certDir = await mkdtemp(join(dir, 'sans-'));
  const s = await startSample(['--tls-sans', 'api.wardle.svc'], { certDir });
  const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  try {
    const status = await new Promise<number>((ok, fail) => {
      const req = httpsRequest({ host: '127.0.0.1', port: s.port, path: '/healthz', ca, servername: 'api.wardle.svc', agent: false }, (r) => {
        r.resume();
        ok(r.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end();
    });
    assert.equal(status, 200);
    await assert.rejects(
      new Promise((ok, fail) => {
        const req = httpsRequest({ host: '127.0.0.1', port: s.port, path: '/healthz', ca, servername: 'other.wardle.svc', agent: false }, ok);
        req.on('error', fail);
        req.end();
      }),
      /altnames|does not match|certificate/i,
    );
  } finally {
    await s.stop();
  }
  const again = await startSample([], { certDir });
  try {
    assert.equal(readFileSync(join(certDir, 'ca.crt'), 'utf8'), ca, 'an existing certificate that covers the names is kept');
  } finally {
    await again.stop();
  }
});

test('misbehave hang-discovery: discovery never answers, health and resources do', { timeout: 30_000 }, async () => {
  const s = await startSample(['--misbehave', 'hang-discovery']);
  try {
    for (const p of ['/apis', '/apis/wardle.example.com', GV]) {
      const started = Date.now();
      await assert.rejects(call(s, p, { timeoutMs: 1000 }), /timeout after 1000 ms/);
      assert.ok(Date.now() - started >= 900);
    }
    assert.equal((await call(s, '/healthz', { as: 'none', timeoutMs: 2000 })).body, 'ok');
    assert.equal((await call(s, NS_FLUNDERS('default'), { timeoutMs: 2000 })).status, 200);
    assert.equal(await s.stop(), 0);
  } finally {
    s.proc.kill('SIGKILL');
  }
});

test('misbehave garbage-discovery: 200 with a body that is not JSON', { timeout: 30_000 }, async () => {
  const s = await startSample(['--misbehave=garbage-discovery']);
  try {
    for (const p of ['/apis', GV]) {
      const res = await call(s, p, { headers: { Accept: AGGREGATED_V2 } });
      assert.equal(res.status, 200);
      assert.throws(() => JSON.parse(res.body));
    }
    assert.equal((await call(s, `${GV}/whoami`)).json().user, 'tester');
  } finally {
    await s.stop();
  }
});

test('misbehave slow-discovery: correct answers after the delay', { timeout: 30_000 }, async () => {
  const s = await startSample(['--misbehave', 'slow-discovery=700']);
  try {
    const started = Date.now();
    const res = await call(s, GV);
    const took = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal(res.json().kind, 'APIResourceList');
    assert.ok(took >= 650, `discovery took ${took} ms`);
    const quick = Date.now();
    assert.equal((await call(s, '/healthz', { as: 'none' })).status, 200);
    assert.ok(Date.now() - quick < 650);
  } finally {
    await s.stop();
  }
});

test('empty --requestheader-allowed-names accepts any CN signed by the CA', { timeout: 30_000 }, async () => {
  const s = await startSample(['--requestheader-allowed-names=']);
  try {
    const res = await call(s, `${GV}/whoami`, { as: 'other', headers: { 'X-Remote-User': 'bob' } });
    assert.equal(res.status, 200);
    assert.equal(res.json().clientCertCN, 'someone-else');
    assert.equal((await call(s, `${GV}/whoami`, { as: 'none' })).status, 401);
  } finally {
    await s.stop();
  }
});

test('--kubeconfig reads extension-apiserver-authentication; failure exits 1', { timeout: 40_000 }, async () => {
  const mainCa = await createCa('fake-main-ca');
  const mainServing = await createLeaf(mainCa, { commonName: 'fake-main', usage: 'server', sans: ['127.0.0.1'] });
  const seen: string[] = [];
  const fake = createHttpsServer({ cert: mainServing.certPem, key: mainServing.keyPem }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    if (req.url === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication' && req.headers.authorization === 'Bearer t0ken') {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' },
          data: {
            'client-ca-file': mainCa.certPem,
            'requestheader-client-ca-file': readFileSync(caFile, 'utf8'),
            'requestheader-allowed-names': '["someone-else"]',
            'requestheader-username-headers': '["X-Remote-User"]',
            'requestheader-group-headers': '["X-Remote-Group"]',
            'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
          },
        }),
      );
      return;
    }
    res.statusCode = 403;
    res.end('{}');
  });
  await new Promise<void>((ok) => fake.listen(0, '127.0.0.1', ok));
  const fakePort = (fake.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  const renderKubeconfig = (server: string): string =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: main',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority-data: ${Buffer.from(mainCa.certPem).toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      '    token: t0ken',
      'contexts:',
      '- name: main',
      '  context: {cluster: main, user: admin}',
      'current-context: main',
      '',
    ].join('\n');
  try {
    await writeFile(kubeconfig, renderKubeconfig(`https://127.0.0.1:${fakePort}`));
    const s = await startSample(['--kubeconfig', kubeconfig], { caFile: '' });
    try {
      assert.ok(seen.some((l) => l.includes('extension-apiserver-authentication') && l.endsWith('Bearer t0ken')));
      // The ConfigMap's allowed names apply: someone-else is in, front-proxy-client is out.
      const ok = await call(s, `${GV}/whoami`, { as: 'other', headers: { 'X-Remote-User': 'carol' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json().user, 'carol');
      assert.equal((await call(s, `${GV}/whoami`, { as: 'proxy' })).status, 401);
    } finally {
      await s.stop();
    }
  } finally {
    await new Promise<void>((ok) => fake.close(() => ok()));
  }
  // Nobody listens there any more: the server must refuse to start.
  await writeFile(kubeconfig, renderKubeconfig(`https://127.0.0.1:${fakePort}`));
  const failed = await runToExit(['--port', '0', '--cert-dir', join(dir, 'certs-fail'), '--kubeconfig', kubeconfig]);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /extension-apiserver-authentication/);
  assert.equal(failed.stdout, '');
});

test('flags: the requestheader CA is required; bad values exit 2', { timeout: 20_000 }, async () => {
  const missing = await runToExit(['--port', '0']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--requestheader-client-ca-file is required unless --kubeconfig is given/);
  const badMode = await runToExit(['--requestheader-client-ca-file', caFile, '--misbehave', 'explode']);
  assert.equal(badMode.code, 2);
  const unknown = await runToExit(['--requestheader-client-ca-file', caFile, '--frobnicate', '1']);
  assert.equal(unknown.code, 2);
  const help = await runToExit(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--misbehave/);
});

test('SIGTERM ends open watches and exits 0', { timeout: 30_000 }, async () => {
  const s = await startSample();
  const w = await openWatch(s, `${NS_FLUNDERS('default')}?watch=true`);
  const code = await s.stop();
  assert.equal(code, 0);
  await w.ended;
});
