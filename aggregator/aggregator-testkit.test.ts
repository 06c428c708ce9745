// Helpers for the aggregator's tests (named *.test.ts so builds leave it out; it holds no tests itself): kage
// started in-process on a free port with a temp data dir, small HTTPS extension API servers that check kage's
// front-proxy client certificate and record what they saw, certificates for them, and the objects that register
// them (Service, Endpoints, APIService).
import { randomBytes, webcrypto, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { x509 } from '../server/pki/x509.js';
import { startKage, type KageOptions, type RunningKage } from '../server/kage.js';

// ---------------------------------------------------------------------------------------------
// kage

export interface TestKage {
  kage: RunningKage;
  url: string;
  port: number;
  token: string;
  dataDir: string;
  /** PEM of kage's cluster CA (trust it to talk to kage). */
  caPem: string;
  /** PEM of kage's front-proxy CA (backends trust it for kage's client certificate). */
  frontProxyCaPem: string;
  close(): Promise<void>;
}

/** Starts kage on 127.0.0.1 with a free port and a temp data dir (removed by close()). */
export async function startTestKage(opts: Partial<KageOptions> = {}, dataDir?: string): Promise<TestKage> {
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'kage-aggregator-'));
  const kage = await startKage({
    port: 0,
    bindAddress: '127.0.0.1',
    dataDir: dir,
    kubeconfigPath: join(dir, 'kubeconfig'),
    logLevel: 'warn',
    ...opts,
  });
  const token = (await readFile(join(dir, 'pki', 'admin-token'), 'utf8')).trim();
  const caPem = await readFile(join(dir, 'pki', 'ca.crt'), 'utf8');
  const frontProxyCaPem = await readFile(join(dir, 'pki', 'front-proxy-ca.crt'), 'utf8');
  return {
    kage, url: kage.url, port: kage.port, token, dataDir: dir, caPem, frontProxyCaPem,
    async close() {
      await kage.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface RequestOptions {
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Bearer token; null sends none. Default: the admin token. */
  token?: string | null;
  timeoutMs?: number;
}

/** One request to kage, answered in full (rejects after timeoutMs, default 10 s). */
export function kageRequest(k: TestKage, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? k.token : opts.token;
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = httpsRequest({ host: '127.0.0.1', port: k.port, method, path, headers, ca: k.caPem, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 10_000} ms`));
    }, opts.timeoutMs ?? 10_000);
    req.on('error', (err) => { clearTimeout(timer); reject(err); });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    req.end(opts.body);
  });
}

/** JSON body of a request that must succeed. */
export async function kageJson(k: TestKage, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await kageRequest(k, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Polls `probe` until it returns something other than undefined (rejects after timeoutMs). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface AvailableConditionView {
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  resourceVersion: string;
}

/** The Available condition of an APIService as kage serves it. */
export async function availableCondition(k: TestKage, name: string): Promise<AvailableConditionView | undefined> {
  const res = await kageRequest(k, 'GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  if (res.status !== 200) return undefined;
  const obj = JSON.parse(res.body) as { metadata: { resourceVersion: string }; status?: { conditions?: Array<Record<string, string>> } };
  const c = obj.status?.conditions?.find((x) => x['type'] === 'Available');
  if (!c) return undefined;
  return { status: c['status']!, reason: c['reason'] ?? '', message: c['message'] ?? '', lastTransitionTime: c['lastTransitionTime'] ?? '', resourceVersion: obj.metadata.resourceVersion };
}

/** Waits until the APIService's Available condition has `status` (and `reason`, when given). */
export function waitForCondition(k: TestKage, name: string, status: string, reason?: string, timeoutMs = 10_000): Promise<AvailableConditionView> {
  return waitFor(`APIService ${name} to be ${status}${reason ? ` (${reason})` : ''}`, async () => {
    const c = await availableCondition(k, name);
    return c && c.status === status && (reason === undefined || c.reason === reason) ? c : undefined;
  }, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// certificates

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** A self-signed test CA. */
export async function createTestCa(commonName: string): Promise<CertAndKey> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 24 * 3600_000),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** A serving certificate signed by `ca` for DNS names and IP addresses (`sans`). */
export async function createServingCert(ca: CertAndKey, commonName: string, sans: string[]): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(ca.keyPem).export({ format: 'der', type: 'pkcs8' }), EC, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const names = sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 24 * 3600_000),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

export function base64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

// ---------------------------------------------------------------------------------------------
// extension API servers

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  /** The client certificate verified against the front-proxy CA. */
  authorized: boolean;
  clientCN: string;
  body: Buffer;
}

/** Answers a request and returns true, or false to fall back to the default routes (discovery, else 404). */
export type BackendHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => boolean | void;

export interface BackendOptions {
  serving: CertAndKey;
  /** Client certificates are checked against this (kage's front-proxy CA). */
  frontProxyCaPem: string;
  handler?: BackendHandler;
  /** Listen on this port (to restart a backend where it was). */
  port?: number;
  /** Read request bodies before calling the handler (default true). */
  readBody?: boolean;
}

export interface TestBackend {
  server: Server;
  port: number;
  seen: SeenRequest[];
  /** Requests by users other than system:kube-aggregator (what clients sent through the proxy). */
  proxied(): SeenRequest[];
  close(): Promise<void>;
}

/** An APIResourceList for a group version, as /apis/<group>/<version> answers. */
export function resourceList(group: string, version: string): unknown {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`,
    resources: [{ name: 'things', singularName: 'thing', namespaced: true, kind: 'Thing', verbs: ['get', 'list', 'watch', 'create'] }],
  };
}

export function isProbe(req: IncomingMessage): boolean {
  return req.headers['x-remote-user'] === 'system:kube-aggregator';
}

/** Starts an HTTPS extension API server on 127.0.0.1 that records every request. */
export async function startBackend(opts: BackendOptions): Promise<TestBackend> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({
    key: opts.serving.keyPem, cert: opts.serving.certPem, ca: opts.frontProxyCaPem, requestCert: true, rejectUnauthorized: false,
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const record: SeenRequest = {
      method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders,
      authorized: socket.authorized, clientCN: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : '', body: Buffer.alloc(0),
    };
    seen.push(record);
    const dispatch = (): void => {
      if (opts.handler?.(req, res, record) === true) return;
      const m = /^\/apis\/([^/]+)\/([^/?]+)\/?(\?.*)?$/.exec(req.url ?? '');
      if (req.method === 'GET' && m) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(resourceList(m[1]!, m[2]!)));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    };
    if (opts.readBody === false) return dispatch();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      record.body = Buffer.concat(chunks);
      dispatch();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server, port, seen,
    proxied: () => seen.filter((s) => s.headers['x-remote-user'] !== 'system:kube-aggregator'),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// registration

export interface RegisterOptions {
  group: string;
  version: string;
  port: number;
  namespace?: string;
  serviceName?: string;
  /** 'external' (default): ExternalName localhost; 'endpoints': a ClusterIP service with Endpoints 127.0.0.1. */
  via?: 'external' | 'endpoints';
  caBundle?: string;
  insecureSkipTLSVerify?: boolean;
}

/** Creates the Service (and Endpoints) and the APIService for a backend; returns the APIService name. */
export async function registerBackend(k: TestKage, o: RegisterOptions): Promise<string> {
  const ns = o.namespace ?? 'default';
  const svc = o.serviceName ?? `svc-${o.group.split('.')[0]}-${o.version}`;
  if ((o.via ?? 'external') === 'external') {
    await kageJson(k, 'POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: svc },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: o.port }] },
    });
  } else {
    await kageJson(k, 'POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: svc }, spec: { ports: [{ name: 'https', port: 443, targetPort: o.port }] },
    });
    await kageJson(k, 'POST', `/api/v1/namespaces/${ns}/endpoints`, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: o.port }] }],
    });
  }
  const name = `${o.version}.${o.group}`;
  const spec: Record<string, unknown> = {
    group: o.group, version: o.version, groupPriorityMinimum: 1000, versionPriority: 15,
    service: { namespace: ns, name: svc, port: (o.via ?? 'external') === 'external' ? o.port : 443 },
  };
  if (o.caBundle) spec['caBundle'] = o.caBundle;
  if (o.insecureSkipTLSVerify ?? !o.caBundle) spec['insecureSkipTLSVerify'] = true;
  await kageJson(k, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec,
  });
  return name;
}
