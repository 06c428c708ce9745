// The aggregator's proxy, as kube-aggregator's handler_proxy.go: a request under /apis/<group>/<version> of a
// group version that a non-local APIService claims is sent to that APIService's backend and never reaches local
// handling (the exchange itself is proxy-exchange.ts). The caller's identity travels in X-Remote-* headers over a
// connection authenticated with kage's front-proxy client certificate.
//
// Failures answer as the real aggregator does, in text/plain (http.Error):
//   APIService not Available                → 503 "service unavailable"
//   service cannot be resolved              → 503 "service unavailable"
//   TLS settings unusable (bad caBundle)    → 500 "<error>"
//   backend unreachable (dial, TLS, EOF)    → 503 "error trying to reach service: <Go-worded error>"
//   backend answers with a redirect         → 502 "the backend attempted to redirect this request, which is not permitted"
// /apis/<group>/<version> itself (discovery) must finish within the discovery timeout; connecting (TCP + TLS) is
// bounded for every request; other short requests get kube-apiserver's 60 s request deadline (504 Timeout Status).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EarlyHandler, RequestContext } from '../server/app.js';
import { sendError } from '../server/http/respond.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, isLongRunning, requestDeadlineMs } from '../server/http/request-deadline.js';
import type { RequestInfo } from '../server/http/request-info.js';
import type { Store } from '../storage/store.js';
import type { APIServiceInfo, APIServiceRegistry } from './apiservice-registry.js';
import { loadPoolModule, poolModuleLoaded, type BackendPools } from './backend-pools.js';
import type { BackendTls } from './backend-tls.js';
import { joinHostPort } from './network-errors.js';
import { forward, writeProxyError } from './proxy-exchange.js';
import { backendRequestHeaders } from './proxy-headers.js';
import { BackendResolver, pickAddress, type BackendAddress } from './service-resolver.js';

export { REDIRECT_REJECTED_MESSAGE, REQUEST_TIMEOUT_MESSAGE, writeProxyError } from './proxy-exchange.js';
export const SERVICE_UNAVAILABLE_MESSAGE = 'service unavailable';
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export interface ProxyHandlerOptions {
  apiServices: APIServiceRegistry;
  store: Store;
  tls: BackendTls;
  /** Deadline of /apis/<group>/<version> requests (default 5000). */
  discoveryTimeoutMs?: number;
  /** Deadline for connecting to the backend, TCP and TLS (default 30000). */
  connectTimeoutMs?: number;
  /** Deadline of requests that are not long-running (default 60000). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The non-local APIService serving a request's group version, if any (never for /apis/<group> alone). */
export function remoteAPIServiceFor(apiServices: APIServiceRegistry, info: RequestInfo): APIServiceInfo | undefined {
  if (info.apiPrefix !== 'apis' || !info.group || !info.version) return undefined;
  const svc = apiServices.forGroupVersion(info.group, info.version);
  return svc?.service ? svc : undefined;
}

/** Whether a request is discovery of one group version (/apis/<group>/<version>), as NewRequestForProxy tells. */
export function isGroupVersionDiscovery(info: RequestInfo): boolean {
  return !info.isResourceRequest && info.path.replace(/^\/+|\/+$/g, '').split('/').length === 3;
}

/** The raw request target (path and query exactly as the client sent them). */
export function requestTarget(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

/** The EarlyHandler that proxies requests of remote APIServices; false (untouched) for everything else. */
export function createProxyHandler(opts: ProxyHandlerOptions): EarlyHandler {
  const discoveryTimeoutMs = opts.discoveryTimeoutMs ?? 5000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const resolver = new BackendResolver(opts.store);

  const forwardTo = (
    req: IncomingMessage, res: ServerResponse, ctx: RequestContext, pools: BackendPools, address: BackendAddress, deadlineMs: number | undefined,
  ): void => {
    const backendHost = joinHostPort(address.host, address.port);
    forward(req, res, {
      pool: pools.poolFor(address),
      address,
      servername: pools.servername,
      target: requestTarget(req),
      headers: backendRequestHeaders(req, { user: ctx.user!, backendHost, path: ctx.path, upgrade: false }),
      ...(isGroupVersionDiscovery(ctx.info) ? { discoveryDeadlineMs: discoveryTimeoutMs } : {}),
      ...(deadlineMs === undefined ? {} : { requestDeadlineMs: deadlineMs }),
    });
  };

  // Synchronous when the backend's addresses are known (the common case): no promise per proxied request.
  const handle = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): boolean | Promise<boolean> => {
    const apiService = remoteAPIServiceFor(opts.apiServices, ctx.info);
    if (!apiService) return false;
    if (!poolModuleLoaded()) {
      return loadPoolModule().then(
        () => handle(req, res, ctx),
        (err: unknown) => {
          req.resume();
          writeProxyError(res, 500, `loading the proxy's HTTP client: ${(err as Error).message}`);
          return true;
        },
      );
    }
    // kube-apiserver's request deadline, shortened by the client's ?timeout= (a malformed one is a 400). Its
    // filter runs before the aggregator, so it answers first.
    let deadlineMs: number | undefined;
    if (!isLongRunning(ctx.info)) {
      const d = requestDeadlineMs(req.url?.includes('timeout=') ? ctx.query.get('timeout') : null, requestTimeoutMs);
      if (typeof d !== 'number') {
        req.resume();
        sendError(res, d);
        return true;
      }
      deadlineMs = d;
    }
    const answer = (code: number, message: string): true => {
      req.resume();
      writeProxyError(res, code, message);
      return true;
    };
    if (apiService.available.status !== 'True') return answer(503, SERVICE_UNAVAILABLE_MESSAGE);
    const transport = opts.tls.poolsFor(apiService, connectTimeoutMs);
    if (!transport.ok) return answer(500, transport.error);
    if (!ctx.user) return answer(500, 'missing user');
    const ref = apiService.service!;
    const known = resolver.cached(ref);
    if (known) {
      forwardTo(req, res, ctx, transport.pools, pickAddress(known), deadlineMs);
      return true;
    }
    return resolver.resolve(ref).then(
      (addresses) => {
        if (res.destroyed || res.writableEnded || req.socket?.destroyed) return true;
        forwardTo(req, res, ctx, transport.pools, pickAddress(addresses), deadlineMs);
        return true;
      },
      (err: unknown) => {
        opts.log?.(`kage: error resolving ${ref.namespace}/${ref.name}: ${(err as Error).message}`);
        return answer(503, SERVICE_UNAVAILABLE_MESSAGE);
      },
    );
  };
  return handle;
}
