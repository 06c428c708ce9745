// Runs the sample extension API server (the compiled dist/e2e/sample-apiserver/main.js) next to a kage started by
// ./harness.ts, and registers it with kage the way a user would: `kubectl apply` of a Namespace, an ExternalName
// Service (`localhost`) and the APIService v1alpha1.wardle.example.com with the sample's CA as caBundle.
// Every sample process and cert dir is removed by stopSamples() (call it in `after`); a last-resort exit hook kills
// whatever a crashed test left behind. Only 127.0.0.1 is ever contacted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describeResult, makeTempDir, removeDir, REPO_ROOT, track, type KageProcess } from './harness.js';

/** The compiled sample server entry point; `npm run build` makes it. */
export const SAMPLE_MAIN = join(REPO_ROOT, 'dist', 'e2e', 'sample-apiserver', 'main.js');
export const WARDLE_GROUP = 'wardle.example.com';
export const WARDLE_VERSION = 'v1alpha1';
export const WARDLE_GV = `/apis/${WARDLE_GROUP}/${WARDLE_VERSION}`;
export const WARDLE_APISERVICE = `${WARDLE_VERSION}.${WARDLE_GROUP}`;
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 8_000;
const LISTENING = /^sample-apiserver listening on https:\/\/127\.0\.0\.1:(\d+)$/m;

export interface SampleOptions {
  /** `hang-discovery`, `garbage-discovery`, `slow-discovery=<ms>`. */
  misbehave?: string;
  /** The Service the APIService will name (default `api`); the serving certificate carries `<svc>.<ns>.svc`. */
  serviceName?: string;
  /** Default `wardle`. */
  namespace?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Share a cert dir (and so the CA) with another sample; it is then not removed by this sample. */
  certDir?: string;
  /**
   * Find the front-proxy settings through kage (`--kubeconfig <kage kubeconfig>`, reading
   * kube-system/extension-apiserver-authentication) instead of `--requestheader-client-ca-file`.
   */
  viaKubeconfig?: boolean;
  extraArgs?: string[];
}

export interface SampleProcess {
  port: number;
  /** The CA (PEM) that signed the sample's serving certificate: the APIService's caBundle. */
  caPem: string;
  certDir: string;
  serviceName: string;
  namespace: string;
  /** Whether the process is running now. */
  readonly running: boolean;
  /** Everything the sample printed (all of its runs). */
  output(): string;
  /** SIGTERM (SIGKILL after a grace period), waits for the exit. Keeps the cert dir for restart(). */
  stop(): Promise<void>;
  /** Stops it if running and starts it again on the same port with the same certificates and flags. */
  restart(): Promise<void>;
}

// ---- cleanup ------------------------------------------------------------------------------------------------

interface Owned {
  sample: SampleProcess;
  dirs: string[];
}

const owned = new Set<Owned>();
function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** Stops every sample started by this module and removes their temp dirs. */
export async function stopSamples(): Promise<void> {
  const all = [...owned];
  owned.clear();
  await Promise.all(all.map(async (o) => {
    await o.sample.stop();
    for (const d of o.dirs) await removeDir(d);
  }));
}

// ---- ports --------------------------------------------------------------------------------------------------

/** A loopback port that was free a moment ago (bound on port 0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}

// ---- the process --------------------------------------------------------------------------------------------

/** Starts the sample server trusting kage's front-proxy CA; resolves once it printed its listening line. */
export async function startSample(kage: KageProcess, opts: SampleOptions = {}): Promise<SampleProcess> {
  if (!existsSync(SAMPLE_MAIN)) throw new Error(`${SAMPLE_MAIN} is missing: run \`npm run build\` first`);
  const serviceName = opts.serviceName ?? 'api';
  const namespace = opts.namespace ?? 'wardle';
  const dirs: string[] = [];
  let certDir = opts.certDir;
  if (certDir === undefined) {
    certDir = await makeTempDir('kage-sample-');
    dirs.push(certDir);
  }
  const authArgs = opts.viaKubeconfig
    ? ['--kubeconfig', kage.kubeconfig]
    : ['--requestheader-client-ca-file', join(kage.dataDir, 'pki', 'front-proxy-ca.crt')];
  const baseArgs = [
    SAMPLE_MAIN, '--bind-address', '127.0.0.1', '--cert-dir', certDir, ...authArgs,
    '--tls-sans', `${serviceName}.${namespace}.svc`,
    ...(opts.misbehave ? ['--misbehave', opts.misbehave] : []),
    ...(opts.extraArgs ?? []),
  ];

  let out = '';
  let child: ChildProcess | undefined;

  async function launch(port: number): Promise<number> {
    const c = spawn(process.execPath, [...baseArgs, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    track(c);
    child = c;
    let buf = '';
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    return new Promise<number>((resolvePort, reject) => {
      const onData = (d: string): void => {
        out += d;
        buf += d;
        const m = LISTENING.exec(buf);
        if (m) {
          cleanup();
          resolvePort(Number(m[1]));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        reject(new Error(`sample-apiserver exited before listening (code ${code}, signal ${signal}); output:\n${out}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        c.kill('SIGKILL');
        reject(new Error(`sample-apiserver did not print its listening line within ${START_TIMEOUT_MS} ms; output:\n${out}`));
      }, START_TIMEOUT_MS);
      const cleanup = (): void => {
        clearTimeout(timer);
        c.stdout!.off('data', onData);
        c.off('exit', onExit);
        // Keep draining stdout so the child never blocks on a full pipe.
        c.stdout!.on('data', (d: string) => (out += d));
      };
      c.stdout!.setEncoding('utf8').on('data', onData);
      c.once('exit', onExit);
    });
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exit = waitExit(c);
    c.kill('SIGTERM');
    const killer = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(killer);
  }

  const port = await launch(opts.port ?? 0);
  // Read the CA after the listening line: the certificates are regenerated when the requested names change.
  const caPem = await readFile(join(certDir, 'ca.crt'), 'utf8');

  const sample: SampleProcess = {
    port,
    caPem,
    certDir,
    serviceName,
    namespace,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    output: () => out,
    stop,
    async restart() {
      await stop();
      // The port was just released; a moment of EADDRINUSE is retried briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          await launch(port);
          break;
        } catch (err) {
          if (attempt >= 10 || !/EADDRINUSE/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
  owned.add({ sample, dirs });
  return sample;
}

// ---- registration -------------------------------------------------------------------------------------------

export interface RegisterOptions {
  namespace?: string;
  serviceName?: string;
  groupPriorityMinimum?: number;
  versionPriority?: number;
  /** Create the Namespace too (default true; false when it already exists, e.g. `default`). */
  createNamespace?: boolean;
}

/** The Namespace, ExternalName Service and APIService that register a sample, as kubectl manifests. */
export function sampleManifests(sample: SampleProcess, opts: RegisterOptions = {}): object[] {
  const namespace = opts.namespace ?? sample.namespace;
  const serviceName = opts.serviceName ?? sample.serviceName;
  const objects: object[] = [];
  if (opts.createNamespace ?? true) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: serviceName, namespace },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', protocol: 'TCP', port: sample.port, targetPort: sample.port }] },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: WARDLE_APISERVICE },
      spec: {
        group: WARDLE_GROUP,
        version: WARDLE_VERSION,
        service: { namespace, name: serviceName, port: sample.port },
        caBundle: Buffer.from(sample.caPem, 'utf8').toString('base64'),
        groupPriorityMinimum: opts.groupPriorityMinimum ?? 1000,
        versionPriority: opts.versionPriority ?? 15,
      },
    },
  );
  return objects;
}

/** `kubectl apply -f -` of the Namespace, Service and APIService (`--validate=false`: kage serves no OpenAPI yet). */
export async function registerSample(kage: KageProcess, sample: SampleProcess, opts: RegisterOptions = {}): Promise<string> {
  // One JSON document (a v1 List): kubectl reads a JSON stream as JSON only, so `---` separators would not parse.
  const stdin = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: sampleManifests(sample, opts) });
  const args = ['apply', '--validate=false', '-f', '-'];
  const r = await kage.kubectl(args, { stdin });
  if (r.code !== 0) throw new Error(describeResult(args, r));
  return r.stdout;
}

// ---- APIService status --------------------------------------------------------------------------------------

export interface AvailableCondition {
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The Available condition of an APIService, read with a plain GET (undefined when it has none yet). */
export async function availableCondition(kage: KageProcess, name = WARDLE_APISERVICE): Promise<AvailableCondition | undefined> {
  const res = await kage.request('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  if (res.status !== 200) throw new Error(`GET apiservice ${name} → ${res.status}: ${res.body}`);
  const conds = (res.json().status?.conditions ?? []) as Array<AvailableCondition & { type: string }>;
  return conds.find((c) => c.type === 'Available');
}

/** Polls the Available condition until its status is `status`; resolves with it and how long that took. */
export async function waitForAvailable(kage: KageProcess, status: 'True' | 'False', timeoutMs = 10_000, name = WARDLE_APISERVICE): Promise<{ condition: AvailableCondition; elapsedMs: number }> {
  const started = Date.now();
  let last: AvailableCondition | undefined;
  for (;;) {
    try {
      last = await availableCondition(kage, name);
      if (last?.status === status) return { condition: last, elapsedMs: Date.now() - started };
    } catch {
      // kage may be briefly busy; try again until the deadline
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`APIService ${name} not Available=${status} within ${timeoutMs} ms; last condition: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- discovery ----------------------------------------------------------------------------------------------

/** One group of kage's aggregated /apis (apidiscovery.k8s.io/v2), or undefined when it is not listed. */
export async function aggregatedGroup(kage: KageProcess, group = WARDLE_GROUP): Promise<any> {
  const res = await kage.request('GET', '/apis', { headers: { Accept: AGGREGATED_DISCOVERY_V2 } });
  if (res.status !== 200) throw new Error(`GET /apis (aggregated) → ${res.status}: ${res.body}`);
  return (res.json().items as any[]).find((g) => g.metadata?.name === group);
}

/** Runs fn and reports how long it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

// ---- flunders -----------------------------------------------------------------------------------------------

/** A Flunder manifest for `kubectl create -f -`. */
export function flunderManifest(namespace: string, name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: `${WARDLE_GROUP}/${WARDLE_VERSION}`, kind: 'Flunder', metadata: { name, namespace }, spec });
}
