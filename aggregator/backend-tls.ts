// TLS towards extension API servers, per APIService, as kube-aggregator builds its transport
// (remote.BuildTransportConfig): the server certificate is verified against spec.caBundle (or the system roots
// when there is none) for the name "<service>.<namespace>.svc", or not at all with spec.insecureSkipTLSVerify;
// kage presents its front-proxy client certificate so the backend can trust the X-Remote-* identity headers.
// One keep-alive https.Agent per APIService is cached and replaced when a TLS-relevant field changes.
import { Agent } from 'node:https';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { APIServiceInfo } from './apiservice-registry.js';
import { BackendPools } from './backend-pools.js';

/**
 * Idle kept-alive connections are closed after this, before Node servers (keepAliveTimeout 5 s) close them from
 * their side, which would race with a request being sent on them. (Busy connections are not affected.)
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4000;

/** The client certificate kage presents to extension API servers (the front-proxy client). */
export interface ClientIdentity {
  certPem: string;
  keyPem: string;
}

export interface BackendTlsOptions {
  /** Use insecureSkipTLSVerify regardless of the APIService (the availability probe does, as the real one). */
  skipVerify?: boolean;
}

/** The TLS client options for one APIService, or why they cannot be built. */
export type TlsBuild = { ok: true; options: ConnectionOptions; fingerprint: string } | { ok: false; error: string };

/** The name the backend's certificate is verified for: "<service>.<namespace>.svc". */
export function serverNameFor(apiService: APIServiceInfo): string {
  const svc = apiService.service;
  return svc ? `${svc.name}.${svc.namespace}.svc` : '';
}

/** Builds the TLS options for an APIService (no network access). */
export function buildTlsOptions(apiService: APIServiceInfo, identity: ClientIdentity, opts: BackendTlsOptions = {}): TlsBuild {
  const insecure = opts.skipVerify === true || apiService.insecureSkipTLSVerify;
  const options: ConnectionOptions = {
    servername: serverNameFor(apiService),
    cert: identity.certPem,
    key: identity.keyPem,
    rejectUnauthorized: !insecure,
  };
  if (apiService.caBundle && !insecure) {
    const pem = Buffer.from(apiService.caBundle, 'base64').toString('utf8');
    // transport.New fails the same way for a caBundle without a PEM certificate in it.
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, error: 'unable to load root certificates: unable to parse bytes as PEM block' };
    try {
      createSecureContext({ ca: pem });
    } catch (err) {
      return { ok: false, error: `unable to load root certificates: ${(err as Error).message}` };
    }
    options.ca = pem;
  }
  const fingerprint = JSON.stringify([options.servername, insecure, insecure ? '' : (apiService.caBundle ?? '')]);
  return { ok: true, options, fingerprint };
}

/** The connections of one TLS setting: an https.Agent (the aggregator's own requests) and proxy pools. */
interface Transport {
  ok: true;
  agent: Agent;
  /** Created on the first proxied request. */
  pools?: BackendPools;
  secureContext: SecureContext;
}

interface CachedAgent {
  /** What the agent was built from; compared field by field so a hit costs no parsing. */
  servername: string;
  insecure: boolean;
  caBundle: string;
  result: Transport | { ok: false; error: string };
}

// Proxied requests run many at once; free connections beyond this are closed and later re-handshaked.
const MAX_FREE_SOCKETS = 256;

/** Keep-alive agents (and raw TLS options, for upgrades) per APIService. */
export class BackendTls {
  private readonly agents = new Map<string, CachedAgent>();

  constructor(private readonly identity: ClientIdentity) {}

  /** TLS options for a direct tls.connect (upgrade requests); same rules as the agents. */
  options(apiService: APIServiceInfo, opts: BackendTlsOptions = {}): TlsBuild {
    return buildTlsOptions(apiService, this.identity, opts);
  }

  /** The agent for an APIService, created or replaced when its TLS-relevant spec changed; or the build error. */
  agentFor(apiService: APIServiceInfo, opts: BackendTlsOptions = {}): { ok: true; agent: Agent } | { ok: false; error: string } {
    return this.transportFor(apiService, opts);
  }

  /** Connection pools for proxying to an APIService's backend addresses, or the TLS build error. */
  poolsFor(apiService: APIServiceInfo, connectTimeoutMs: number): { ok: true; pools: BackendPools } | { ok: false; error: string } {
    const t = this.transportFor(apiService);
    if (!t.ok) return t;
    t.pools ??= new BackendPools({
      secureContext: t.secureContext,
      servername: serverNameFor(apiService),
      rejectUnauthorized: !apiService.insecureSkipTLSVerify,
    }, connectTimeoutMs);
    return { ok: true, pools: t.pools };
  }

  private transportFor(apiService: APIServiceInfo, opts: BackendTlsOptions = {}): Transport | { ok: false; error: string } {
    const insecure = opts.skipVerify === true || apiService.insecureSkipTLSVerify;
    const servername = serverNameFor(apiService);
    const caBundle = insecure ? '' : (apiService.caBundle ?? '');
    const key = `${apiService.name}${opts.skipVerify ? '\u0000probe' : ''}`;
    const cached = this.agents.get(key);
    // The hot path of every proxied request: no base64 decoding, no PEM parsing.
    if (cached && cached.servername === servername && cached.insecure === insecure && cached.caBundle === caBundle) return cached.result;
    if (cached?.result.ok) retire(cached.result);
    const built = buildTlsOptions(apiService, this.identity, opts);
    let result: CachedAgent['result'];
    if (!built.ok) {
      result = built;
    } else {
      // One secure context per agent: new connections reuse it instead of parsing the PEMs again.
      const secureContext = createSecureContext({ cert: built.options.cert, key: built.options.key, ...(built.options.ca ? { ca: built.options.ca } : {}) });
      // Sessions are per agent, so a replaced agent never resumes a session verified under old settings.
      // Only the secure context carries the PEMs: https.Agent builds its pool key from every PEM it is given,
      // three times per request, which cost more than a tenth of kage's CPU under proxied load.
      const agent = new Agent({
        keepAlive: true, maxFreeSockets: MAX_FREE_SOCKETS, timeout: IDLE_SOCKET_TIMEOUT_MS,
        servername: built.options.servername, rejectUnauthorized: built.options.rejectUnauthorized, secureContext,
      });
      result = { ok: true, agent, secureContext };
    }
    this.agents.set(key, { servername, insecure, caBundle, result });
    return result;
  }

  /** Drops the agents of an APIService that is gone (connections in use finish first). */
  forget(name: string): void {
    for (const key of [name, `${name}\u0000probe`]) {
      const cached = this.agents.get(key);
      if (!cached) continue;
      if (cached.result.ok) retire(cached.result);
      this.agents.delete(key);
    }
  }

  /** Closes every agent's idle connections; connections in use are closed when they finish. */
  close(): void {
    for (const cached of this.agents.values()) if (cached.result.ok) retire(cached.result);
    this.agents.clear();
  }
}

/** Closes a transport's idle connections now and every busy one as soon as its exchange is over. */
function retire(transport: Transport): void {
  transport.pools?.close();
  const agent = transport.agent;
  agent.keepSocketAlive = () => false;
  for (const list of Object.values(agent.freeSockets)) {
    for (const socket of list ?? []) socket.destroy();
  }
}
