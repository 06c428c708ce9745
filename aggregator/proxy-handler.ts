// The aggregator's proxy, as kube-aggregator's handler_proxy.go: a request under /apis/<group>/<version> of a
// group version that a non-local APIService claims is sent to that APIService's backend and never reaches local
// handling. Everything streams both ways (watches, large lists, uploads); the caller's identity travels in
// X-Remote-* headers over a connection authenticated with kage's front-proxy client certificate.
//
// Failures answer as the real aggregator does, in text/plain (http.Error):
//   APIService not Available                → 503 "service unavailable"
//   service cannot be resolved              → 503 "service unavailable"
//   TLS settings unusable (bad caBundle)    → 500 "<error>"
//   backend unreachable (dial, TLS, EOF)    → 503 "error trying to reach service: <Go-worded error>"
//   backend answers with a redirect         → 502 "the backend attempted to redirect this request, which is not permitted"
// /apis/<group>/<version> itself (discovery) must finish within the discovery timeout; connecting (TCP + TLS) is
// bounded for every request; other short requests get kube-apiserver's 60 s request deadline (504 Timeout Status).
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { timeout as timeoutError, withDetails } from '../server/api/errors.js';
import type { EarlyHandler, RequestContext } from '../server/app.js';
import type { RequestInfo } from '../server/http/request-info.js';
import { sendError } from '../server/http/respond.js';
import type { Store } from '../storage/store.js';
import type { APIServiceInfo, APIServiceRegistry } from './apiservice-registry.js';
import type { BackendTls } from './backend-tls.js';
import { codedError, describeNetworkError, joinHostPort } from './network-errors.js';
import { backendRequestHeaders, clientResponseHeaders, toHeaderObject } from './proxy-headers.js';
import { resolveBackend } from './service-resolver.js';

export const SERVICE_UNAVAILABLE_MESSAGE = 'service unavailable';
export const REDIRECT_REJECTED_MESSAGE = 'the backend attempted to redirect this request, which is not permitted';
export const REQUEST_TIMEOUT_MESSAGE = 'Timeout: request did not complete within requested timeout - context deadline exceeded';

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

// Verbs and subresources kube-apiserver treats as long-running (no request deadline).
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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

function isLongRunning(info: RequestInfo): boolean {
  return LONG_RUNNING_VERBS.has(info.verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}

/** http.Error: a text/plain body with a newline, nosniff. Cuts the response when it already started. */
export function writeProxyError(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(code, {
    'Cache-Control': 'no-cache, private',
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
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

  return async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<boolean> => {
    const apiService = remoteAPIServiceFor(opts.apiServices, ctx.info);
    if (!apiService) return false;
    const answer = (code: number, message: string): true => {
      req.resume();
      writeProxyError(res, code, message);
      return true;
    };
    if (apiService.available.status !== 'True') return answer(503, SERVICE_UNAVAILABLE_MESSAGE);
    const agent = opts.tls.agentFor(apiService);
    if (!agent.ok) return answer(500, agent.error);
    if (!ctx.user) return answer(500, 'missing user');
    let address;
    try {
      address = await resolveBackend(opts.store, apiService.service!);
    } catch (err) {
      opts.log?.(`kage: error resolving ${apiService.service!.namespace}/${apiService.service!.name}: ${(err as Error).message}`);
      return answer(503, SERVICE_UNAVAILABLE_MESSAGE);
    }
    if (res.destroyed || res.writableEnded || req.socket?.destroyed) return true;

    const backendHost = joinHostPort(address.host, address.port);
    const headers = toHeaderObject(backendRequestHeaders(req, { user: ctx.user, backendHost, path: ctx.path, upgrade: false }));
    const servername = (agent.agent as unknown as { options?: { servername?: string } }).options?.servername;
    // Requests without a body may be sent again when a kept-alive connection turns out to be closed already
    // (Go's transport retries those too); anything with a body streams once.
    const bodiless = BODILESS_METHODS.has(req.method ?? '') && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    let responded = false;
    let upstream: ClientRequest;
    const finish = (): void => {
      done = true;
      for (const t of timers) clearTimeout(t);
    };

    // Any failure before the response started: the real proxy's transport error, "error trying to reach service".
    const fail = (err: unknown): void => {
      if (done) return;
      finish();
      upstream.destroy();
      req.unpipe(upstream);
      req.resume();
      if (res.headersSent) res.destroy();
      else writeProxyError(res, 503, `error trying to reach service: ${describeNetworkError(err, address.host, address.port, servername)}`);
    };

    const onResponse = (upstreamRes: IncomingMessage): void => {
      responded = true;
      const status = upstreamRes.statusCode ?? 502;
      if (status >= 300 && status <= 399 && upstreamRes.headers.location) {
        finish();
        upstreamRes.resume();
        upstream.destroy();
        req.resume();
        const body = REDIRECT_REJECTED_MESSAGE;
        res.writeHead(502, {
          'Cache-Control': 'no-cache, private',
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      const outHeaders = clientResponseHeaders(upstreamRes.rawHeaders);
      if (!outHeaders.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'cache-control')) outHeaders.push('Cache-Control', 'no-cache, private');
      res.writeHead(status, outHeaders);
      // Streams (watches: no Content-Length) must reach the client at once; sized bodies go out with their headers.
      if (upstreamRes.headers['content-length'] === undefined) res.flushHeaders();
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.on('close', () => {
        // The backend went away mid-stream: cut the client's response too (it must not look complete).
        if (!upstreamRes.complete) {
          finish();
          res.destroy();
        }
      });
      upstreamRes.on('end', finish);
      upstreamRes.pipe(res);
    };

    const send = (mayRetry: boolean): void => {
      const attempt = httpsRequest({
        host: address.host,
        port: address.port,
        method: req.method,
        path: requestTarget(req),
        headers,
        agent: agent.agent,
        setHost: false,
      });
      upstream = attempt;
      attempt.on('error', (err: NodeJS.ErrnoException) => {
        if (attempt !== upstream) return;
        const reused = (attempt as ClientRequest & { reusedSocket?: boolean }).reusedSocket === true;
        if (mayRetry && bodiless && reused && !responded && !done && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          send(false);
          return;
        }
        fail(err);
      });
      // Connecting (TCP, then TLS) is bounded for every request; reused keep-alive connections are already there.
      attempt.on('socket', (socket) => {
        if ((attempt as ClientRequest & { reusedSocket?: boolean }).reusedSocket) return;
        const t = setTimeout(() => {
          const connecting = (socket as TLSSocket).connecting;
          attempt.destroy(connecting
            ? codedError('KAGE_DIAL_TIMEOUT', 'dial timeout')
            : codedError('KAGE_TLS_TIMEOUT', 'net/http: TLS handshake timeout'));
        }, connectTimeoutMs);
        timers.push(t);
        socket.once('secureConnect', () => clearTimeout(t));
      });
      attempt.on('response', onResponse);
      if (bodiless) {
        attempt.end();
        req.resume();
      } else {
        req.pipe(attempt);
      }
    };

    // Deadlines: discovery of the group version, and kube-apiserver's deadline for short requests.
    const deadline = (ms: number, onExpiry: () => void): void => {
      timers.push(setTimeout(() => {
        if (done) return;
        onExpiry();
      }, ms));
    };
    if (isGroupVersionDiscovery(ctx.info)) {
      deadline(discoveryTimeoutMs, () => fail(new Error('context deadline exceeded')));
    }
    if (!isLongRunning(ctx.info)) {
      deadline(requestTimeoutMs, () => {
        finish();
        upstream.destroy();
        req.resume();
        if (res.headersSent) res.destroy();
        else sendError(res, withDetails(timeoutError(REQUEST_TIMEOUT_MESSAGE), {}));
      });
    }

    // The client went away: stop talking to the backend.
    res.on('close', () => {
      if (!res.writableFinished) {
        finish();
        upstream.destroy();
      }
    });

    send(true);
    return true;
  };
}
