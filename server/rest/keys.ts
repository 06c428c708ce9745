// Where each object lives in storage: /registry/<group>/<plural>/[<namespace>/]<name>, as etcd keys look.
import type { ResourceDef } from '../registry/types.js';

function resourcePrefix(def: ResourceDef): string {
  return `/registry/${def.group || 'core'}/${def.plural}/`;
}

/** The storage key of one object. */
export function objectKey(def: ResourceDef, namespace: string, name: string): string {
  return def.namespaced ? `${resourcePrefix(def)}${namespace}/${name}` : `${resourcePrefix(def)}${name}`;
}

/** The prefix holding every object of `def` in `namespace` ("" = all namespaces, or cluster-scoped). */
export function listPrefix(def: ResourceDef, namespace: string): string {
  return def.namespaced && namespace ? `${resourcePrefix(def)}${namespace}/` : resourcePrefix(def);
}
