// What every namespace of a real cluster holds: the "default" ServiceAccount (the serviceaccount controller) and
// the "kube-root-ca.crt" ConfigMap with the cluster CA (the root-ca-cert-publisher). Both come back if deleted.
import type { KubeObject } from '../api/types.js';
import { StoreError, type StoreEvent, type StoreWatcher } from '../../storage/store.js';
import type { RestServices } from '../rest/context.js';
import { objectKey } from '../rest/keys.js';
import { prepareForCreate } from '../rest/strategy.js';
import type { Controller } from './namespace-lifecycle.js';

const NAMESPACE_PREFIX = '/registry/core/namespaces/';
const ROOT_CA_NAME = 'kube-root-ca.crt';
const DEFAULT_SA = 'default';

/** Starts keeping the default ServiceAccount and root CA ConfigMap in every active namespace. */
export async function startNamespaceDefaults(services: RestServices, caCertPem: string): Promise<Controller> {
  const { store, registry } = services;
  const cmDef = registry.find('', 'v1', 'configmaps');
  const saDef = registry.find('', 'v1', 'serviceaccounts');
  if (!cmDef || !saDef) return { stop() {} };
  let stopped = false;

  const wanted = (ns: string): { key: string; make: () => KubeObject; def: typeof cmDef }[] => [
    {
      key: objectKey(saDef, ns, DEFAULT_SA), def: saDef,
      make: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SA } }),
    },
    {
      key: objectKey(cmDef, ns, ROOT_CA_NAME), def: cmDef,
      make: () => ({
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: ROOT_CA_NAME, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
        data: { 'ca.crt': caCertPem },
      }),
    },
  ];

  const ensure = async (ns: string): Promise<void> => {
    const nsRecord = await store.get(NAMESPACE_PREFIX + ns);
    if (stopped || !nsRecord || nsRecord.object.metadata.deletionTimestamp) return;
    for (const w of wanted(ns)) {
      if (await store.get(w.key)) continue;
      try {
        await store.create(w.key, prepareForCreate(w.def, w.make(), ns, new Date()));
      } catch (err) {
        if (!(err instanceof StoreError && (err.code === 'AlreadyExists' || err.code === 'Closed'))) {
          console.error(`kage: namespace defaults: ${ns}: ${(err as Error).message}`);
        }
      }
    }
  };

  const initial = await store.list({ prefix: NAMESPACE_PREFIX });
  const watchers: StoreWatcher[] = [];
  watchers.push(store.watch(NAMESPACE_PREFIX, initial.revision, (ev: StoreEvent) => {
    if (ev.type === 'ADDED') void ensure(ev.record.object.metadata.name ?? '');
  }));
  // Deleted defaults are put back, as the real controllers do (unless the namespace is going away).
  for (const def of [cmDef, saDef]) {
    const prefix = `/registry/core/${def.plural}/`;
    watchers.push(store.watch(prefix, store.currentRevision(), (ev: StoreEvent) => {
      const name = ev.record.object.metadata.name;
      if (ev.type === 'DELETED' && (name === ROOT_CA_NAME || name === DEFAULT_SA)) void ensure(ev.record.object.metadata.namespace ?? '');
    }));
  }
  for (const rec of initial.records) await ensure(rec.object.metadata.name ?? '');
  return {
    stop() {
      stopped = true;
      for (const w of watchers) w.stop();
    },
  };
}
