// The sample extension API server (dist/e2e/sample-apiserver/main.js) as a process of its own on 127.0.0.1, and
// its registration with kage as the e2e tests do it: a Namespace, an ExternalName Service (localhost, the sample's
// port) and an APIService whose caBundle is the sample's CA; then waiting for the Available condition.
import type { ChildProcess } from 'node:child_process';
import type { Agent } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureNamespace } from './creates.js';
import { kageMain, REPO_ROOT } from './kage-process.js';
import { httpsExpect, sleep, spawnTracked, stopChild, tempDir, type HttpsTarget } from './util.js';

/** The sample's entry point: next to the kage build in use (KAGE_BENCH_SAMPLE overrides it). */
export function sampleMain(): string {
  const env = process.env['KAGE_BENCH_SAMPLE'];
  if (env) return resolve(env);
  // kageMain() is <dist>/server/main.js
  return join(dirname(dirname(kageMain())), 'e2e', 'sample-apiserver', 'main.js');
}

/** Extra node flags for the sample processes, e.g. KAGE_BENCH_SAMPLE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
function sampleNodeArgs(): string[] {
  const v = process.env['KAGE_BENCH_SAMPLE_NODE_ARGS'];
  return v ? v.split(/\s+/).filter(Boolean) : [];
}

export interface SampleProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  certDir: string;
  /** base64 of <certDir>/ca.crt, for the APIService's caBundle (read after the listening line) */
  caBundle: string;
  stop(): Promise<void>;
}

const LISTENING = /^sample-apiserver listening on https:\/\/127\.0\.0\.1:(\d+)$/m;

/**
 * Starts the sample with kage's front-proxy CA as its requestheader CA. `sans` are the extra names of the
 * generated serving certificate (kage verifies it for <service>.<namespace>.svc).
 */
export async function launchSample(kageDataDir: string, sans: string[], extraArgs: string[] = []): Promise<SampleProcess> {
  const main = sampleMain();
  if (!existsSync(main)) throw new Error(`${main} not found: run \`npm run build\` first`);
  const certDir = tempDir('sample');
  const args = [
    ...sampleNodeArgs(), main, '--port', '0', '--bind-address', '127.0.0.1', '--cert-dir', certDir,
    '--requestheader-client-ca-file', join(kageDataDir, 'pki', 'front-proxy-ca.crt'),
    ...(sans.length ? ['--tls-sans', sans.join(',')] : []),
    ...extraArgs,
  ];
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT });
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (err.length < 10_000) err += d;
  });
  child.stdout?.setEncoding('utf8');
  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error('no listening line within 15 s')), 15_000);
      child.stdout?.on('data', (d: string) => {
        if (out.length < 10_000) out += d;
        const m = LISTENING.exec(out);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening`));
      });
    });
  } catch (e) {
    await stopChild(child, 1000);
    throw new Error(`sample-apiserver ${extraArgs.join(' ')} did not start: ${(e as Error).message}\nstderr:\n${err.slice(0, 2000)}`);
  }
  // The output is only consumed from here on so the pipe never fills.
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  const caBundle = readFileSync(join(certDir, 'ca.crt')).toString('base64');
  return { child, pid: child.pid!, port, certDir, caBundle, stop: () => stopChild(child) };
}

export interface Registration {
  /** APIService name, e.g. v1alpha1.wardle.example.com */
  name: string;
  group: string;
  version: string;
  namespace: string;
  service: string;
  port: number;
  caBundle: string;
}

/** An ExternalName Service pointing at localhost:<port> (a conflict is fine: same spec). */
export async function createExternalNameService(t: HttpsTarget, namespace: string, name: string, port: number): Promise<void> {
  await httpsExpect(t, 'POST', `/api/v1/namespaces/${namespace}/services`, [201, 409], {
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    }),
  });
}

export async function createAPIService(t: HttpsTarget, r: Registration, agent?: Agent): Promise<void> {
  await httpsExpect(t, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', [201], {
    ...(agent ? { agent } : {}),
    body: JSON.stringify({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: r.name },
      spec: {
        group: r.group,
        version: r.version,
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        caBundle: r.caBundle,
        service: { namespace: r.namespace, name: r.service, port: r.port },
      },
    }),
  });
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The APIService's Available condition ('' when it has none yet). */
export async function availableCondition(t: HttpsTarget, name: string): Promise<Condition> {
  const r = await httpsExpect(t, 'GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, [200]);
  const obj = JSON.parse(r.body.toString('utf8')) as { status?: { conditions?: Condition[] } };
  return obj.status?.conditions?.find((c) => c.type === 'Available') ?? {};
}

/** Polls until the Available condition is True; fails with the last condition after timeoutMs. */
export async function waitAvailable(t: HttpsTarget, name: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  let last: Condition = {};
  while (Date.now() - started < timeoutMs) {
    last = await availableCondition(t, name);
    if (last.status === 'True') return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`APIService ${name} not Available after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Namespace + ExternalName Service + APIService, then waits for Available=True; resolves with the wait in ms. */
export async function registerSample(t: HttpsTarget, r: Registration): Promise<number> {
  await ensureNamespace(t, r.namespace);
  await createExternalNameService(t, r.namespace, r.service, r.port);
  await createAPIService(t, r);
  return waitAvailable(t, r.name);
}
