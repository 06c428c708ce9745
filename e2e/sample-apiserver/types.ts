// The API this sample extension server serves: wardle.example.com/v1alpha1 flunders (namespaced).

export const GROUP = 'wardle.example.com';
export const VERSION = 'v1alpha1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
export const RESOURCE = 'flunders';
export const SINGULAR = 'flunder';
export const KIND = 'Flunder';
export const LIST_KIND = 'FlunderList';
/** `flunders.wardle.example.com`, as Status messages name the resource. */
export const QUALIFIED_RESOURCE = `${RESOURCE}.${GROUP}`;
export const VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const REFERENCE_TYPES: readonly string[] = ['Flunder', 'Fischer'];

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** The known ObjectMeta fields, in the order the real server writes them. */
export const OBJECT_META_FIELDS: readonly (keyof ObjectMeta)[] = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

export interface FlunderSpec {
  reference?: string;
  referenceType?: string;
}

export interface Flunder {
  kind: typeof KIND;
  apiVersion: typeof GROUP_VERSION;
  metadata: ObjectMeta;
  spec: FlunderSpec;
  status: Record<string, never>;
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** The authenticated caller, as the front proxy's request headers describe it. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}
