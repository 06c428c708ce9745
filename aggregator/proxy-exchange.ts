// One proxied exchange: the client's request goes to the backend over a pooled connection and the answer streams
// back, both ways without buffering (watches, large lists, uploads), with backpressure. Before the backend answers,
// a failure is the real proxy's transport error (503 "error trying to reach service: …"); after, the client's
// response is cut so it never looks complete. Redirects are refused (502), as RejectForwardingRedirects does.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { timeout as timeoutError, withDetails } from '../server/api/errors.js';
import { sendError } from '../server/http/respond.js';
import { codedError, describeNetworkError } from './network-errors.js';
import { clientResponseHeaders, flattenHeaderObject } from './proxy-headers.js';
import type { BackendAddress } from './service-resolver.js';

export const REDIRECT_REJECTED_MESSAGE = 'the backend attempted to redirect this request, which is not permitted';
export const REQUEST_TIMEOUT_MESSAGE = 'Timeout: request did not complete within requested timeout - context deadline exceeded';

const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// A kept-alive connection closed by the backend just as a request went out.
const RETRIABLE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

export interface Exchange {
  /** Connections to the backend address. */
  pool: Dispatcher;
  address: BackendAddress;
  /** The name the backend certificate is verified for (for error messages). */
  servername: string;
  /** The request target (path and query as the client sent them). */
  target: string;
  /** Request headers for the backend, flat [name, value, …]. */
  headers: string[];
  /** Discovery requests must have their answer within this (ms). */
  discoveryDeadlineMs?: number;
  /** Short requests must complete within this (ms); absent for long-running ones. */
  requestDeadlineMs?: number;
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

/** One try of sending the request upstream; abortable before undici has handed over its controller. */
class Attempt {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;

  started(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  abort(reason: Error): void {
    if (this.controller) {
      if (!this.controller.aborted) this.controller.abort(reason);
    } else {
      this.reason ??= reason;
    }
  }
}

/** Runs one exchange with the backend for `req`, answering on `res`. */
export function forward(req: IncomingMessage, res: ServerResponse, x: Exchange): void {
  const method = req.method ?? 'GET';
  // A request declaring no body sends none (Go's transport sends Content-Length: 0 for such POSTs, as undici does).
  const contentLength = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (contentLength !== undefined && contentLength !== '0');
  // Requests without a body may be sent again when a kept-alive connection turns out to be closed already
  // (Go's transport retries those too); anything with a body streams once.
  const retriable = !hasBody && BODILESS_METHODS.has(method);
  let discoveryTimer: NodeJS.Timeout | undefined;
  let requestTimer: NodeJS.Timeout | undefined;
  let done = false;
  let current: Attempt | undefined;
  const finish = (): void => {
    done = true;
    if (discoveryTimer) clearTimeout(discoveryTimer);
    if (requestTimer) clearTimeout(requestTimer);
  };
  const abortUpstream = (why: string): void => current?.abort(codedError('KAGE_PROXY_ABORTED', why));

  const fail = (err: unknown): void => {
    if (done) return;
    finish();
    abortUpstream('failed');
    req.resume();
    if (res.headersSent) res.destroy();
    else writeProxyError(res, 503, `error trying to reach service: ${describeNetworkError(err, x.address.host, x.address.port, x.servername)}`);
  };

  const respond = (controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void => {
    if (status >= 300 && status <= 399 && headers['location'] !== undefined) {
      finish();
      abortUpstream('redirect');
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
    const raw = controller.rawHeaders;
    const outHeaders = clientResponseHeaders(Array.isArray(raw) ? (raw as ReadonlyArray<Buffer | string>) : flattenHeaderObject(headers));
    if (headers['cache-control'] === undefined) outHeaders.push('Cache-Control', 'no-cache, private');
    res.writeHead(status, outHeaders);
    // Streams (watches: no Content-Length) must reach the client at once; sized bodies go out with their headers.
    if (headers['content-length'] === undefined) res.flushHeaders();
  };

  const send = (mayRetry: boolean): void => {
    const attempt = new Attempt();
    current = attempt;
    let started = false;
    // Bytes of a sized body still to come: the last chunk goes out with res.end (one write, not two).
    let remaining = -1;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (controller) => attempt.started(controller),
      onResponseStart: (controller, status, headers) => {
        // 1xx informational answers are the backend's business.
        if (done || status < 200) return;
        started = true;
        respond(controller, status, headers);
        const length = headers['content-length'];
        if (typeof length === 'string' && /^\d+$/.test(length) && method !== 'HEAD') remaining = Number(length);
      },
      onResponseData: (controller, chunk) => {
        if (done) return;
        if (remaining >= 0) {
          remaining -= chunk.length;
          if (remaining === 0) {
            finish();
            res.end(chunk);
            return;
          }
        }
        if (!res.write(chunk)) {
          controller.pause();
          res.once('drain', () => controller.resume());
        }
      },
      onResponseEnd: () => {
        if (done) return;
        finish();
        res.end();
      },
      onResponseError: (_controller, err) => {
        if (attempt !== current || done) return;
        if (started) {
          // The backend went away mid-stream: cut the client's response too (it must not look complete).
          finish();
          res.destroy();
          return;
        }
        if (mayRetry && retriable && RETRIABLE_CODES.has((err as NodeJS.ErrnoException).code ?? '')) {
          send(false);
          return;
        }
        fail(err);
      },
    };
    try {
      x.pool.dispatch({ path: x.target, method, headers: x.headers, body: hasBody ? req : null }, handler);
    } catch (err) {
      fail(err);
    }
  };

  if (x.discoveryDeadlineMs !== undefined) {
    discoveryTimer = setTimeout(() => fail(new Error('context deadline exceeded')), x.discoveryDeadlineMs);
  }
  if (x.requestDeadlineMs !== undefined) {
    // kube-apiserver's deadline for short requests: a 504 Timeout Status, or a cut response once it started.
    requestTimer = setTimeout(() => {
      if (done) return;
      finish();
      abortUpstream('request deadline');
      req.resume();
      if (res.headersSent) res.destroy();
      else sendError(res, withDetails(timeoutError(REQUEST_TIMEOUT_MESSAGE), {}));
    }, x.requestDeadlineMs);
  }

  // The client went away: stop talking to the backend.
  res.on('close', () => {
    if (!res.writableFinished) {
      finish();
      abortUpstream('client went away');
    }
  });

  send(true);
  if (!hasBody) req.resume();
}
