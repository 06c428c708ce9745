// Finishes namespace deletion, as kube-controller-manager's namespace controller does: once a namespace is
// Terminating, delete everything in it, then drop the "kubernetes" finalizer and remove the namespace.
import type { KubeObject } from '../api/types.js';
import type { StoreWatcher } from '../../storage/store.js';
import type { RestServices } from '../rest/context.js';
import { deleteByName } from '../rest/delete.js';
import { listPrefix } from '../rest/keys.js';
import { nowTimestamp } from '../rest/strategy.js';
import type { RemoteNamespaceContent } from '../../aggregator/namespace-content.js';

const NAMESPACE_PREFIX = '/registry/core/namespaces/';
const RETRY_MS = 500;

export interface Controller {
  stop(): void;
}

interface NamespaceCondition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * Starts the controller; it reacts to namespace changes and retries namespaces still holding content.
 * `remote` (the aggregation layer) adds what extension API servers hold in the namespace.
 */
export async function startNamespaceLifecycle(services: RestServices, remote?: () => RemoteNamespaceContent | undefined): Promise<Controller> {
  const { store, registry } = services;
  const queued = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let running = false;
  let stopped = false;

  const enqueue = (name: string, delayMs = 0): void => {
    if (stopped) return;
    if (delayMs > 0) {
      const t = setTimeout(() => { timers.delete(t); enqueue(name); }, delayMs);
      timers.add(t);
      return;
    }
    queued.add(name);
    void drain();
  };

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      while (queued.size > 0 && !stopped) {
        const name = queued.values().next().value as string;
        queued.delete(name);
        try {
          const done = await finalize(name);
          if (!done) enqueue(name, RETRY_MS);
        } catch (err) {
          if (stopped) return;
          console.error(`kage: namespace controller: ${name}: ${(err as Error).message}`);
          enqueue(name, RETRY_MS);
        }
      }
    } finally {
      running = false;
    }
  };

  /** One pass over a terminating namespace; true when nothing is left to do. */
  const finalize = async (name: string): Promise<boolean> => {
    const key = NAMESPACE_PREFIX + name;
    const ns = await store.get(key);
    if (!ns || !ns.object.metadata.deletionTimestamp) return true;
    let remaining = 0;
    const waitingOn = new Set<string>();
    for (const def of registry.all()) {
      if (!def.namespaced || !def.verbs.includes('delete')) continue;
      const page = await store.list({ prefix: listPrefix(def, name) });
      for (const rec of page.records) {
        const outcome = await deleteByName(services, def, name, rec.object.metadata.name ?? '', { dryRun: false, propagationPolicy: 'Background' })
          .catch((err: unknown) => {
            if ((err as { code?: number }).code === 404) return { deleted: true };
            throw err;
          });
        if (!outcome.deleted) {
          remaining++;
          for (const f of rec.object.metadata.finalizers ?? []) waitingOn.add(f);
        }
      }
    }
    // Extension API servers' objects go the same way; a backend whose discovery fails keeps the namespace.
    const failures: string[] = [];
    let discoveryFailed: string[] = [];
    const content = remote?.();
    if (content) {
      const snap = content.snapshot();
      discoveryFailed = snap.failed;
      for (const r of snap.resources) {
        try {
          const left = await content.deleteAll(r, name);
          if (left > 0) remaining += left;
        } catch (err) {
          failures.push(`${r.resource}.${r.group}: ${(err as Error).message}`);
        }
      }
    }
    if (stopped) return true;
    const fresh = await store.get(key);
    if (!fresh) return true;
    const obj = JSON.parse(fresh.json) as KubeObject;
    let changed = false;
    if (discoveryFailed.length > 0) {
      const list = discoveryFailed.map((gv) => `${gv}: stale GroupVersion discovery: ${gv}`).join(', ');
      changed = setCondition(obj, 'NamespaceDeletionDiscoveryFailure', 'True', 'DiscoveryFailed',
        `Discovery failed for some groups, ${discoveryFailed.length} failing: unable to retrieve the complete list of server APIs: ${list}`) || changed;
    } else if (hasCondition(obj, 'NamespaceDeletionDiscoveryFailure')) {
      changed = setCondition(obj, 'NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered') || changed;
    }
    if (failures.length > 0) {
      changed = setCondition(obj, 'NamespaceDeletionContentFailure', 'True', 'ContentDeletionFailed',
        `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`) || changed;
    } else if (hasCondition(obj, 'NamespaceDeletionContentFailure')) {
      changed = setCondition(obj, 'NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization') || changed;
    }
    if (discoveryFailed.length > 0 || failures.length > 0) {
      if (changed) {
        delete obj.metadata.resourceVersion;
        await store.update(key, obj, fresh.revision).catch(() => undefined);
      }
      return false;
    }
    if (remaining > 0) {
      const message = `Some content in the namespace has finalizers remaining: ${[...waitingOn].sort().join(', ')} in ${remaining} resource instances`;
      if (setCondition(obj, 'NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', message) || changed) {
        delete obj.metadata.resourceVersion;
        await store.update(key, obj, fresh.revision).catch(() => undefined);
      }
      return false;
    }
    const spec = (obj['spec'] ?? {}) as { finalizers?: string[] };
    spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
    if (spec.finalizers.length === 0) delete spec.finalizers;
    obj['spec'] = spec;
    if ((obj.metadata.finalizers ?? []).length === 0 && (spec.finalizers ?? []).length === 0) {
      await store.delete(key, fresh.revision);
      return true;
    }
    delete obj.metadata.resourceVersion;
    await store.update(key, obj, fresh.revision);
    return true;
  };

  // Catch up on namespaces that were Terminating when the process stopped, then follow changes.
  const initial = await store.list({ prefix: NAMESPACE_PREFIX });
  let watcher: StoreWatcher | undefined = store.watch(NAMESPACE_PREFIX, initial.revision, (ev) => {
    if (ev.type !== 'DELETED' && ev.record.object.metadata.deletionTimestamp) enqueue(ev.record.object.metadata.name ?? '');
  });
  for (const rec of initial.records) {
    if (rec.object.metadata.deletionTimestamp) enqueue(rec.object.metadata.name ?? '');
  }
  return {
    stop() {
      stopped = true;
      watcher?.stop();
      watcher = undefined;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

function hasCondition(obj: KubeObject, type: string): boolean {
  return ((obj['status'] as { conditions?: NamespaceCondition[] } | undefined)?.conditions ?? []).some((c) => c.type === type);
}

/** Sets a status condition; returns whether anything changed. */
function setCondition(obj: KubeObject, type: string, status: string, reason: string, message: string): boolean {
  const st = (obj['status'] ?? {}) as { conditions?: NamespaceCondition[] };
  const conditions = st.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason && existing.message === message) return false;
  const next: NamespaceCondition = { type, status, lastTransitionTime: nowTimestamp(), reason, message };
  st.conditions = existing ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
  obj['status'] = st;
  return true;
}
