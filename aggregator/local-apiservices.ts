// Local APIServices: one per built-in group version, as kube-aggregator's autoregister controller keeps them.
// They carry no spec.service (served in-process) and are always Available with reason Local.
import type { KubeObject } from '../server/api/types.js';
import { priorityOf } from '../server/discovery/priorities.js';
import type { Registry } from '../server/registry/registry.js';
import { objectKey } from '../server/rest/keys.js';
import { nowTimestamp, prepareForCreate } from '../server/rest/strategy.js';
import { StoreError, type Store } from '../storage/store.js';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

// The aggregator's own group is served by it directly and has no APIService on a real cluster.
const NOT_REGISTERED = new Set(['apiregistration.k8s.io']);

/** The APIService name for a group version: "<version>.<group>" ("v1." for core). */
export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

function localSpec(group: string, version: string): Record<string, unknown> {
  const p = priorityOf(group, version);
  const spec: Record<string, unknown> = {};
  if (group) spec['group'] = group;
  spec['version'] = version;
  spec['groupPriorityMinimum'] = p.group;
  spec['versionPriority'] = p.version;
  return spec;
}

function availableLocal(): Record<string, unknown> {
  return {
    conditions: [{
      type: 'Available', status: 'True', lastTransitionTime: nowTimestamp(),
      reason: 'Local', message: 'Local APIServices are always available',
    }],
  };
}

/** Creates or corrects the Local APIService of every built-in group version, and removes stale ones. */
export async function registerLocalAPIServices(store: Store, registry: Registry): Promise<void> {
  const def = registry.find('apiregistration.k8s.io', 'v1', 'apiservices');
  if (!def) return;
  const wanted = new Map<string, Record<string, unknown>>();
  for (const gv of registry.groupVersions()) {
    if (NOT_REGISTERED.has(gv.group)) continue;
    wanted.set(apiServiceName(gv.group, gv.version), localSpec(gv.group, gv.version));
  }
  for (const [name, spec] of wanted) {
    const key = objectKey(def, '', name);
    const existing = await store.get(key);
    if (existing) {
      const same = JSON.stringify(existing.object['spec']) === JSON.stringify(spec) &&
        existing.object.metadata.labels?.[AUTOMANAGED_LABEL] === 'onstart';
      if (same) continue;
      const next = JSON.parse(existing.json) as KubeObject;
      next['spec'] = spec;
      next.metadata.labels = { ...(next.metadata.labels ?? {}), [AUTOMANAGED_LABEL]: 'onstart' };
      next['status'] = availableLocal();
      delete next.metadata.resourceVersion;
      await store.update(key, next, existing.revision);
      continue;
    }
    const obj = prepareForCreate(def, {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
      metadata: { name, labels: { [AUTOMANAGED_LABEL]: 'onstart' } }, spec,
    }, '', new Date());
    obj['status'] = availableLocal();
    try {
      await store.create(key, obj);
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
    }
  }
  // Group versions kage no longer serves lose their onstart APIService.
  const all = await store.list({ prefix: objectKey(def, '', '') });
  for (const rec of all.records) {
    const name = rec.object.metadata.name ?? '';
    if (rec.object.metadata.labels?.[AUTOMANAGED_LABEL] === 'onstart' && !wanted.has(name)) {
      await store.delete(rec.key, rec.revision).catch(() => undefined);
    }
  }
}
