// Upgraded connections (WebSocket, and SPDY/3.1 as kubectl exec/attach/port-forward use) through the aggregator,
// as k8s.io/apimachinery's UpgradeAwareHandler.tryUpgrade does for kube-aggregator: Node hands such requests to
// the https server's 'upgrade' event, never to express, so this authenticates the request itself, finds the
// remote APIService of its path, dials the backend with the same TLS settings as the proxy, writes the request
// line and the filtered headers (identity set as for any proxied request), and once the backend answers
// 101 Switching Protocols relays bytes both ways until either side is done.
//   backend answers >= 400         → its response is passed to the client, then the connection is closed
//   backend answers anything else  → 503 "invalid upgrade response: status code <n>"
//   backend cannot be dialled      → 503 "error dialing backend: <Go-worded error>"
// Upgrade requests kage does not proxy get a Status (401 without credentials, else 400) and the socket is closed.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { badRequest, toStatus, unauthorized } from '../server/api/errors.js';
import type { UserInfo } from '../server/auth/authenticate.js';
import { parseRequestInfo } from '../server/http/request-info.js';
import type { Store } from '../storage/store.js';
import type { APIServiceRegistry } from './apiservice-registry.js';
import type { BackendTls } from './backend-tls.js';
import { describeNetworkError, joinHostPort } from './network-errors.js';
import { backendRequestHeaders } from './proxy-headers.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, SERVICE_UNAVAILABLE_MESSAGE, remoteAPIServiceFor } from './proxy-handler.js';
import { resolveBackend } from './service-resolver.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeProxyOptions {
  apiServices: APIServiceRegistry;
  store: Store;
  tls: BackendTls;
  /** The user of a request (kage's authenticator), undefined when it does not authenticate. */
  authenticate: (req: IncomingMessage) => UserInfo | undefined;
  /** Deadline for dialling the backend, TCP and TLS (default 30000). */
  connectTimeoutMs?: number;
  /** Deadline for the backend's answer to the upgrade request (default 30000). */
  responseTimeoutMs?: number;
  log?: (line: string) => void;
}

/** How long a backend's refusal (>= 400) may take to be passed on before both connections are closed. */
const ERROR_RESPONSE_GRACE_MS = 10_000;
/** Upgrade response heads larger than this are refused. */
const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** Writes a complete HTTP/1.1 response on a raw socket and closes it once flushed. */
function writeResponse(socket: Duplex, code: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const headers: Record<string, string> = {
    'Cache-Control': 'no-cache, private',
    'Content-Type': contentType,
    ...extra,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const head = `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  socket.end(head + body, () => socket.destroy());
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** http.Error on a raw socket. */
function writeText(socket: Duplex, code: number, message: string): void {
  writeResponse(socket, code, 'text/plain; charset=utf-8', `${message}\n`, { 'X-Content-Type-Options': 'nosniff' });
}

function writeStatus(socket: Duplex, err: unknown): void {
  const status = toStatus(err);
  writeResponse(socket, status.code, 'application/json', JSON.stringify(status));
}

/** The 'upgrade' listener for kage's https server. */
export function createUpgradeHandler(opts: UpgradeProxyOptions): UpgradeHandler {
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const responseTimeoutMs = opts.responseTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const handle = async (req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const watch = new URLSearchParams(q < 0 ? '' : target.slice(q + 1)).get('watch');
    const info = parseRequestInfo(req.method ?? 'GET', path, watch === 'true' || watch === '1');

    const user = opts.authenticate(req);
    if (!user) return writeStatus(client, unauthorized());
    const apiService = remoteAPIServiceFor(opts.apiServices, info);
    if (!apiService) return writeStatus(client, badRequest(`upgrade requests are not supported for ${path}`));
    if (apiService.available.status !== 'True') return writeText(client, 503, SERVICE_UNAVAILABLE_MESSAGE);
    const tls = opts.tls.options(apiService);
    if (!tls.ok) return writeText(client, 500, tls.error);
    let address;
    try {
      address = await resolveBackend(opts.store, apiService.service!);
    } catch (err) {
      opts.log?.(`kage: error resolving ${apiService.service!.namespace}/${apiService.service!.name}: ${(err as Error).message}`);
      return writeText(client, 503, SERVICE_UNAVAILABLE_MESSAGE);
    }
    if (client.destroyed) return;

    const backendHost = joinHostPort(address.host, address.port);
    const backend: TLSSocket = tlsConnect({ host: address.host, port: address.port, ...tls.options, ALPNProtocols: ['http/1.1'] });
    let phase: 'dialing' | 'awaiting' | 'relaying' | 'closed' = 'dialing';
    const closeBoth = (): void => {
      phase = 'closed';
      clearTimeout(timer);
      client.destroy();
      backend.destroy();
    };
    const refuse = (code: number, message: string): void => {
      if (phase === 'closed') return;
      phase = 'closed';
      clearTimeout(timer);
      backend.destroy();
      writeText(client, code, message);
    };
    let timer = setTimeout(() => {
      refuse(503, `error dialing backend: ${describeNetworkError({ code: backend.connecting ? 'KAGE_DIAL_TIMEOUT' : '', message: 'net/http: TLS handshake timeout' }, address.host, address.port)}`);
    }, connectTimeoutMs);
    client.on('close', () => {
      if (phase !== 'relaying') closeBoth();
    });
    backend.on('error', (err) => {
      if (phase === 'dialing') refuse(503, `error dialing backend: ${describeNetworkError(err, address.host, address.port, tls.options.servername)}`);
      else if (phase === 'awaiting') refuse(503, describeNetworkError(err, address.host, address.port));
      else closeBoth();
    });

    backend.once('secureConnect', () => {
      if (phase !== 'dialing') return;
      phase = 'awaiting';
      clearTimeout(timer);
      timer = setTimeout(() => refuse(503, 'net/http: timeout awaiting response headers'), responseTimeoutMs);
      const headers = backendRequestHeaders(req, { user, backendHost, path, upgrade: true });
      const lines = [`${req.method ?? 'GET'} ${target} HTTP/1.1`];
      for (let i = 0; i + 1 < headers.length; i += 2) lines.push(`${headers[i]!}: ${headers[i + 1]!}`);
      backend.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) backend.write(head);

      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffered.length > MAX_RESPONSE_HEAD_BYTES) refuse(503, 'net/http: server response headers exceeded limit');
          return;
        }
        backend.off('data', onData);
        backend.off('end', onEnd);
        backend.pause();
        clearTimeout(timer);
        const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
        const status = m ? Number(m[1]) : 0;
        if (!m) return refuse(503, `malformed HTTP response ${JSON.stringify(statusLine)}`);
        if (status !== 101 && status < 400) return refuse(503, `invalid upgrade response: status code ${status}`);
        if (status !== 101) {
          // The backend refused the upgrade: pass its answer on, then close.
          phase = 'closed';
          client.write(buffered);
          backend.pipe(client);
          backend.resume();
          setTimeout(closeBoth, ERROR_RESPONSE_GRACE_MS).unref();
          backend.on('end', () => client.end(() => closeBoth()));
          return;
        }
        phase = 'relaying';
        client.write(buffered);
        relay(client, backend);
      };
      const onEnd = (): void => refuse(503, buffered.length ? 'unexpected EOF' : 'EOF');
      backend.on('data', onData);
      backend.on('end', onEnd);
    });
  };

  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    handle(req, socket, head).catch((err: unknown) => {
      opts.log?.(`kage: upgrade proxy failed: ${(err as Error).message}`);
      writeText(socket, 500, 'internal error');
    });
  };
}

/** Copies bytes both ways; when either side is done, what it sent is flushed and both connections close. */
function relay(client: Duplex, backend: Duplex): void {
  let closed = false;
  const closeBoth = (): void => {
    if (closed) return;
    closed = true;
    client.destroy();
    backend.destroy();
  };
  client.pipe(backend, { end: false });
  backend.pipe(client, { end: false });
  client.on('end', () => backend.end(closeBoth));
  backend.on('end', () => client.end(closeBoth));
  client.on('close', closeBoth);
  backend.on('close', closeBoth);
  client.on('error', closeBoth);
  backend.on('error', closeBoth);
  backend.resume();
}
