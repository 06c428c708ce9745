// Objects every cluster has from its first start (the four namespaces), created when missing.
import type { KubeObject } from './api/types.js';
import { StoreError, type Store } from '../storage/store.js';
import type { Registry } from './registry/registry.js';
import { objectKey } from './rest/keys.js';
import { prepareForCreate } from './rest/strategy.js';

/** Creates each row's seed objects that do not exist yet. */
export async function seedObjects(store: Store, registry: Registry): Promise<void> {
  for (const def of registry.all()) {
    for (const seed of def.seed ?? []) {
      const name = seed.metadata.name ?? '';
      const namespace = seed.metadata.namespace ?? '';
      const key = objectKey(def, namespace, name);
      if (await store.get(key)) continue;
      const obj = prepareForCreate(def, JSON.parse(JSON.stringify(seed)) as KubeObject, namespace, new Date());
      try {
        await store.create(key, obj);
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
      }
    }
  }
}
