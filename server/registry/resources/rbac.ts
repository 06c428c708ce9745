// rbac.authorization.k8s.io/v1 rows: roles, rolebindings, clusterroles, clusterrolebindings. kage authorizes
// every request (AlwaysAllow), so these are only stored: what manifests of extension API servers (metrics-server,
// the sample-apiserver) create and refer to. The bootstrap objects those manifests bind to are created at start
// when absent, as kube-apiserver's RBAC bootstrap policy does.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../names.js';
import { type GoRendered, goQuote, goStringSlice, invalid, notSupported, path, required } from './fielderrors.js';
import { ageColumn, arr, col, ensure, get, isObject, nameColumn, objs, row, str, text, type Json } from './helpers.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Label and annotation of the bootstrap objects (the annotation lets the real server reconcile them). */
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults (pkg/apis/rbac/v1/defaults.go): a binding's roleRef and its User and Group subjects are in the rbac
// group unless they say otherwise.

function defaultBinding(obj: KubeObject): void {
  const roleRef = ensure(obj, 'roleRef');
  if (!str(roleRef['apiGroup'])) roleRef['apiGroup'] = RBAC_GROUP;
  for (const s of objs(obj['subjects'])) {
    if (str(s['apiGroup'])) continue;
    if (s['kind'] === 'User' || s['kind'] === 'Group') s['apiGroup'] = RBAC_GROUP;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (pkg/apis/rbac/validation): names are path segments, as for every RBAC object.

function validatePolicyRules(obj: KubeObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  objs(obj['rules']).forEach((rule, i) => {
    const base = path('rules', i);
    if (strings(rule['verbs']).length === 0) causes.push(required(`${base}.verbs`, 'verbs must contain at least one value'));
    const urls = strings(rule['nonResourceURLs']);
    if (urls.length > 0) {
      if (namespaced) causes.push(invalid(`${base}.nonResourceURLs`, goStringSlice(urls), 'namespaced rules cannot apply to non-resource URLs'));
      const resourcey = ['apiGroups', 'resources', 'resourceNames'].some((f) => strings(rule[f]).length > 0);
      if (resourcey) {
        causes.push(invalid(`${base}.nonResourceURLs`, goStringSlice(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (strings(rule['apiGroups']).length === 0) causes.push(required(`${base}.apiGroups`, 'resource rules must supply at least one api group'));
    const resources = strings(rule['resources']);
    if (resources.length === 0) causes.push(required(`${base}.resources`, 'resource rules must supply at least one resource'));
    if (strings(rule['resourceNames']).length > 0 && resources.length > 1) {
      causes.push(required(`${base}.resourceNames`, 'resource names cannot apply to multiple resources'));
    }
  });
  return causes;
}

function validateSubject(s: Json, namespaced: boolean, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = str(s['name']) ?? '';
  const apiGroup = str(s['apiGroup']) ?? '';
  const kind = str(s['kind']) ?? '';
  if (name === '') causes.push(required(`${base}.name`));
  switch (kind) {
    case 'ServiceAccount':
      if (name !== '') for (const m of isDNS1123Subdomain(name)) causes.push(invalid(`${base}.name`, name, m));
      if (apiGroup !== '') causes.push(notSupported(`${base}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !str(s['namespace'])) causes.push(required(`${base}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (name === '') causes.push(invalid(`${base}.name`, name, `${kind.toLowerCase()} name cannot be empty`));
      if (apiGroup !== RBAC_GROUP) causes.push(notSupported(`${base}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      causes.push(notSupported(`${base}.kind`, kind, SUBJECT_KINDS));
  }
  return causes;
}

/** rbac.RoleRef as Go's %#v prints it in "cannot change roleRef". */
function goRoleRef(ref: Json): GoRendered {
  const f = (k: string): string => goQuote(str(ref[k]) ?? '');
  return { go: `rbac.RoleRef{APIGroup:${f('apiGroup')}, Kind:${f('kind')}, Name:${f('name')}}` };
}

function validateBinding(obj: KubeObject, old: KubeObject | undefined, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = isObject(obj['roleRef']) ? obj['roleRef'] : {};
  const apiGroup = str(ref['apiGroup']) ?? '';
  if (apiGroup !== RBAC_GROUP) causes.push(notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const kind = str(ref['kind']) ?? '';
  if (!kinds.includes(kind)) causes.push(notSupported('roleRef.kind', kind, kinds));
  const name = str(ref['name']) ?? '';
  if (name === '') causes.push(required('roleRef.name'));
  else for (const m of isValidPathSegmentName(name)) causes.push(invalid('roleRef.name', name, m));
  objs(obj['subjects']).forEach((s, i) => causes.push(...validateSubject(s, namespaced, path('subjects', i))));
  if (old) {
    const was = isObject(old['roleRef']) ? old['roleRef'] : {};
    if (['apiGroup', 'kind', 'name'].some((k) => (str(was[k]) ?? '') !== (str(ref[k]) ?? ''))) {
      causes.push(invalid('roleRef', goRoleRef(ref), 'cannot change roleRef'));
    }
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns. Roles have no printer of their own: the default table convertor's Name and Created At. Bindings print
// ROLE as Kind/name, and users, groups and service accounts (namespace/name) in the wide columns
// (printers.go: printRoleBinding, printClusterRoleBinding; rbac.SubjectsStrings).

/** The zero metav1.Time as RFC 3339, what the default table convertor prints for an unset creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

const createdAtColumn = col('Created At', 'date', 'ObjectMeta.creationTimestamp', (o) => o.metadata?.creationTimestamp || ZERO_TIME);

function subjectNames(o: KubeObject, kind: string): string {
  return objs(o['subjects'])
    .filter((s) => s['kind'] === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s['namespace']) ?? ''}/${str(s['name']) ?? ''}` : str(s['name']) ?? ''))
    .join(', ');
}

function bindingColumns(kind: 'RoleBinding' | 'ClusterRoleBinding', noun: string) {
  return [
    nameColumn(),
    col('Role', 'string', `${kind}.roleRef`, (o) => `${str(get(o, 'roleRef.kind')) ?? ''}/${str(get(o, 'roleRef.name')) ?? ''}`),
    ageColumn(),
    col('Users', 'string', text(`Users in the ${noun}`), (o) => subjectNames(o, 'User'), { priority: 1 }),
    col('Groups', 'string', text(`Groups in the ${noun}`), (o) => subjectNames(o, 'Group'), { priority: 1 }),
    col('ServiceAccounts', 'string', text(`ServiceAccounts in the ${noun}`), (o) => subjectNames(o, 'ServiceAccount'), { priority: 1 }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The bootstrap policy objects (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) that extension API servers'
// manifests and kubectl users refer to.

const bootstrapMetadata = (name: string, namespace?: string): KubeObject['metadata'] => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults' },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

/** A resource rule; fields in the order Go writes them. */
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): Json => ({
  verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}),
});

const urlRule = (verbs: string[], nonResourceURLs: string[]): Json => ({ verbs, nonResourceURLs });

const BOOTSTRAP_CLUSTER_ROLES: Record<string, Json[]> = {
  'cluster-admin': [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])],
  'system:auth-delegator': [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  ],
  'system:basic-user': [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ],
  'system:discovery': [
    urlRule(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
  ],
  'system:public-info-viewer': [urlRule(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
};

const groups = (...names: string[]): Json[] => names.map((name) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name }));

const EVERYONE = groups('system:authenticated', 'system:unauthenticated');

const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: Record<string, Json[]> = {
  'cluster-admin': groups('system:masters'),
  'system:basic-user': EVERYONE,
  'system:discovery': EVERYONE,
  'system:public-info-viewer': EVERYONE,
};

export const BOOTSTRAP_NAMESPACE_ROLES: Record<string, Record<string, Json[]>> = {
  'kube-system': {
    'extension-apiserver-authentication-reader': [
      rule(['get', 'list', 'watch'], [''], ['configmaps'], ['extension-apiserver-authentication']),
    ],
  },
};

const apiVersion = `${RBAC_GROUP}/v1`;

function bootstrapClusterRoles(): KubeObject[] {
  return Object.entries(BOOTSTRAP_CLUSTER_ROLES).map(([name, rules]) => ({
    apiVersion, kind: 'ClusterRole', metadata: bootstrapMetadata(name), rules: structuredClone(rules),
  }));
}

function bootstrapClusterRoleBindings(): KubeObject[] {
  return Object.entries(BOOTSTRAP_CLUSTER_ROLE_BINDINGS).map(([name, subjects]) => ({
    apiVersion, kind: 'ClusterRoleBinding', metadata: bootstrapMetadata(name),
    subjects: structuredClone(subjects), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
  }));
}

function bootstrapRoles(): KubeObject[] {
  return Object.entries(BOOTSTRAP_NAMESPACE_ROLES).flatMap(([namespace, roles]) =>
    Object.entries(roles).map(([name, rules]) => ({
      apiVersion, kind: 'Role', metadata: bootstrapMetadata(name, namespace), rules: structuredClone(rules),
    })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rows, in the order /apis/rbac.authorization.k8s.io/v1 lists them.

const clusterrolebindings = row({
  group: RBAC_GROUP,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  nameRule: 'path-segment',
  columns: bindingColumns('ClusterRoleBinding', 'clusterRoleBinding'),
  defaults: defaultBinding,
  validate: (obj, old) => validateBinding(obj, old, false),
  seed: bootstrapClusterRoleBindings(),
});

const clusterroles = row({
  group: RBAC_GROUP,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  nameRule: 'path-segment',
  columns: [nameColumn(), createdAtColumn],
  validate: (obj) => validatePolicyRules(obj, false),
  seed: bootstrapClusterRoles(),
});

const rolebindings = row({
  group: RBAC_GROUP,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
  nameRule: 'path-segment',
  columns: bindingColumns('RoleBinding', 'roleBinding'),
  defaults: defaultBinding,
  validate: (obj, old) => validateBinding(obj, old, true),
});

const roles = row({
  group: RBAC_GROUP,
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
  nameRule: 'path-segment',
  columns: [nameColumn(), createdAtColumn],
  validate: (obj) => validatePolicyRules(obj, true),
  seed: bootstrapRoles(),
});

export const rbacResources = [clusterrolebindings, clusterroles, rolebindings, roles];
