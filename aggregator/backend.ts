// The contract between the aggregator's parts and the code that reaches an extension API server.
import type { IncomingHttpHeaders } from 'node:http';
import type { APIServiceInfo } from './apiservice-registry.js';

/** Why a backend could not be reached; the names are the Available condition reasons the real aggregator uses. */
export type BackendFailureReason =
  | 'ServiceNotFound'
  | 'ServiceAccessError'
  | 'ServicePortError'
  | 'EndpointsNotFound'
  | 'EndpointsAccessError'
  | 'MissingEndpoints'
  | 'FailedDiscoveryCheck';

export class BackendError extends Error {
  constructor(readonly reason: BackendFailureReason, message: string) {
    super(message);
  }
}

export interface BackendResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface BackendGetOptions {
  /** GET unless said (the namespace controller DELETEs collections). */
  method?: 'GET' | 'DELETE';
  /** The whole exchange (resolve, connect, TLS, response body) must finish within this. */
  timeoutMs: number;
  accept?: string;
  /** Sent as If-None-Match. */
  etag?: string;
}

/** Makes requests to the extension API server behind an APIService, as the aggregator itself (system:kube-aggregator). */
export interface BackendFetcher {
  /** GETs `path` (e.g. "/apis") on the backend; rejects with BackendError when it cannot be resolved, reached or answered in time. */
  get(apiService: APIServiceInfo, path: string, opts: BackendGetOptions): Promise<BackendResponse>;
}
