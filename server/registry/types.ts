// A built-in resource is a row of data: this file says what a row holds.
import type { KubeObject, StatusCause } from '../api/types.js';
import type { TypeSchema } from '../schema/types.js';
import type { Authenticator, UserInfo } from '../auth/authenticate.js';
import type { Authorizer } from '../auth/authorize.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** How metadata.name is validated, as Kubernetes does per kind. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment' | 'apiservice';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type TableCell = string | number | boolean | null;

/** A column plus how to compute its cell; `now` is passed so ages are computed once per response. */
export interface TableColumn extends TableColumnDefinition {
  cell(obj: KubeObject, now: number): TableCell;
}

export interface SubresourceDef {
  name: 'status' | 'scale';
  /** Kind served by the subresource (Scale is autoscaling/v1 Scale). */
  kind: string;
  group?: string;
  version?: string;
  verbs: Verb[];
  /** scale only: the parent's spec.selector is a plain label map (ReplicationController), not a LabelSelector. */
  mapSelector?: boolean;
}

/** Returns the value of a selectable field of an object (as a string), or undefined. */
export type FieldGetter = (obj: KubeObject) => string | undefined;

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  /** e.g. ConfigMapList */
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  subresources: SubresourceDef[];
  nameRule: NameRule;
  /** Whether metadata.generation is kept (set to 1 on create, bumped when anything but metadata/status changes). */
  generation: boolean;
  /** Table columns as `kubectl get` prints them on a real cluster (Name first). */
  columns: TableColumn[];
  /** Selectable fields beyond metadata.name and metadata.namespace (which every kind has). */
  fieldSelectors: Record<string, FieldGetter>;
  /** Fills defaults on create and update (mutates). */
  defaults?(obj: KubeObject): void;
  /** Per-kind validation beyond names; returns causes (empty when valid). */
  validate?(obj: KubeObject, old?: KubeObject): StatusCause[];
  /**
   * The kind's OpenAPI schema (with patch strategies and list types), derived from the one source of structure
   * in server/schema; loaded on first use so start-up does not build it.
   */
  schema(): Promise<TypeSchema | undefined>;
  /** Objects created at first start in this resource (e.g. the four namespaces). */
  seed?: KubeObject[];
  /**
   * Virtual create-only kinds (TokenReview, SubjectAccessReview, ...): computes the response (status
   * included) from the decoded body; nothing is stored. Such rows serve create only.
   */
  review?: (obj: KubeObject, ctx: ReviewContext) => KubeObject | Promise<KubeObject>;
}

/** What a review hook is given besides the object. */
export interface ReviewContext {
  /** The authenticated user making the request. */
  user: UserInfo;
  /** The request's namespace ("" for cluster-scoped kinds). */
  namespace: string;
  /** The server's authenticator (TokenReview); absent when the server has none. */
  authenticator?: Authenticator;
  authorizer: Authorizer;
}

export interface GroupVersion {
  group: string;
  version: string;
}

/** "apps/v1" or "v1" for the core group. */
export function groupVersionString(gv: GroupVersion): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}
