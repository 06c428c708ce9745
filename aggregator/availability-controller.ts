// The Available condition of non-local APIServices, as kube-aggregator's remote AvailableConditionController keeps
// it: the service must exist; a ClusterIP (or NodePort/LoadBalancer) service must listen on the APIService's port
// and have ready endpoints on that port's name; then GET /apis/<group>/<version> on the backend, as
// system:kube-aggregator in system:masters, without verifying the server certificate (as the real probe does;
// requests through the proxy do verify), must answer 2xx in time. The condition's reasons and messages are the
// real ones:
//   True  Passed               all checks passed
//   False ServiceNotFound      service/<name> in "<ns>" is not present
//   False ServicePortError     service/<name> in "<ns>" is not listening on port <port>
//   False EndpointsNotFound    cannot find endpoints for service/<name> in "<ns>"
//   False MissingEndpoints     endpoints for service/<name> in "<ns>" have no addresses with port name "<port name>"
//   False FailedDiscoveryCheck failing or missing response from <url>: <error>
//                              (<error>: `Get "<url>": <Go-worded error>`, or `bad status from <url>: <code>`)
// Checks run when an APIService changes, when a Service, Endpoints or EndpointSlice it depends on changes, and
// every interval; at most one check per APIService is in flight (a change during a check queues one more).
// lastTransitionTime moves only when the status does, and the status is written only when something changed,
// against the stored resourceVersion (a conflict re-reads and retries).
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../server/api/types.js';
import { nowTimestamp } from '../server/rest/strategy.js';
import { StoreError, type Store, type StoreEvent, type StoreWatcher } from '../storage/store.js';
import { APISERVICE_PREFIX, type APIServiceInfo, type APIServiceRegistry } from './apiservice-registry.js';
import { BackendError } from './backend.js';
import { BackendRequestError, type HttpsBackendFetcher } from './backend-fetcher.js';
import { joinHostPort } from './network-errors.js';
import {
  ENDPOINTSLICE_PREFIX, ENDPOINTS_PREFIX, SERVICE_NAME_LABEL, SERVICE_PREFIX, resolveBackends, type BackendAddress,
} from './service-resolver.js';

export const DEFAULT_AVAILABILITY_CHECK_INTERVAL_MS = 10_000;
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5000;
/** kube-aggregator probes up to this many times in parallel; one success is enough. */
const PROBE_ATTEMPTS = 5;
const MAX_WRITE_ATTEMPTS = 5;

export interface AvailabilityControllerOptions {
  store: Store;
  apiServices: APIServiceRegistry;
  fetcher: HttpsBackendFetcher;
  /** Probe timeout (default 5000). */
  discoveryTimeoutMs?: number;
  /** How often every non-local APIService is checked (default 10000). */
  intervalMs?: number;
  log?: (line: string) => void;
}

/** The Available condition as kube-aggregator writes it. */
export interface Condition {
  type: 'Available';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

interface Slot {
  running: boolean;
  again: boolean;
}

type Obj = Record<string, unknown>;

/** The discovery path the availability check asks for (/api/v1 for "v1.", else /apis/<group>/<version>). */
export function discoveryPath(apiService: APIServiceInfo): string {
  return apiService.name === 'v1.' ? `/api/${apiService.version}` : `/apis/${apiService.group}/${apiService.version}`;
}

export class AvailabilityController {
  private readonly slots = new Map<string, Slot>();
  /** The condition this controller last wrote per APIService (status, reason, message). */
  private readonly written = new Map<string, string>();
  private readonly watchers = new Map<string, StoreWatcher[]>();
  private readonly idle = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private interval: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly aborter = new AbortController();
  private readonly timeoutMs: number;

  private constructor(private readonly opts: AvailabilityControllerOptions) {
    this.timeoutMs = opts.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
    // One listener per probe in flight, and there may be many APIServices.
    setMaxListeners(0, this.aborter.signal);
  }

  /** Starts checking: every non-local APIService now, then on changes and every interval. */
  static start(opts: AvailabilityControllerOptions): AvailabilityController {
    const c = new AvailabilityController(opts);
    c.unsubscribe = opts.apiServices.onChange((name, now, before) => {
      c.syncWatches();
      if (now?.service && c.needsCheck(now, before)) c.enqueue(name);
    });
    c.syncWatches();
    for (const a of opts.apiServices.remote()) c.enqueue(a.name);
    c.interval = setInterval(() => {
      for (const a of opts.apiServices.remote()) c.enqueue(a.name);
    }, opts.intervalMs ?? DEFAULT_AVAILABILITY_CHECK_INTERVAL_MS);
    c.interval.unref();
    return c;
  }

  /** Stops timers and watches; probes in flight are abandoned and nothing more is written. */
  stop(): void {
    this.stopped = true;
    this.aborter.abort();
    if (this.interval) clearInterval(this.interval);
    this.unsubscribe?.();
    for (const list of this.watchers.values()) for (const w of list) w.stop();
    this.watchers.clear();
  }

  /** Resolves when no check is running or queued (for tests). */
  whenIdle(): Promise<void> {
    if (![...this.slots.values()].some((s) => s.running)) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Queues a check of one APIService. */
  enqueue(name: string): void {
    if (this.stopped) return;
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { running: false, again: false };
      this.slots.set(name, slot);
    }
    if (slot.running) {
      slot.again = true;
      return;
    }
    slot.running = true;
    void this.run(name, slot);
  }

  private async run(name: string, slot: Slot): Promise<void> {
    try {
      do {
        slot.again = false;
        try {
          await this.check(name);
        } catch (err) {
          this.opts.log?.(`kage: availability check of APIService ${name} failed: ${(err as Error).message}`);
        }
      } while (slot.again && !this.stopped);
    } finally {
      slot.running = false;
      if (!this.opts.apiServices.byNameOf(name)) {
        this.slots.delete(name);
        this.written.delete(name);
      }
      if (![...this.slots.values()].some((s) => s.running)) {
        for (const done of this.idle) done();
        this.idle.clear();
      }
    }
  }

  /**
   * Every change is checked, as the real controller re-syncs on every update, except our own status writes
   * coming back (the condition we just wrote, spec unchanged): those would only repeat the probe.
   */
  private needsCheck(now: APIServiceInfo, before: APIServiceInfo | undefined): boolean {
    if (!before || JSON.stringify(now.object['spec']) !== JSON.stringify(before.object['spec'])) return true;
    return conditionKey(now.available) !== this.written.get(now.name);
  }

  /** Checks one APIService now and records the result. */
  async check(name: string): Promise<void> {
    const apiService = this.opts.apiServices.byNameOf(name);
    if (!apiService?.service) return;
    const spec = JSON.stringify(apiService.object['spec']);
    const result = await this.evaluate(apiService);
    if (this.stopped) return;
    await this.write(name, spec, result);
  }

  /** Status, reason and message of the Available condition for an APIService right now. */
  async evaluate(apiService: APIServiceInfo): Promise<Pick<Condition, 'status' | 'reason' | 'message'>> {
    const ref = apiService.service!;
    let addresses: BackendAddress[];
    try {
      // Service, port and endpoints, with the real reasons (an ExternalName service skips port and endpoints).
      addresses = await resolveBackends(this.opts.store, ref);
    } catch (err) {
      if (err instanceof BackendError) return { status: 'False', reason: err.reason, message: err.message };
      throw err;
    }
    const path = discoveryPath(apiService);
    const targets = pick(addresses, PROBE_ATTEMPTS);
    const outcomes = await Promise.all(targets.map((address) => this.probe(apiService, address, path)));
    if (outcomes.some((o) => o === undefined)) return { status: 'True', reason: 'Passed', message: 'all checks passed' };
    return { status: 'False', reason: 'FailedDiscoveryCheck', message: outcomes[outcomes.length - 1]! };
  }

  /** undefined on success, else the condition message. */
  private async probe(apiService: APIServiceInfo, address: BackendAddress, path: string): Promise<string | undefined> {
    const url = `https://${joinHostPort(address.host, address.port)}${path}`;
    try {
      const res = await this.opts.fetcher.getFrom(apiService, address, path, { timeoutMs: this.timeoutMs, skipVerify: true, signal: this.aborter.signal });
      if (res.status >= 200 && res.status < 300) return undefined;
      return `failing or missing response from ${url}: bad status from ${url}: ${res.status}`;
    } catch (err) {
      const detail = err instanceof BackendRequestError ? err.message : `Get ${JSON.stringify(url)}: ${(err as Error).message}`;
      return `failing or missing response from ${url}: ${detail}`;
    }
  }

  /** Writes the condition unless it is already what storage holds; re-reads and retries on conflicts. */
  private async write(name: string, probedSpec: string, result: Pick<Condition, 'status' | 'reason' | 'message'>): Promise<void> {
    const key = `${APISERVICE_PREFIX}${name}`;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const rec = await this.opts.store.get(key);
      if (!rec || this.stopped) return;
      // The APIService changed while it was probed: the result is stale, check again.
      if (JSON.stringify(rec.object['spec']) !== probedSpec) {
        this.enqueue(name);
        return;
      }
      const next = JSON.parse(rec.json) as KubeObject;
      this.written.set(name, conditionKey(result));
      if (!setAvailableCondition(next, result)) return;
      delete next.metadata.resourceVersion;
      try {
        await this.opts.store.update(key, next, rec.revision);
        return;
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict') continue;
        if (err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Closed')) return;
        throw err;
      }
    }
  }

  /** Keeps one watch per resource kind per namespace that some APIService's service lives in. */
  private syncWatches(): void {
    if (this.stopped) return;
    const namespaces = new Set(this.opts.apiServices.remote().map((a) => a.service!.namespace));
    for (const [ns, list] of this.watchers) {
      if (namespaces.has(ns)) continue;
      for (const w of list) w.stop();
      this.watchers.delete(ns);
    }
    for (const ns of namespaces) {
      if (this.watchers.has(ns)) continue;
      const from = this.opts.store.currentRevision();
      const list: StoreWatcher[] = [];
      for (const prefix of [SERVICE_PREFIX, ENDPOINTS_PREFIX, ENDPOINTSLICE_PREFIX]) {
        try {
          list.push(this.opts.store.watch(`${prefix}${ns}/`, from, (ev) => this.onDependencyEvent(prefix, ns, ev)));
        } catch (err) {
          this.opts.log?.(`kage: cannot watch ${prefix}${ns}/: ${(err as Error).message}`);
        }
      }
      this.watchers.set(ns, list);
    }
  }

  private onDependencyEvent(prefix: string, namespace: string, ev: StoreEvent): void {
    const names = new Set<string>();
    if (prefix === ENDPOINTSLICE_PREFIX) {
      for (const obj of [ev.record.object, ev.prev?.object]) {
        const svc = obj?.metadata.labels?.[SERVICE_NAME_LABEL];
        if (svc) names.add(svc);
      }
    } else {
      names.add(ev.record.object.metadata.name ?? ev.key.slice(`${prefix}${namespace}/`.length));
    }
    for (const a of this.opts.apiServices.remote()) {
      if (a.service!.namespace === namespace && names.has(a.service!.name)) this.enqueue(a.name);
    }
  }
}

function conditionKey(c: Pick<Condition, 'status' | 'reason' | 'message'>): string {
  return JSON.stringify([c.status, c.reason, c.message]);
}

/** Up to `n` of `list`, in random order. */
function pick<T>(list: readonly T[], n: number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/**
 * Sets the Available condition on an APIService object as SetAPIServiceCondition does (lastTransitionTime moves
 * only with the status); true when the object changed.
 */
export function setAvailableCondition(obj: KubeObject, result: Pick<Condition, 'status' | 'reason' | 'message'>, now: Date = new Date()): boolean {
  const status = (obj['status'] && typeof obj['status'] === 'object' ? obj['status'] : {}) as Obj;
  obj['status'] = status;
  const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as Obj[]) : [];
  const i = conditions.findIndex((c) => c && c['type'] === 'Available');
  const existing = i >= 0 ? conditions[i]! : undefined;
  if (existing && existing['status'] === result.status && existing['reason'] === result.reason && existing['message'] === result.message) {
    return false;
  }
  const condition: Condition = {
    type: 'Available',
    status: result.status,
    lastTransitionTime: existing && existing['status'] === result.status && typeof existing['lastTransitionTime'] === 'string'
      ? existing['lastTransitionTime']
      : nowTimestamp(now),
    reason: result.reason,
    message: result.message,
  };
  if (i >= 0) conditions[i] = { ...condition };
  else conditions.push({ ...condition });
  status['conditions'] = conditions;
  return true;
}
