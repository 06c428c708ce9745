// Starts and stops one kage server: PKI, storage, the HTTPS listener, controllers and the kubeconfig.
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLevelStore } from '../storage/leveldb-store.js';
import type { Store } from '../storage/store.js';
import { createApp, createListener, type AppDeps } from './app.js';
import { remoteAPIServiceFor } from '../aggregator/proxy-handler.js';
import { RequestAuthenticator, StaticTokens } from './auth/authenticate.js';
import { AlwaysAllowAuthorizer } from './auth/authorize.js';
import { writeExtensionAuthentication } from './auth/extension-authentication.js';
import { startNamespaceLifecycle, type Controller } from './controllers/namespace-lifecycle.js';
import { startNamespaceDefaults } from './controllers/namespace-defaults.js';
import { startFlowSchemaStatus } from './controllers/flowschema-status.js';
import { versionInfo } from './discovery/version.js';
import { ensurePki } from './pki/certificates.js';
import { writeKubeconfig } from './pki/kubeconfig.js';
import { Registry } from './registry/registry.js';
import { builtinResources } from './registry/resources/index.js';
import type { RestServices } from './rest/context.js';
import { closeAllWatches } from './rest/watch.js';
import { seedObjects } from './seed.js';
import { registerLocalAPIServices } from '../aggregator/local-apiservices.js';
import { startAggregator, type Aggregator } from '../aggregator/index.js';
import { DiscoveryManager } from '../aggregator/discovery-manager.js';
import { createAggregatedDiscoveryHandler } from '../aggregator/discovery-wiring.js';
import { OpenAPIAggregator } from '../aggregator/openapi-aggregator.js';
import { createOpenAPIHandler } from './openapi/handler.js';
import { remoteNamespaceContent } from '../aggregator/namespace-content.js';
export interface KageOptions {
  /** 0 picks a free port. */
  port: number;
  bindAddress: string;
  dataDir: string;
  kubeconfigPath: string;
  /** How long discovery waits for an extension API server (default 5000). */
  discoveryTimeoutMs?: number;
  /** How often extension API servers' availability is checked (default 10000). */
  availabilityCheckIntervalMs?: number;
  /** Extension API servers registered from the command line (--api-service). */
  apiServices?: Array<{ group: string; version: string; url: string }>;
  /** fsync every storage write (survives power loss, costs ~0.5 ms a write); without it writes survive a crash of kage. */
  fsync?: boolean;
  /** How often watches that allow bookmarks get one (default 60000). */
  watchBookmarkIntervalMs?: number;
  /** Minimum level of log messages (default 'info'). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface RunningKage {
  /** https://127.0.0.1:<real port> */
  url: string;
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  /** Stops listening, closes storage; resolves when everything is flushed. */
  close(): Promise<void>;
}

/** kage's own version, from its package.json (found from src or dist). */
export function kageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kage' && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolvePort(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function hostForUrl(bindAddress: string): string {
  if (bindAddress === '0.0.0.0' || bindAddress === '') return '127.0.0.1';
  if (bindAddress === '::') return '[::1]';
  return bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
}

/** Starts a kage server and resolves once it accepts requests. */
export async function startKage(opts: KageOptions): Promise<RunningKage> {
  const dataDir = resolve(opts.dataDir);
  const kubeconfigPath = resolve(opts.kubeconfigPath);
  await mkdir(dataDir, { recursive: true });
  const extraSans = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::', ''].includes(opts.bindAddress) ? [] : [opts.bindAddress];
  const version = kageVersion();
  const [pki, store] = await Promise.all([ensurePki(dataDir, extraSans), openLevelStore(join(dataDir, 'store'), { sync: opts.fsync ?? false })]);
  let store_: Store | undefined = store;
  let aggregator: Aggregator | undefined;
  let remoteDiscovery: DiscoveryManager | undefined;
  let openapi: OpenAPIAggregator | undefined;
  try {
    const registry = new Registry(builtinResources);
    await seedObjects(store, registry);
    await writeExtensionAuthentication(store, registry, pki);
    await registerLocalAPIServices(store, registry);
    const rest: RestServices = { store, registry, bookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 60_000 };
    const tokens = new StaticTokens();
    tokens.add(pki.adminToken, { name: 'admin', groups: ['system:masters'] });
    rest.authenticator = new RequestAuthenticator(tokens);
    rest.authorizer = new AlwaysAllowAuthorizer();
    // The aggregation layer: its proxy answers before discovery, and upgrade requests go straight to it.
    aggregator = await startAggregator({
      store, registry, pki,
      authenticate: (req) => rest.authenticator?.authenticateRequest(req),
      ...(opts.discoveryTimeoutMs !== undefined ? { discoveryTimeoutMs: opts.discoveryTimeoutMs } : {}),
      ...(opts.availabilityCheckIntervalMs !== undefined ? { availabilityCheckIntervalMs: opts.availabilityCheckIntervalMs } : {}),
      apiServices: opts.apiServices ?? [],
      ...(opts.logLevel === 'debug' ? { log: (line: string) => console.log(line) } : {}),
    });

    let serverAddress = '';
    // Backends' discovery is fetched in the background and merged into /apis; requests never wait on a backend.
    const discoveryTimeoutMs = opts.discoveryTimeoutMs ?? 5000;
    const aggLog = opts.logLevel === 'debug' ? { log: (line: string) => console.log(line) } : {};
    remoteDiscovery = new DiscoveryManager({ registry: aggregator.apiServices, fetcher: aggregator.fetcher, discoveryTimeoutMs, ...aggLog }).start();
    // kage's own OpenAPI documents (built on first request) and the backends' go into one /openapi/v3 index.
    const localOpenAPI = createOpenAPIHandler({ registry });
    openapi = new OpenAPIAggregator({
      registry: aggregator.apiServices, fetcher: aggregator.fetcher, indexTimeoutMs: discoveryTimeoutMs, local: localOpenAPI, ...aggLog,
    }).start();
    const discovery = createAggregatedDiscoveryHandler({ registry, serverAddress: () => serverAddress }, remoteDiscovery);
    const openapiHandler = openapi;
    const versionBody = versionInfo(version);
    const appDeps: AppDeps = {
      rest,
      tokens,
      version: () => versionBody,
      health: [
        { name: 'ping', check: () => true },
        { name: 'log', check: () => true },
        { name: 'etcd', check: () => store_ !== undefined },
      ],
      early: [
        aggregator.proxy,
        (req, res) => discovery.handle(req, res),
        (req, res) => localOpenAPI.handleV2(req, res),
        (req, res) => openapiHandler.handle(req, res),
      ],
      ...(opts.logLevel === 'debug' ? { log: (line: string) => console.log(line) } : {}),
    };
    const app = createApp(appDeps);
    // Proxied groups skip the express chain: they need only request info and authentication.
    const aggregatorProxy = aggregator.proxy;
    const apiServiceRegistry = aggregator.apiServices;
    const listener = createListener(app, appDeps, {
      claims: (info) => remoteAPIServiceFor(apiServiceRegistry, info) !== undefined,
      handle: aggregatorProxy,
    });

    // Client certificates are asked for, not required: those that verify against the cluster CA authenticate.
    const server = createServer({
      key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false,
    }, listener);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    // A client that sends garbage instead of TLS or HTTP gets dropped, never the process.
    server.on('clientError', (_err, socket) => socket.destroy());
    server.on('tlsClientError', () => undefined);
    server.on('upgrade', aggregator.handleUpgrade);

    const port = await listen(server, opts.port, opts.bindAddress);
    const host = hostForUrl(opts.bindAddress);
    serverAddress = `${host.replace(/^\[|\]$/g, '')}:${port}`;
    const url = `https://${host}:${port}`;
    const remoteContent = remoteNamespaceContent(aggregator.apiServices, remoteDiscovery, aggregator.fetcher, discoveryTimeoutMs);
    const controllers: Controller[] = [
      await startNamespaceLifecycle(rest, () => remoteContent),
      await startNamespaceDefaults(rest, pki.caCertPem),
      startFlowSchemaStatus(rest),
    ];
    await writeKubeconfig(kubeconfigPath, { server: url, caCertPem: pki.caCertPem, token: pki.adminToken });

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      kubeconfigPath,
      adminToken: pki.adminToken,
      close() {
        closing ??= (async () => {
          for (const c of controllers) c.stop();
          remoteDiscovery?.stop();
          openapi?.stop();
          aggregator?.stop();
          closeAllWatches();
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // Requests in flight get a moment to finish; then connections are cut.
            setTimeout(() => { for (const s of sockets) s.destroy(); }, 2000).unref();
          });
          await store.close();
          store_ = undefined;
        })();
        return closing;
      },
    };
  } catch (err) {
    remoteDiscovery?.stop();
    openapi?.stop();
    aggregator?.stop();
    await store.close().catch(() => undefined);
    throw err;
  }
}
