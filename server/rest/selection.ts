// Whether an object passes a list's label and field selectors.
import type { KubeObject } from '../api/types.js';
import type { FieldGetter, ResourceDef } from '../registry/types.js';
import type { ListOptions } from './list-options.js';

const fieldCache = new WeakMap<ResourceDef, Record<string, FieldGetter>>();

/** Every selectable field of a kind: metadata.name, metadata.namespace and the kind's own. */
export function fieldsOf(def: ResourceDef): Record<string, FieldGetter> {
  let f = fieldCache.get(def);
  if (!f) {
    f = {
      'metadata.name': (o) => o.metadata.name,
      'metadata.namespace': (o) => (def.namespaced ? o.metadata.namespace ?? '' : ''),
      ...def.fieldSelectors,
    };
    fieldCache.set(def, f);
  }
  return f;
}

export function matchesSelectors(obj: Readonly<KubeObject>, opts: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): boolean {
  if (opts.labelSelector && !opts.labelSelector.matches(obj.metadata.labels)) return false;
  if (opts.fieldSelector && !opts.fieldSelector.matches(obj as KubeObject)) return false;
  return true;
}
