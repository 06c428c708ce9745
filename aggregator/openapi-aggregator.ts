// /openapi/v3 of the aggregation layer: one index listing the OpenAPI v3 documents of every available
// extension API server (and, later, kage's own), each path pointing at kage's /openapi/v3/<path>?hash=...,
// and GET /openapi/v3/<path> answered by proxying to the backend that serves it. Backends' indexes are
// fetched in the background like their discovery; a request never waits for an index. /openapi/v2 is not
// served (404) until kage has OpenAPI of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Status } from '../server/api/types.js';
import { goJson } from '../server/discovery/encode.js';
import type { APIServiceInfo } from './apiservice-registry.js';
import type { BackendFetcher, BackendResponse } from './backend.js';
import { DiscoveryFormatError } from './discovery-documents.js';
import {
  apiServicesByBackend,
  backendKey,
  type BackendRefresher,
  createRefresher,
  boundedGet,
  needsRefetch,
  type APIServiceSource,
} from './discovery-refresher.js';
import { compareKubeAwareVersions } from '../server/discovery/priorities.js';
import { expiresOneYearAfter, isIndexPath, OPENAPI_V3_PREFIX, openAPIIndexDocument, parseOpenAPIIndex } from './openapi-index.js';

/**
 * OpenAPI v3 documents kage serves itself (none yet: the OpenAPI issue adds them). Its paths are listed in
 * the index unless an APIService backed by a service takes the same path over.
 */
export interface OpenAPIV3LocalSource {
  /** Path ("api/v1", "apis/apps/v1", "version"...) → hash of the current document. */
  paths(): ReadonlyMap<string, string>;
  /** Answers GET/HEAD /openapi/v3/<path> (req.url has the query, e.g. ?hash=). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void>;
  /** Calls `listener` when paths() changes. */
  onChange?(listener: () => void): () => void;
}

export interface OpenAPIAggregatorOptions {
  registry: APIServiceSource;
  fetcher: BackendFetcher;
  /** Bound of each index fetch (the --discovery-timeout; default 5000). */
  indexTimeoutMs?: number;
  /** Bound of a proxied document request (default 60000, kube-aggregator's spec download timeout). */
  documentTimeoutMs?: number;
  /** Time between index refreshes of a healthy backend (default 30000). */
  refreshIntervalMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  maxConcurrent?: number;
  local?: OpenAPIV3LocalSource;
  log?: (message: string) => void;
  /** The clock (tests). */
  now?: () => Date;
}

/** A plain Node handler: true when it answered (or is answering) the request. */
export type OpenAPIHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

interface IndexState {
  /** Last good index of the backend: path → hash. */
  paths?: Map<string, string>;
  etag?: string;
  ok: boolean;
  lastError?: string;
  generation: number;
}

type Route =
  | { kind: 'remote'; backend: string; apiService: APIServiceInfo; hash: string }
  | { kind: 'local'; hash: string };

const NOT_FOUND: Status = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
};

const METHOD_NOT_ALLOWED: Status = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405,
};

function serviceUnavailable(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 };
}

function sendStatus(req: IncomingMessage, res: ServerResponse, status: Status): void {
  const body = goJson(status);
  res.statusCode = status.code;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

function header(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s : undefined;
}

function unquote(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  const e = etag.startsWith('W/') ? etag.slice(2) : etag;
  return e.length >= 2 && e.startsWith('"') && e.endsWith('"') ? e.slice(1, -1) : e;
}

/** The merged /openapi/v3 of kage and its extension API servers. */
export class OpenAPIAggregator {
  private readonly registry: APIServiceSource;
  private readonly fetcher: BackendFetcher;
  private readonly indexTimeoutMs: number;
  private readonly documentTimeoutMs: number;
  private readonly local: OpenAPIV3LocalSource | undefined;
  private readonly log: (message: string) => void;
  private readonly now: () => Date;
  private readonly refresher: BackendRefresher;
  private readonly indexes = new Map<string, IndexState>();
  private readonly listeners = new Set<() => void>();
  private routes = new Map<string, Route>();
  private indexBody = '{"paths":{}}';
  private lastModified: string;
  private unsubscribe: Array<() => void> = [];
  private started = false;
  private stopped = false;
  private generations = 0;

  constructor(opts: OpenAPIAggregatorOptions) {
    this.registry = opts.registry;
    this.fetcher = opts.fetcher;
    this.indexTimeoutMs = opts.indexTimeoutMs ?? 5000;
    this.documentTimeoutMs = opts.documentTimeoutMs ?? 60_000;
    this.local = opts.local;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? (() => new Date());
    this.lastModified = this.now().toUTCString();
    this.refresher = createRefresher(opts, (key) => this.refresh(key));
  }

  /** Follows the registry (and the local source) and starts fetching every backend's index; returns at once. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.unsubscribe.push(this.registry.onChange((_name, now, before) => this.apiServiceChanged(now, before)));
    if (this.local?.onChange) this.unsubscribe.push(this.local.onChange(() => this.recompute()));
    this.recompute();
    for (const key of apiServicesByBackend(this.registry).keys()) this.refresher.trigger(key);
    return this;
  }

  stop(): void {
    this.stopped = true;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.refresher.stop();
    this.listeners.clear();
  }

  /** Rebuilds the index (e.g. after the local source changed without telling). */
  invalidate(): void {
    this.recompute();
  }

  /** Refetches every backend's index now (in the background). */
  refreshAll(): void {
    for (const key of apiServicesByBackend(this.registry).keys()) this.refresher.trigger(key);
  }

  /** Resolves once no index refresh is queued or running. */
  settled(): Promise<void> {
    return this.refresher.idle();
  }

  /** The merged index's paths with their hashes (what GET /openapi/v3 lists). */
  paths(): Map<string, string> {
    return new Map([...this.routes].map(([path, r]) => [path, r.hash]));
  }

  /** Calls `listener` whenever the index changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Answers /openapi/v3, /openapi/v3/<path> and /openapi/v2; returns false for every other path. */
  readonly handle: OpenAPIHandler = (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (path === '/openapi/v2' || path.startsWith('/openapi/v2/')) {
      sendStatus(req, res, NOT_FOUND);
      return true;
    }
    if (path !== OPENAPI_V3_PREFIX && !path.startsWith(`${OPENAPI_V3_PREFIX}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(req, res, METHOD_NOT_ALLOWED);
      return true;
    }
    if (path === OPENAPI_V3_PREFIX) {
      this.sendIndex(req, res);
      return true;
    }
    const key = path.slice(OPENAPI_V3_PREFIX.length + 1);
    const route = this.routes.get(key);
    if (!route) {
      sendStatus(req, res, NOT_FOUND);
      return true;
    }
    if (route.kind === 'local') {
      return Promise.resolve(this.local!.serve(req, res, key)).then(
        () => true,
        (err: unknown) => {
          this.log(`OpenAPI document ${key} failed: ${(err as Error).message}`);
          if (!res.headersSent) sendStatus(req, res, serviceUnavailable(`OpenAPI document ${key} unavailable`));
          else res.destroy();
          return true;
        },
      );
    }
    return this.proxy(req, res, key, query, route).then(() => true);
  };

  private sendIndex(req: IncomingMessage, res: ServerResponse): void {
    // As kube-apiserver answers it: the index goes through http.ServeContent without a type, which sniffs
    // text/plain (openapi-v3-index.headers).
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('Last-Modified', this.lastModified);
    res.setHeader('Content-Length', Buffer.byteLength(this.indexBody));
    res.end(req.method === 'HEAD' ? undefined : this.indexBody);
  }

  private async proxy(req: IncomingMessage, res: ServerResponse, key: string, query: string, route: Extract<Route, { kind: 'remote' }>): Promise<void> {
    const path = `${OPENAPI_V3_PREFIX}/${key}${query ? `?${query}` : ''}`;
    let answer: BackendResponse;
    try {
      const ifNoneMatch = header(req.headers['if-none-match']);
      answer = await boundedGet(this.fetcher, route.apiService, path, {
        timeoutMs: this.documentTimeoutMs,
        accept: header(req.headers.accept) ?? 'application/json',
        ...(ifNoneMatch ? { etag: ifNoneMatch } : {}),
      });
    } catch (err) {
      this.refresher.trigger(route.backend);
      if (res.headersSent || res.destroyed) return;
      sendStatus(req, res, serviceUnavailable(`error trying to reach service: ${(err as Error).message}`));
      return;
    }
    if (res.destroyed) return;
    const requestedHash = new URLSearchParams(query).get('hash') ?? '';
    const etag = header(answer.headers['etag']);
    const servedHash = unquote(etag) ?? route.hash;
    const headers: Record<string, string> = {};
    if (answer.status === 200 || answer.status === 304) {
      headers['Content-Type'] = header(answer.headers['content-type']) ?? 'application/json';
      if (etag) headers['ETag'] = etag;
      const lastModified = header(answer.headers['last-modified']);
      if (lastModified) headers['Last-Modified'] = lastModified;
      headers['Vary'] = 'Accept';
      if (requestedHash && requestedHash === servedHash) {
        headers['Cache-Control'] = 'public, immutable';
        headers['Expires'] = expiresOneYearAfter(this.now());
      } else {
        headers['Cache-Control'] = 'no-cache, private';
      }
      if (answer.status === 304) delete headers['Content-Type'];
      if (requestedHash && servedHash !== route.hash) this.refresher.trigger(route.backend);
    } else {
      // Redirects to the current hash, 404s, 406s...: passed on as they are; the index may be behind.
      const type = header(answer.headers['content-type']);
      if (type) headers['Content-Type'] = type;
      const location = header(answer.headers['location']);
      if (location && location.startsWith(`${OPENAPI_V3_PREFIX}/`)) headers['Location'] = location;
      headers['Cache-Control'] = 'no-cache, private';
      this.refresher.trigger(route.backend);
    }
    res.statusCode = answer.status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (answer.status === 304 || answer.status === 204) {
      res.end();
      return;
    }
    res.setHeader('Content-Length', answer.body.length);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }

  private apiServiceChanged(now: APIServiceInfo | undefined, before: APIServiceInfo | undefined): void {
    const live = apiServicesByBackend(this.registry);
    for (const a of [now, before]) {
      const key = a && backendKey(a);
      if (!key) continue;
      if (!live.has(key)) {
        this.refresher.remove(key);
        this.indexes.delete(key);
      } else if (needsRefetch(now, before)) {
        this.refresher.trigger(key);
      }
    }
    this.recompute();
  }

  private async refresh(key: string): Promise<boolean> {
    const claimed = apiServicesByBackend(this.registry).get(key);
    if (!claimed || claimed.length === 0) {
      this.indexes.delete(key);
      this.refresher.remove(key);
      this.recompute();
      return true;
    }
    let state = this.indexes.get(key);
    if (!state) this.indexes.set(key, (state = { ok: false, generation: ++this.generations }));
    const generation = state.generation;
    let update: Partial<IndexState>;
    try {
      const res = await boundedGet(this.fetcher, claimed[0]!, OPENAPI_V3_PREFIX, {
        timeoutMs: this.indexTimeoutMs,
        accept: 'application/json',
        ...(state.paths && state.etag ? { etag: state.etag } : {}),
      });
      if (res.status === 304) {
        if (!state.paths) throw new DiscoveryFormatError('304 Not Modified without a cached index');
        update = { ok: true, lastError: undefined };
      } else if (res.status === 200) {
        update = { paths: parseOpenAPIIndex(res.body), etag: header(res.headers['etag']), ok: true, lastError: undefined };
      } else if (res.status === 404) {
        // No OpenAPI v3 there (kube-aggregator would convert its v2; kage lists nothing for it).
        update = { paths: new Map(), etag: undefined, ok: true, lastError: undefined };
      } else {
        throw new DiscoveryFormatError(`GET ${OPENAPI_V3_PREFIX}: status ${res.status}`);
      }
    } catch (err) {
      // The last good index stays: a document request still has somewhere to go when the backend is back.
      update = { ok: false, lastError: (err as Error).message };
      this.log(`OpenAPI index of ${key} failed: ${(err as Error).message}`);
    }
    if (this.stopped || this.indexes.get(key) !== state || state.generation !== generation) return update.ok ?? false;
    Object.assign(state, update);
    this.recompute();
    return state.ok;
  }

  /** Rebuilds the routes and the index body; tells listeners when the index changed. */
  private recompute(): void {
    const routes = new Map<string, Route>();
    const local = this.local?.paths() ?? new Map<string, string>();
    for (const [path, hash] of local) if (isIndexPath(path)) routes.set(path, { kind: 'local', hash });
    // Group paths ("apis/<group>") go to the backend of the group's preferred version.
    const groupOwner = new Map<string, APIServiceInfo>();
    const services = this.registry.remote().filter((a) => a.service && a.version && a.available.status !== 'False');
    services.sort((x, y) =>
      y.versionPriority - x.versionPriority || compareKubeAwareVersions(y.version, x.version) || (x.name < y.name ? -1 : 1));
    for (const a of services) {
      const backend = backendKey(a)!;
      const paths = this.indexes.get(backend)?.paths;
      if (!paths) continue;
      const gvPath = a.group ? `apis/${a.group}/${a.version}` : `api/${a.version}`;
      const hash = paths.get(gvPath);
      if (hash !== undefined) routes.set(gvPath, { kind: 'remote', backend, apiService: a, hash });
      if (a.group && !groupOwner.has(a.group)) {
        groupOwner.set(a.group, a);
        const groupPath = `apis/${a.group}`;
        const groupHash = paths.get(groupPath);
        if (groupHash !== undefined && !local.has(groupPath)) routes.set(groupPath, { kind: 'remote', backend, apiService: a, hash: groupHash });
      }
    }
    const body = goJson(openAPIIndexDocument(new Map([...routes].map(([p, r]) => [p, r.hash]))));
    this.routes = routes;
    if (body === this.indexBody) return;
    this.indexBody = body;
    this.lastModified = this.now().toUTCString();
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.log(`OpenAPI change listener failed: ${(err as Error).message}`);
      }
    }
  }
}

