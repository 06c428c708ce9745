// Kept-alive connections towards one extension API server, for proxied requests: an undici Pool per backend
// address, all with one TLS setting (the APIService's). undici's HTTP/1.1 client costs a fraction of node:https's
// per request, which is most of what the proxy adds. Connections are made by kage's own connector so that the dial
// and the TLS handshake are bounded separately and fail with the errors kube-aggregator reports (Go's "i/o timeout"
// for the dial, "TLS handshake timeout" for the handshake), and the server certificate is checked by Node's TLS.
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import type { Pool, buildConnector } from 'undici';
import { codedError, joinHostPort } from './network-errors.js';
import type { BackendAddress } from './service-resolver.js';

/** A backend's response headers may be this large (Go's http.Transport default, kube-aggregator's limit: 10 MiB). */
export const MAX_RESPONSE_HEADER_BYTES = 10 * 1024 * 1024;
/** Idle kept-alive connections close after this, before the backend (Node servers: 5 s) closes them itself. */
const IDLE_TIMEOUT_MS = 4000;
/** Endpoints change (pods move); pools of addresses beyond this many are closed, oldest first. */
export const MAX_POOLS = 64;

// undici is loaded on first use: a kage without extension API servers never pays its memory (~20 MiB) or load time.
let PoolClass: typeof Pool | undefined;

/** Loads the HTTP client the pools are made of; proxying waits for it once. */
export async function loadPoolModule(): Promise<void> {
  if (PoolClass) return;
  // A CommonJS package: bundled, its exports may arrive as the namespace's default.
  const mod = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const found = mod.Pool ?? mod.default?.Pool;
  if (typeof found !== 'function') throw new Error('undici has no Pool export');
  PoolClass = found;
}

/** Whether loadPoolModule has finished. */
export function poolModuleLoaded(): boolean {
  return PoolClass !== undefined;
}

export interface PoolTls {
  secureContext: SecureContext;
  /** The name the certificate is verified for (and sent as SNI). */
  servername: string;
  rejectUnauthorized: boolean;
}

/** A connector for undici: TLS over TCP with separate dial and handshake deadlines, resuming the last session. */
export function tlsConnector(tls: PoolTls, connectTimeoutMs: number): buildConnector.connector {
  let session: Buffer | undefined;
  return (opts, callback) => {
    let settled = false;
    const socket: TLSSocket = tlsConnect({
      host: opts.hostname,
      port: Number(opts.port),
      servername: tls.servername || undefined,
      secureContext: tls.secureContext,
      rejectUnauthorized: tls.rejectUnauthorized,
      ALPNProtocols: ['http/1.1'],
      ...(session ? { session } : {}),
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const done = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) callback(err, null);
      else callback(null, socket);
    };
    const timer = setTimeout(() => {
      socket.destroy(socket.connecting
        ? codedError('KAGE_DIAL_TIMEOUT', 'dial timeout')
        : codedError('KAGE_TLS_TIMEOUT', 'net/http: TLS handshake timeout'));
    }, connectTimeoutMs);
    socket.on('session', (s: Buffer) => { session = s; });
    socket.once('secureConnect', () => done(null));
    socket.on('error', (err) => {
      // A session the server no longer accepts is not reused.
      session = undefined;
      done(err);
    });
  };
}

/** Pools per backend address sharing one TLS setting; closed together when that setting is retired. */
export class BackendPools {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly tls: PoolTls, private readonly connectTimeoutMs: number) {}

  /** The name the backend's certificate is verified for. */
  get servername(): string {
    return this.tls.servername;
  }

  /** The pool of connections to one address (created on first use). */
  poolFor(address: BackendAddress): Pool {
    const key = joinHostPort(address.host, address.port);
    let pool = this.pools.get(key);
    if (pool && !pool.closed && !pool.destroyed) return pool;
    if (!PoolClass) throw new Error('the proxy\'s HTTP client is not loaded yet (loadPoolModule)');
    pool = new PoolClass(`https://${key}`, {
      connect: tlsConnector(this.tls, this.connectTimeoutMs),
      // Deadlines are the proxy's (discovery timeout, request deadline); watches may be idle for long.
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: IDLE_TIMEOUT_MS,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      pipelining: 1,
    });
    // A request that raced with retirement still goes out (it dispatches before the microtask runs).
    if (this.closed) {
      queueMicrotask(() => { pool.close().catch(() => undefined); });
      return pool;
    }
    this.pools.set(key, pool);
    if (this.pools.size > MAX_POOLS) {
      // Closing waits for the requests under way (a watch keeps its connection until it ends).
      const [oldestKey, oldest] = this.pools.entries().next().value as [string, Pool];
      this.pools.delete(oldestKey);
      oldest.close().catch(() => undefined);
    }
    return pool;
  }

  /** Closes idle connections now and busy ones once their exchange is over. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close().catch(() => undefined);
    this.pools.clear();
  }
}
