// The HTTPS server: TLS with optional client certificates, the request chain (health → misbehaviour → front-proxy
// authentication → routes), WebSocket upgrades, and shutdown.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { authenticate, credentialHeaders } from './auth.js';
import type { RequestHeaderConfig } from './auth.js';
import { isDiscoveryPath, serveDiscovery } from './discovery.js';
import { EchoServer, isWebSocketUpgrade } from './echo.js';
import { sendError, sendJson, sendText } from './http.js';
import { Misbehaviour } from './misbehave.js';
import type { MisbehaveMode } from './misbehave.js';
import { OpenApi } from './openapi.js';
import { handleResource, parseResourcePath } from './rest.js';
import type { RestContext } from './rest.js';
import { ApiError, badRequest, internalError, methodNotAllowed, resourceNotFound, unauthorized } from './status.js';
import { FlunderStore } from './store.js';
import { GROUP_VERSION } from './types.js';

export interface SampleServerOptions {
  servingCertPem: string;
  servingKeyPem: string;
  auth: RequestHeaderConfig;
  misbehave?: MisbehaveMode;
  watchBookmarkIntervalMs?: number;
  verbosity?: number;
  log?: (line: string) => void;
}

export interface SampleServer {
  server: Server;
  store: FlunderStore;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);
const GV_PREFIX = `/apis/${GROUP_VERSION}/`;

function normalizePath(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.replace(/\/+$/, '') || '/' : p;
}

export function createSampleServer(opts: SampleServerOptions): SampleServer {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const verbosity = opts.verbosity ?? 0;
  const store = new FlunderStore();
  const misbehaviour = new Misbehaviour(opts.misbehave ?? { kind: 'none' });
  const openapi = new OpenApi();
  const echo = new EchoServer();
  const ctx: RestContext = { store, bookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 60_000, watches: new Set() };
  const sockets = new Set<Socket>();

  const server = createServer({
    cert: opts.servingCertPem,
    key: opts.servingKeyPem,
    ca: opts.auth.clientCaPem,
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  // Long watches and hanging requests are ours to end; Node's default request timeout must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (err: Error) => {
    if (verbosity >= 2) log(`tls client error: ${err.message}`);
  });
  server.on('clientError', (err: Error, socket: Duplex) => {
    if (verbosity >= 2) log(`client error: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      throw badRequest(`malformed request URI ${JSON.stringify(req.url)}`);
    }
    const path = normalizePath(url.pathname);
    const method = req.method ?? 'GET';

    if (HEALTH_PATHS.has(path) || [...HEALTH_PATHS].some((h) => path.startsWith(`${h}/`))) {
      sendText(res, 200, 'ok');
      return;
    }
    if (isDiscoveryPath(path) && (await misbehaviour.beforeDiscovery(req, res)) === 'handled') return;

    const auth = authenticate(req, opts.auth);
    if (!auth.ok) {
      if (verbosity >= 1) log(`401 ${method} ${req.url}: ${auth.reason}`);
      req.resume();
      throw unauthorized();
    }

    if (isDiscoveryPath(path)) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
      serveDiscovery(req, res, path);
      return;
    }
    if (path === `/apis/${GROUP_VERSION}/whoami`) {
      sendJson(res, 200, {
        user: auth.user.name,
        ...(auth.user.uid !== undefined ? { uid: auth.user.uid } : {}),
        groups: auth.user.groups,
        extra: auth.user.extra,
        ...credentialHeaders(req),
        clientCertCN: auth.clientCertCN,
      });
      return;
    }
    if (path === '/version') {
      sendJson(res, 200, {
        major: '0',
        minor: '1',
        gitVersion: 'v0.1.0-kage-sample-apiserver',
        gitCommit: '',
        gitTreeState: 'clean',
        buildDate: '1970-01-01T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'tsc',
        platform: `${process.platform}/${process.arch}`,
      });
      return;
    }
    if (openapi.serve(req, res, path, url.searchParams)) return;
    if (path.startsWith(GV_PREFIX)) {
      const resource = parseResourcePath(path.slice(GV_PREFIX.length).split('/'));
      if (!resource) throw resourceNotFound();
      await handleResource(req, res, resource, url.searchParams, ctx);
      return;
    }
    req.resume();
    sendText(res, 404, '404 page not found\n');
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    if (verbosity >= 2) res.on('finish', () => log(`${res.statusCode} ${req.method} ${req.url} (${Date.now() - started} ms)`));
    route(req, res).catch((err: unknown) => {
      const apiErr = err instanceof ApiError ? err : internalError((err as Error)?.message ?? String(err));
      if (!(err instanceof ApiError)) log(`error serving ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, apiErr);
      if (apiErr.headers['Connection'] === 'close') res.on('finish', () => req.socket.destroy());
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const reject = (err: ApiError): void => {
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const path = normalizePath(url.pathname);
      const auth = authenticate(req, opts.auth);
      if (!auth.ok) {
        if (verbosity >= 1) log(`401 upgrade ${req.url}: ${auth.reason}`);
        reject(unauthorized());
        return;
      }
      const resource = path.startsWith(GV_PREFIX) ? parseResourcePath(path.slice(GV_PREFIX.length).split('/')) : undefined;
      if (!resource || resource.subresource !== 'echo' || resource.name === undefined) {
        reject(resourceNotFound());
        return;
      }
      if (!isWebSocketUpgrade(req)) {
        reject(badRequest(`unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: only websocket is supported`));
        return;
      }
      if (verbosity >= 2) log(`101 upgrade ${req.url}`);
      echo.handleUpgrade(req, socket, head);
    } catch (err) {
      reject(err instanceof ApiError ? err : internalError(String(err)));
    }
  });

  return {
    server,
    store,
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        for (const stop of [...ctx.watches]) stop();
        misbehaviour.close();
        echo.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
