// The aggregator's discovery manager: for every APIService served by an extension API server, what that
// server says the group version holds, kept in a cache refreshed in the background (on APIService changes
// and periodically) so discovery requests never wait for a backend. A backend that cannot be reached, does
// not answer in time or answers something unusable keeps its group versions listed as Stale, as
// kube-aggregator does.
import type { APIServiceInfo } from './apiservice-registry.js';
import type { BackendFetcher } from './backend.js';
import {
  AGGREGATED_ACCEPT,
  DiscoveryFormatError,
  discoveryAnswerKind,
  legacyToAggregated,
  parseAggregatedDiscovery,
  parseJsonObject,
} from './discovery-documents.js';
import {
  apiServicesByBackend,
  backendKey,
  type BackendRefresher,
  createRefresher,
  boundedGet,
  groupVersionOf,
  needsRefetch,
  type APIServiceSource,
} from './discovery-refresher.js';
import { orderDiscoveryGroups } from '../server/discovery/groups.js';
import type { APIResourceDiscovery, DiscoveryGroup, DiscoveryVersion } from '../server/discovery/types.js';

export interface DiscoveryManagerOptions {
  registry: APIServiceSource;
  fetcher: BackendFetcher;
  /** Bound of every request to a backend (--discovery-timeout; default 5000). */
  discoveryTimeoutMs?: number;
  /** Time between refreshes of a healthy backend (default 30000). */
  refreshIntervalMs?: number;
  /** First retry delay after a failure (default 1000), doubled per further failure up to retryMaxMs. */
  retryMinMs?: number;
  /** Longest retry delay of a failing backend (default: refreshIntervalMs). */
  retryMaxMs?: number;
  /** Backends refreshed at once (default 64). */
  maxConcurrent?: number;
  /** Where refresh failures are reported (default: nowhere). */
  log?: (message: string) => void;
}

/** How one backend's last refresh went. */
export interface BackendDiscoveryStatus {
  backend: string;
  /** The APIServices served by it. */
  apiServices: string[];
  mode: 'aggregated' | 'legacy' | 'unknown';
  ok: boolean;
  failures: number;
  lastError?: string;
  etag?: string;
}

interface VersionEntry {
  resources: APIResourceDiscovery[];
  current: boolean;
}

interface BackendState {
  /** The aggregated document's ETag, sent back as If-None-Match. */
  etag?: string;
  /** Every group version of the last aggregated document (kept whole so a 304 serves newly claimed ones). */
  doc?: Map<string, APIResourceDiscovery[]>;
  /** The claimed group versions ("group/version") as of the last refresh. */
  entries: Map<string, VersionEntry>;
  mode: 'aggregated' | 'legacy' | 'unknown';
  ok: boolean;
  lastError?: string;
  /** Bumped whenever the backend is dropped, so a refresh still running for it is ignored. */
  generation: number;
}

/** Group versions answered by extension API servers, for the discovery documents. */
export class DiscoveryManager {
  private readonly registry: APIServiceSource;
  private readonly fetcher: BackendFetcher;
  private readonly timeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly refresher: BackendRefresher;
  private readonly backends = new Map<string, BackendState>();
  private readonly listeners = new Set<() => void>();
  private snapshot: DiscoveryGroup[] = [];
  private signature = '[]';
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private stopped = false;
  private generations = 0;

  constructor(opts: DiscoveryManagerOptions) {
    this.registry = opts.registry;
    this.fetcher = opts.fetcher;
    this.timeoutMs = opts.discoveryTimeoutMs ?? 5000;
    this.log = opts.log ?? (() => undefined);
    this.refresher = createRefresher(opts, (key) => this.refresh(key));
  }

  /** Follows the registry from now on and starts refreshing every backend; returns at once. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.unsubscribe = this.registry.onChange((_name, now, before) => this.apiServiceChanged(now, before));
    this.recompute();
    for (const key of apiServicesByBackend(this.registry).keys()) this.refresher.trigger(key);
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.refresher.stop();
    this.listeners.clear();
  }

  /**
   * The remote group versions, ordered as discovery lists them, each with its APIService's priorities, its
   * resources and freshness. Answered from memory: never waits for a backend.
   */
  groups(): DiscoveryGroup[] {
    return this.snapshot;
  }

  /** Calls `listener` whenever groups() changes; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Refreshes every backend now (in the background). */
  refreshAll(): void {
    for (const key of apiServicesByBackend(this.registry).keys()) this.refresher.trigger(key);
  }

  /** Resolves once no refresh is queued or running (for tests and orderly shutdown). */
  settled(): Promise<void> {
    return this.refresher.idle();
  }

  /** How each backend's last refresh went. */
  status(): BackendDiscoveryStatus[] {
    const byBackend = apiServicesByBackend(this.registry);
    return [...byBackend].map(([backend, services]) => {
      const s = this.backends.get(backend);
      const out: BackendDiscoveryStatus = {
        backend,
        apiServices: services.map((a) => a.name),
        mode: s?.mode ?? 'unknown',
        ok: s?.ok ?? false,
        failures: this.refresher.failures(backend),
      };
      if (s?.lastError) out.lastError = s.lastError;
      if (s?.etag) out.etag = s.etag;
      return out;
    });
  }

  private apiServiceChanged(now: APIServiceInfo | undefined, before: APIServiceInfo | undefined): void {
    const live = apiServicesByBackend(this.registry);
    const touched = new Set<string>();
    for (const a of [now, before]) {
      const key = a && backendKey(a);
      if (key) touched.add(key);
    }
    for (const key of touched) {
      if (!live.has(key)) {
        // No APIService points at it any more: forget it and whatever it still has running.
        this.refresher.remove(key);
        this.backends.delete(key);
      } else if (needsRefetch(now, before)) {
        this.refresher.trigger(key);
      }
    }
    this.recompute();
  }

  private state(key: string): BackendState {
    let s = this.backends.get(key);
    if (!s) {
      s = { entries: new Map(), mode: 'unknown', ok: false, generation: ++this.generations };
      this.backends.set(key, s);
    }
    return s;
  }

  /** One refresh of one backend; never throws. Resolves true when every claimed group version is current. */
  private async refresh(key: string): Promise<boolean> {
    const claimed = apiServicesByBackend(this.registry).get(key);
    if (!claimed || claimed.length === 0) {
      this.backends.delete(key);
      this.refresher.remove(key);
      this.recompute();
      return true;
    }
    const state = this.state(key);
    const generation = state.generation;
    const via = claimed[0]!;
    let entries: Map<string, VersionEntry>;
    let ok: boolean;
    let error: string | undefined;
    let update: Partial<BackendState> = {};
    try {
      const res = await boundedGet(this.fetcher, via, '/apis', {
        timeoutMs: this.timeoutMs,
        accept: AGGREGATED_ACCEPT,
        ...(state.doc && state.etag ? { etag: state.etag } : {}),
      });
      let doc: Map<string, APIResourceDiscovery[]> | undefined;
      let legacy = false;
      if (res.status === 304) {
        if (!state.doc) throw new DiscoveryFormatError('304 Not Modified without a cached document');
        doc = state.doc;
      } else if (res.status === 200) {
        const body = parseJsonObject(res.body);
        const kind = discoveryAnswerKind(body);
        if (kind === 'aggregated') {
          doc = parseAggregatedDiscovery(body);
          const etag = headerValue(res.headers['etag']);
          update = { doc, mode: 'aggregated', ...(etag ? { etag } : { etag: undefined }) };
        } else if (kind === 'legacy-group-list') {
          legacy = true;
        } else {
          throw new DiscoveryFormatError(`GET /apis: kind ${JSON.stringify(body['kind'])} is not a discovery list`);
        }
      } else if (res.status === 404 || res.status === 406) {
        legacy = true;
      } else {
        throw new DiscoveryFormatError(`GET /apis: status ${res.status}`);
      }
      if (legacy) {
        ({ entries, ok, error } = await this.legacyRefresh(claimed, state));
        update = { doc: undefined, etag: undefined, mode: 'legacy' };
      } else {
        entries = new Map();
        for (const a of claimed) entries.set(groupVersionOf(a), { resources: doc!.get(groupVersionOf(a)) ?? [], current: true });
        ok = true;
        if (res.status === 304) update = { mode: 'aggregated' };
      }
    } catch (err) {
      ok = false;
      error = errorMessage(err);
      entries = new Map();
      for (const a of claimed) {
        const gv = groupVersionOf(a);
        entries.set(gv, { resources: state.entries.get(gv)?.resources ?? [], current: false });
      }
    }
    if (this.stopped || this.backends.get(key) !== state || state.generation !== generation) return ok;
    Object.assign(state, update);
    state.entries = entries;
    state.ok = ok;
    if (error !== undefined) state.lastError = error;
    else delete state.lastError;
    if (!ok) this.log(`discovery of ${key} (${claimed.map((a) => a.name).join(', ')}) failed: ${error}`);
    this.recompute();
    return ok;
  }

  /** A backend without aggregated discovery: one APIResourceList per claimed group version. */
  private async legacyRefresh(
    claimed: APIServiceInfo[],
    state: BackendState,
  ): Promise<{ entries: Map<string, VersionEntry>; ok: boolean; error?: string }> {
    const results = await Promise.all(
      claimed.map(async (a): Promise<[string, VersionEntry, string | undefined]> => {
        const gv = groupVersionOf(a);
        const path = a.group ? `/apis/${a.group}/${a.version}` : `/api/${a.version}`;
        try {
          const res = await boundedGet(this.fetcher, a, path, { timeoutMs: this.timeoutMs, accept: 'application/json' });
          if (res.status !== 200) throw new DiscoveryFormatError(`GET ${path}: status ${res.status}`);
          const resources = legacyToAggregated(parseJsonObject(res.body), a.group ? gv : a.version);
          return [gv, { resources, current: true }, undefined];
        } catch (err) {
          return [gv, { resources: state.entries.get(gv)?.resources ?? [], current: false }, `${path}: ${errorMessage(err)}`];
        }
      }),
    );
    const entries = new Map<string, VersionEntry>();
    const errors: string[] = [];
    for (const [gv, entry, error] of results) {
      entries.set(gv, entry);
      if (error) errors.push(error);
    }
    return errors.length ? { entries, ok: false, error: errors.join('; ') } : { entries, ok: true };
  }

  /** Rebuilds groups() from the registry and the caches; tells listeners when it changed. */
  private recompute(): void {
    const groups = new Map<string, DiscoveryVersion[]>();
    for (const a of this.registry.remote()) {
      const key = backendKey(a);
      if (!key || !a.version) continue;
      const entry = this.backends.get(key)?.entries.get(groupVersionOf(a));
      // An APIService its availability check marked False is answered 503 by the proxy, so kube-aggregator
      // has nothing for it: listed, Stale, without resources (unavailable-aggregated-discovery-apis.json).
      const unavailable = a.available.status === 'False';
      const version: DiscoveryVersion = {
        version: a.version,
        resources: unavailable ? [] : (entry?.resources ?? []),
        freshness: !unavailable && entry?.current ? 'Current' : 'Stale',
        groupPriorityMinimum: a.groupPriorityMinimum,
        versionPriority: a.versionPriority,
      };
      let versions = groups.get(a.group);
      if (!versions) groups.set(a.group, (versions = []));
      versions.push(version);
    }
    const snapshot = orderDiscoveryGroups([...groups].map(([name, versions]) => ({ name, versions })));
    const signature = JSON.stringify(snapshot);
    if (signature === this.signature) return;
    this.snapshot = snapshot;
    this.signature = signature;
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.log(`discovery change listener failed: ${errorMessage(err)}`);
      }
    }
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
