// Whether an object passes a list's label and field selectors.
import type { KubeObject } from '../api/types.js';
import type { ListOptions } from './list-options.js';

export function matchesSelectors(obj: Readonly<KubeObject>, opts: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): boolean {
  if (opts.labelSelector && !opts.labelSelector.matches(obj.metadata.labels)) return false;
  if (opts.fieldSelector && !opts.fieldSelector.matches(obj as KubeObject)) return false;
  return true;
}
