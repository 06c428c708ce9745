// Which package of the message table each API group version is, what its OpenAPI definitions are called,
// and which of its messages are kinds (top-level objects with apiVersion and kind).

export interface SchemaGroup {
  /** Package alias of the message table ("core", "apps", "meta"). */
  readonly alias: string;
  /** API group ("" for the core group). */
  readonly group: string;
  readonly version: string;
  /** OpenAPI definition names are `${prefix}.${Message}`. */
  readonly prefix: string;
  /** Messages served as kinds of this group version. */
  readonly kinds: readonly string[];
  /** Kinds served without a list (create-only reviews, subresource kinds). */
  readonly unlisted?: readonly string[];
}

const api = (alias: string, group: string, kinds: string[], unlisted?: string[]): SchemaGroup => ({
  alias,
  group,
  version: 'v1',
  prefix: `io.k8s.api.${alias}.v1`,
  kinds,
  ...(unlisted ? { unlisted } : {}),
});

export const GROUPS: readonly SchemaGroup[] = [
  api('core', '', [
    'Binding', 'ConfigMap', 'Endpoints', 'Event', 'Namespace', 'Node', 'PersistentVolumeClaim', 'Pod',
    'ReplicationController', 'Secret', 'Service', 'ServiceAccount',
  ], ['Binding']),
  api('admissionregistration', 'admissionregistration.k8s.io', [
    'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    'ValidatingWebhookConfiguration',
  ]),
  {
    alias: 'apiregistration',
    group: 'apiregistration.k8s.io',
    version: 'v1',
    prefix: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1',
    kinds: ['APIService'],
  },
  api('apps', 'apps', ['Deployment']),
  api('authentication', 'authentication.k8s.io', ['SelfSubjectReview', 'TokenRequest', 'TokenReview'],
    ['SelfSubjectReview', 'TokenRequest', 'TokenReview']),
  api('authorization', 'authorization.k8s.io', [
    'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview',
  ], ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview']),
  api('autoscaling', 'autoscaling', ['Scale'], ['Scale']),
  api('coordination', 'coordination.k8s.io', ['Lease']),
  api('discovery', 'discovery.k8s.io', ['EndpointSlice']),
  api('events', 'events.k8s.io', ['Event']),
  api('flowcontrol', 'flowcontrol.apiserver.k8s.io', ['FlowSchema', 'PriorityLevelConfiguration']),
  api('rbac', 'rbac.authorization.k8s.io', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']),
  {
    alias: 'meta',
    group: 'meta.k8s.io',
    version: 'v1',
    prefix: 'io.k8s.apimachinery.pkg.apis.meta.v1',
    kinds: [],
  },
];

/** OpenAPI names of the definitions of the special JSON forms and of meta/v1 types outside the message table. */
export const SPECIAL_DEFINITIONS = {
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microtime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  duration: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  intorstring: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  fieldsv1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  raw: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
} as const;

export const META_PREFIX = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** The body of a PATCH (any of the patch media types). */
export const PATCH_DEFINITION = `${META_PREFIX}.Patch`;
/** One event of a watch stream. */
export const WATCH_EVENT_DEFINITION = `${META_PREFIX}.WatchEvent`;
export const STATUS_DEFINITION = `${META_PREFIX}.Status`;
export const DELETE_OPTIONS_DEFINITION = `${META_PREFIX}.DeleteOptions`;
