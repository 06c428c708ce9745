// The aggregation layer, started once per kage: --api-service registrations, the live APIService view, the
// backend TLS and fetcher, the proxy (an EarlyHandler, consulted before discovery), the upgrade proxy (for the
// https server's 'upgrade' event) and the availability controller.
import type { IncomingMessage } from 'node:http';
import type { EarlyHandler } from '../server/app.js';
import type { UserInfo } from '../server/auth/authenticate.js';
import type { Pki } from '../server/pki/certificates.js';
import type { Registry } from '../server/registry/registry.js';
import type { Store } from '../storage/store.js';
import { APIServiceRegistry } from './apiservice-registry.js';
import { AvailabilityController, DEFAULT_AVAILABILITY_CHECK_INTERVAL_MS, DEFAULT_DISCOVERY_TIMEOUT_MS } from './availability-controller.js';
import type { BackendFetcher } from './backend.js';
import { HttpsBackendFetcher } from './backend-fetcher.js';
import { BackendTls } from './backend-tls.js';
import { createProxyHandler } from './proxy-handler.js';
import { registerFlagAPIServices, type APIServiceFlag } from './register-flags.js';
import { createUpgradeHandler, type UpgradeHandler } from './upgrade-proxy.js';

export interface AggregatorOptions {
  store: Store;
  registry: Registry;
  pki: Pick<Pki, 'frontProxyClientCertPem' | 'frontProxyClientKeyPem'>;
  /** Authenticates upgrade requests (which never pass through the express chain); none = every upgrade is 401. */
  authenticate?: (req: IncomingMessage) => UserInfo | undefined;
  /** Deadline of discovery requests to backends and of availability probes (default 5000). */
  discoveryTimeoutMs?: number;
  /** How often every non-local APIService is probed (default 10000). */
  availabilityCheckIntervalMs?: number;
  /** --api-service registrations. */
  apiServices?: readonly APIServiceFlag[];
  /** Deadline for connecting to a backend (default 30000). */
  connectTimeoutMs?: number;
  /** Deadline of short (not long-running) proxied requests (default 60000). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface Aggregator {
  /** The EarlyHandler to consult first: proxies requests of non-local APIServices. */
  proxy: EarlyHandler;
  /** The https server's 'upgrade' listener. */
  handleUpgrade: UpgradeHandler;
  /** Requests to backends as system:kube-aggregator (for discovery). */
  fetcher: BackendFetcher;
  apiServices: APIServiceRegistry;
  availability: AvailabilityController;
  /** Stops the controller and the APIService watch, and closes idle backend connections. */
  stop(): void;
}

export async function startAggregator(opts: AggregatorOptions): Promise<Aggregator> {
  const discoveryTimeoutMs = opts.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  await registerFlagAPIServices(opts.store, opts.registry, opts.apiServices ?? []);
  const apiServices = await APIServiceRegistry.start(opts.store);
  const tls = new BackendTls({ certPem: opts.pki.frontProxyClientCertPem, keyPem: opts.pki.frontProxyClientKeyPem });
  const unsubscribe = apiServices.onChange((name, now) => {
    if (!now) tls.forget(name);
  });
  const fetcher = new HttpsBackendFetcher({ store: opts.store, tls });
  const common = { apiServices, store: opts.store, tls, ...(opts.log ? { log: opts.log } : {}) };
  const proxy = createProxyHandler({
    ...common,
    discoveryTimeoutMs,
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
  const handleUpgrade = createUpgradeHandler({
    ...common,
    authenticate: opts.authenticate ?? (() => undefined),
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
  });
  const availability = AvailabilityController.start({
    store: opts.store,
    apiServices,
    fetcher,
    discoveryTimeoutMs,
    intervalMs: opts.availabilityCheckIntervalMs ?? DEFAULT_AVAILABILITY_CHECK_INTERVAL_MS,
    ...(opts.log ? { log: opts.log } : {}),
  });
  let stopped = false;
  return {
    proxy,
    handleUpgrade,
    fetcher,
    apiServices,
    availability,
    stop() {
      if (stopped) return;
      stopped = true;
      availability.stop();
      unsubscribe();
      apiServices.stop();
      tls.close();
    },
  };
}
