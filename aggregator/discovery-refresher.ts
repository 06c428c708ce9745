// Background refreshing of per-backend caches (aggregated discovery, OpenAPI indexes): one job per extension
// API server, run now when something changed, then again periodically, sooner (with capped backoff) while
// the backend fails. Nothing here ever runs in a request's path.
import type { APIServiceInfo, APIServiceListener } from './apiservice-registry.js';
import { BackendError, type BackendFetcher, type BackendGetOptions, type BackendResponse } from './backend.js';

/** What the discovery and OpenAPI managers read of the APIService registry (the real one, or a test's). */
export interface APIServiceSource {
  /** APIServices served by extension API servers (with spec.service). */
  remote(): APIServiceInfo[];
  /** Calls `listener` on every later change; returns a function that unsubscribes. */
  onChange(listener: APIServiceListener): () => void;
}

/**
 * The backend an APIService is served by: its service reference ("namespace/name:port"), as kube-aggregator
 * keys its discovery cache (several APIServices usually share one backend). Undefined for Local APIServices.
 */
export function backendKey(a: APIServiceInfo): string | undefined {
  return a.service ? `${a.service.namespace}/${a.service.name}:${a.service.port}` : undefined;
}

/** "group/version" of an APIService. */
export function groupVersionOf(a: Pick<APIServiceInfo, 'group' | 'version'>): string {
  return `${a.group}/${a.version}`;
}

/** The remote APIServices grouped by backend, each group sorted by name (the first one is used to reach it). */
export function apiServicesByBackend(source: APIServiceSource): Map<string, APIServiceInfo[]> {
  const out = new Map<string, APIServiceInfo[]>();
  for (const a of source.remote()) {
    const key = backendKey(a);
    if (!key || !a.version) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(a);
  }
  for (const list of out.values()) list.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out;
}

/** Whether an APIService change can change what its backend answers (not a mere status touch). */
export function needsRefetch(now: APIServiceInfo | undefined, before: APIServiceInfo | undefined): boolean {
  if (!now || !before) return true;
  if (backendKey(now) !== backendKey(before)) return true;
  if (now.caBundle !== before.caBundle || now.insecureSkipTLSVerify !== before.insecureSkipTLSVerify) return true;
  if (now.group !== before.group || now.version !== before.version) return true;
  // Coming back to Available is the moment to look again rather than at the next period.
  return now.available.status !== before.available.status && now.available.status !== 'False';
}

/**
 * GETs through the fetcher, bounded by `timeoutMs` even if the fetcher does not keep its own promise: a
 * little after the deadline the call rejects with BackendError regardless of what the fetcher does.
 */
export function boundedGet(
  fetcher: BackendFetcher,
  apiService: APIServiceInfo,
  path: string,
  opts: BackendGetOptions,
): Promise<BackendResponse> {
  let timer: NodeJS.Timeout | undefined;
  let call: Promise<BackendResponse>;
  try {
    call = fetcher.get(apiService, path, opts);
  } catch (err) {
    return Promise.reject(err);
  }
  call.catch(() => undefined);
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendError('FailedDiscoveryCheck', `GET ${path}: no answer within ${opts.timeoutMs}ms`)),
      opts.timeoutMs + GUARD_GRACE_MS,
    );
  });
  return Promise.race([call, guard]).finally(() => clearTimeout(timer));
}

/** How long after its own deadline a fetcher gets before boundedGet gives up on it. */
const GUARD_GRACE_MS = 250;

export interface RefresherOptions {
  /** Refreshes one backend; resolves true on success. A rejection counts as a failure. */
  refresh: (key: string) => Promise<boolean>;
  /** Time between refreshes of a healthy backend. */
  intervalMs: number;
  /** First retry delay of a failing backend; doubled on each further failure... */
  retryMinMs: number;
  /** ...up to this. */
  retryMaxMs: number;
  /** Refreshes running at once; more wait for a slot. */
  maxConcurrent: number;
}

interface Job {
  timer?: NodeJS.Timeout;
  queued: boolean;
  running: boolean;
  /** Triggered while running: run again right after. */
  again: boolean;
  failures: number;
  removed: boolean;
}

/** Timing knobs callers may leave out; see RefresherOptions for their meaning. */
export interface RefreshTiming {
  refreshIntervalMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  maxConcurrent?: number;
}

/** A refresher with kage's defaults: every 30 s when healthy, retries from 1 s up to the interval, 64 at once. */
export function createRefresher(timing: RefreshTiming, refresh: (key: string) => Promise<boolean>): BackendRefresher {
  const intervalMs = timing.refreshIntervalMs ?? 30_000;
  return new BackendRefresher({
    refresh,
    intervalMs,
    retryMinMs: timing.retryMinMs ?? 1000,
    retryMaxMs: timing.retryMaxMs ?? intervalMs,
    maxConcurrent: timing.maxConcurrent ?? 64,
  });
}

/** Schedules the refresh jobs of a set of backends. */
export class BackendRefresher {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: RefresherOptions) {}

  /** Refreshes `key` as soon as a slot is free (coalesced with a queued or running refresh). */
  trigger(key: string): void {
    if (this.stopped) return;
    let job = this.jobs.get(key);
    if (!job) {
      job = { queued: false, running: false, again: false, failures: 0, removed: false };
      this.jobs.set(key, job);
    }
    if (job.running) {
      job.again = true;
      return;
    }
    if (job.queued) return;
    clearTimeout(job.timer);
    job.timer = undefined;
    job.queued = true;
    this.queue.push(key);
    this.pump();
  }

  /** Stops refreshing `key` (a running refresh finishes, but is not rescheduled). */
  remove(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    job.removed = true;
    clearTimeout(job.timer);
    this.jobs.delete(key);
    if (job.queued) {
      const i = this.queue.indexOf(key);
      if (i >= 0) this.queue.splice(i, 1);
      job.queued = false;
      this.checkIdle();
    }
  }

  keys(): string[] {
    return [...this.jobs.keys()];
  }

  /** Consecutive failures of a backend's refreshes (0 when the last one succeeded). */
  failures(key: string): number {
    return this.jobs.get(key)?.failures ?? 0;
  }

  /** Resolves once nothing is queued or running (timers waiting for the next period do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) {
      job.removed = true;
      clearTimeout(job.timer);
    }
    this.jobs.clear();
    this.queue.length = 0;
    this.checkIdle();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.opts.maxConcurrent && this.queue.length > 0) {
      const key = this.queue.shift()!;
      const job = this.jobs.get(key);
      if (!job || job.removed) continue;
      job.queued = false;
      job.running = true;
      this.running++;
      void this.run(key, job);
    }
    this.checkIdle();
  }

  private async run(key: string, job: Job): Promise<void> {
    let ok = false;
    try {
      ok = await this.opts.refresh(key);
    } catch {
      ok = false;
    }
    this.running--;
    job.running = false;
    if (!job.removed && !this.stopped) {
      job.failures = ok ? 0 : job.failures + 1;
      if (job.again) {
        job.again = false;
        job.queued = true;
        this.queue.push(key);
      } else {
        job.timer = setTimeout(() => {
          job.timer = undefined;
          this.trigger(key);
        }, this.delay(job.failures));
        job.timer.unref?.();
      }
    }
    this.pump();
  }

  private delay(failures: number): number {
    const { intervalMs, retryMinMs, retryMaxMs } = this.opts;
    if (failures === 0) return intervalMs * (0.9 + Math.random() * 0.2);
    return Math.min(retryMinMs * 2 ** Math.min(failures - 1, 30), retryMaxMs);
  }

  private checkIdle(): void {
    if (this.running > 0 || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
