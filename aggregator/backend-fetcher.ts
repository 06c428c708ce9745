// Requests made by the aggregator itself to extension API servers (discovery documents, availability probes):
// resolve the APIService's service, connect with its TLS settings and kage's front-proxy client certificate, and
// identify as system:kube-aggregator in system:masters, as kube-aggregator does. The timeout covers the whole
// exchange, and bodies are capped so a misbehaving backend cannot exhaust memory.
import type { ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Store } from '../storage/store.js';
import type { APIServiceInfo } from './apiservice-registry.js';
import { BackendError, type BackendFetcher, type BackendGetOptions, type BackendResponse } from './backend.js';
import type { BackendTls } from './backend-tls.js';
import { describeNetworkError, joinHostPort } from './network-errors.js';
import { resolveBackend, type BackendAddress } from './service-resolver.js';

/** The identity the aggregator uses for its own requests. */
export const AGGREGATOR_USER = 'system:kube-aggregator';
export const AGGREGATOR_GROUPS: readonly string[] = ['system:masters'];
/** Bodies larger than this are refused. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface FetchOptions extends BackendGetOptions {
  /** Skip server certificate verification (the availability probe does, as kube-aggregator's does). */
  skipVerify?: boolean;
  /** Aborts the exchange (rejects with "context canceled"). */
  signal?: AbortSignal;
}

/** A failed exchange with a backend; `url` is the URL that was asked ("https://<address>/<path>"). */
export class BackendRequestError extends BackendError {
  constructor(message: string, readonly url: string) {
    super('FailedDiscoveryCheck', message);
  }
}

export interface HttpsBackendFetcherOptions {
  store: Store;
  tls: BackendTls;
  maxResponseBytes?: number;
}

/** The BackendFetcher over HTTPS. */
export class HttpsBackendFetcher implements BackendFetcher {
  private readonly maxBytes: number;

  constructor(private readonly opts: HttpsBackendFetcherOptions) {
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async get(apiService: APIServiceInfo, path: string, opts: FetchOptions): Promise<BackendResponse> {
    const started = Date.now();
    if (!apiService.service) throw new BackendError('ServiceNotFound', `APIService ${apiService.name} is local`);
    const address = await withTimeout(resolveBackend(this.opts.store, apiService.service), opts.timeoutMs);
    const left = Math.max(1, opts.timeoutMs - (Date.now() - started));
    return this.getFrom(apiService, address, path, { ...opts, timeoutMs: left });
  }

  /** GETs `path` from one given address of the APIService's backend. */
  getFrom(apiService: APIServiceInfo, address: BackendAddress, path: string, opts: FetchOptions): Promise<BackendResponse> {
    const url = `https://${joinHostPort(address.host, address.port)}${path}`;
    const method = opts.method ?? 'GET';
    const verb = method === 'GET' ? 'Get' : 'Delete';
    const fail = (detail: string): BackendRequestError => new BackendRequestError(`${verb} ${JSON.stringify(url)}: ${detail}`, url);
    const agent = this.opts.tls.agentFor(apiService, { skipVerify: opts.skipVerify === true });
    if (!agent.ok) return Promise.reject(fail(agent.error));
    const headers: Record<string, string | string[]> = {
      Host: joinHostPort(address.host, address.port),
      'X-Remote-User': AGGREGATOR_USER,
      'X-Remote-Group': [...AGGREGATOR_GROUPS],
      'Accept-Encoding': 'identity',
    };
    if (opts.accept) headers['Accept'] = opts.accept;
    if (opts.etag) headers['If-None-Match'] = opts.etag;

    return new Promise<BackendResponse>((resolve, reject) => {
      let settled = false;
      let headersReceived = false;
      let req: ClientRequest | undefined;
      const finish = (err: BackendRequestError | undefined, value?: BackendResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req?.destroy();
          reject(err);
        } else resolve(value!);
      };
      const timer = setTimeout(() => {
        finish(fail(headersReceived
          ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
          : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'));
      }, Math.max(1, opts.timeoutMs));
      const onAbort = (): void => finish(fail('context canceled'));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort);

      const send = (mayRetry: boolean): void => {
        const attempt = httpsRequest({ host: address.host, port: address.port, method, path, headers, agent: agent.agent });
        req = attempt;
        attempt.on('error', (err: NodeJS.ErrnoException) => {
          if (attempt !== req) return;
          // A kept-alive connection the server had just closed: send again on a new one (as Go's transport does).
          const reused = (attempt as ClientRequest & { reusedSocket?: boolean }).reusedSocket === true;
          if (mayRetry && method === 'GET' && reused && !headersReceived && !settled && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
            send(false);
            return;
          }
          finish(fail(describeNetworkError(err, address.host, address.port, agentServerName(agent.agent))));
        });
        attempt.on('response', (res) => {
          headersReceived = true;
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > this.maxBytes) {
            res.destroy();
            finish(fail(`response body too large: over ${this.maxBytes} bytes`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBytes) {
              res.destroy();
              finish(fail(`response body too large: over ${this.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('close', () => { if (!res.complete) finish(fail('unexpected EOF')); });
          res.on('error', (err) => finish(fail(describeNetworkError(err, address.host, address.port))));
        });
        attempt.end();
      };
      send(true);
    });
  }
}

function agentServerName(agent: { options?: { servername?: string } }): string | undefined {
  return agent.options?.servername;
}

/** Resolves like `p`, or rejects with a deadline error after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BackendError('FailedDiscoveryCheck', 'context deadline exceeded')), Math.max(1, ms));
    p.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}
