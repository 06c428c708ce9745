// Test helpers for the discovery and OpenAPI aggregation tests: real HTTPS backends on loopback, a small
// BackendFetcher that reaches them (the service port is the backend's real port), and an in-memory
// APIService registry. (Named *.test.ts so builds leave it out; it holds no tests itself.)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../e2e/reference.js';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../server/api/types.js';
import { ensurePki } from '../server/pki/certificates.js';
import { apiServiceInfo, type APIServiceInfo, type APIServiceListener } from './apiservice-registry.js';
import { BackendError, type BackendFetcher, type BackendGetOptions, type BackendResponse } from './backend.js';
import type { APIServiceSource } from './discovery-refresher.js';

export function referenceJson<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, name), 'utf8')) as T;
}

export interface TestTls {
  key: string;
  cert: string;
  ca: string;
  cleanup(): void;
}

/** A serving certificate for 127.0.0.1 and the CA that signed it, in a temporary directory. */
export async function testTls(): Promise<TestTls> {
  const dir = mkdtempSync(join(tmpdir(), 'kage-disco-pki-'));
  const pki = await ensurePki(dir);
  return { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestBackend {
  port: number;
  requests: SeenRequest[];
  /** Replaces what the backend answers. */
  setHandler(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 answering with `handler` (which may also never answer). */
export async function startBackend(tls: TestTls, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestBackend> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    current(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    setHandler(h) {
      current = h;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/** Reaches test backends: the APIService's service port is the loopback port of the backend. */
export class TestFetcher implements BackendFetcher {
  calls = 0;
  constructor(private readonly ca: string) {}

  get(apiService: APIServiceInfo, path: string, opts: BackendGetOptions): Promise<BackendResponse> {
    this.calls++;
    const svc = apiService.service;
    if (!svc) return Promise.reject(new BackendError('ServiceNotFound', `${apiService.name} has no service`));
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (opts.accept) headers['Accept'] = opts.accept;
      if (opts.etag) headers['If-None-Match'] = opts.etag;
      const req = request({ host: '127.0.0.1', port: svc.port, path, method: 'GET', ca: this.ca, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', () => undefined);
      });
      const timer = setTimeout(() => req.destroy(new BackendError('FailedDiscoveryCheck', `timed out after ${opts.timeoutMs}ms`)), opts.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof BackendError ? err : new BackendError('FailedDiscoveryCheck', err.message));
      });
      req.end();
    });
  }
}

export interface APIServiceSpec {
  group: string;
  version: string;
  port: number;
  serviceName?: string;
  namespace?: string;
  groupPriorityMinimum?: number;
  versionPriority?: number;
  available?: 'True' | 'False' | 'Unknown';
}

/** An APIService object as stored. */
export function apiServiceObject(s: APIServiceSpec): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${s.version}.${s.group}` },
    spec: {
      service: { namespace: s.namespace ?? 'test', name: s.serviceName ?? 'api', port: s.port },
      group: s.group,
      version: s.version,
      groupPriorityMinimum: s.groupPriorityMinimum ?? 1000,
      versionPriority: s.versionPriority ?? 15,
    },
  };
  if (s.available) {
    obj['status'] = { conditions: [{ type: 'Available', status: s.available, reason: s.available === 'True' ? 'Passed' : 'FailedDiscoveryCheck', message: '' }] };
  }
  return obj;
}

/** An in-memory stand-in for APIServiceRegistry. */
export class MemoryAPIServices implements APIServiceSource {
  private readonly byName = new Map<string, APIServiceInfo>();
  private readonly listeners = new Set<APIServiceListener>();

  put(obj: KubeObject): void {
    const now = apiServiceInfo(obj);
    const before = this.byName.get(now.name);
    this.byName.set(now.name, now);
    for (const l of this.listeners) l(now.name, now, before);
  }

  add(spec: APIServiceSpec): void {
    this.put(apiServiceObject(spec));
  }

  delete(name: string): void {
    const before = this.byName.get(name);
    if (!before) return;
    this.byName.delete(name);
    for (const l of this.listeners) l(name, undefined, before);
  }

  remote(): APIServiceInfo[] {
    return [...this.byName.values()].filter((a) => a.service !== undefined);
  }

  onChange(listener: APIServiceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Answers a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The wardle group as a real 1.32 cluster lists it in aggregated discovery. */
export function wardleAggregatedItem(): any {
  const list = referenceJson('aggregated-discovery-apis.json');
  return list.items.find((i: any) => i.metadata.name === 'wardle.example.com');
}

/**
 * A backend with aggregated discovery: /apis lists `items` with an ETag (If-None-Match gets 304); counts 304s.
 * With `legacyOnly` it instead ignores the aggregated Accept and lists an APIGroupList, and serves
 * /apis/<group>/<version> from `legacyLists`.
 */
export function discoveryHandler(opts: {
  items?: unknown[];
  etag?: string;
  legacyOnly?: boolean;
  legacyLists?: Record<string, unknown>;
  notModified?: { count: number };
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (opts.extra?.(req, res)) return;
    const path = (req.url ?? '').split('?')[0];
    if (path === '/apis') {
      if (opts.legacyOnly) {
        sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
        return;
      }
      const etag = `"${opts.etag ?? 'ETAG1'}"`;
      if (req.headers['if-none-match'] === etag) {
        if (opts.notModified) opts.notModified.count++;
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      sendJson(res, 200, { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: opts.items ?? [] }, {
        'Content-Type': AGGREGATED_CONTENT_TYPE,
        ETag: etag,
      });
      return;
    }
    const list = opts.legacyLists?.[path ?? ''];
    if (list) {
      sendJson(res, 200, list);
      return;
    }
    sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' });
  };
}

/** Never answers (the connection stays open until the server closes). */
export function hungHandler(): (req: IncomingMessage, res: ServerResponse) => void {
  return () => undefined;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns how long it took. */
export async function waitFor(check: () => boolean, timeoutMs: number, what = 'condition'): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The longest time `fn` took over `n` calls, in milliseconds. */
export function slowestCall(fn: () => unknown, n = 50): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    worst = Math.max(worst, performance.now() - t);
  }
  return worst;
}
