// rbac.authorization.k8s.io/v1 rows: defaults, validation as the real server words it, table columns, and the
// bootstrap objects created at first start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { validateObject } from '../../rest/strategy.js';
import { columnDefinitions, tableRow } from '../../table/table.js';
import type { ResourceDef } from '../types.js';
import { builtinResources } from './index.js';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAPPING_LABEL, RBAC_GROUP } from './rbac.js';

function def(plural: string): ResourceDef {
  const d = builtinResources.find((r) => r.group === RBAC_GROUP && r.plural === plural);
  assert.ok(d, plural);
  return d;
}

const roles = def('roles');
const clusterroles = def('clusterroles');
const rolebindings = def('rolebindings');
const clusterrolebindings = def('clusterrolebindings');

function defaulted(d: ResourceDef, obj: Record<string, unknown>): KubeObject {
  const copy = structuredClone({ metadata: { name: 'x', namespace: 'default' }, ...obj }) as KubeObject;
  d.defaults?.(copy);
  return copy;
}

/** The 422 message the server answers for this object (metadata checks included), or '' when it is valid. */
function message(d: ResourceDef, obj: Record<string, unknown>, old?: Record<string, unknown>): string {
  try {
    validateObject(d, defaulted(d, obj), old ? defaulted(d, old) : undefined);
    return '';
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.status.code, 422);
    return err.status.message ?? '';
  }
}

function causes(d: ResourceDef, obj: Record<string, unknown>): StatusCause[] {
  return d.validate ? d.validate(defaulted(d, obj)) : [];
}

const VIEW = { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'view' };

test('rows: names are path segments, so system: names are fine', () => {
  for (const d of [roles, clusterroles, rolebindings, clusterrolebindings]) assert.equal(d.nameRule, 'path-segment', d.plural);
  assert.equal(message(clusterroles, { metadata: { name: 'system:auth-delegator' } }), '');
  assert.equal(
    message(clusterroles, { metadata: { name: 'a/b' } }),
    `ClusterRole.rbac.authorization.k8s.io "a/b" is invalid: metadata.name: Invalid value: "a/b": may not contain '/'`,
  );
});

test('bindings: roleRef and User/Group subjects default to the rbac group, ServiceAccounts to the core group', () => {
  const rb = defaulted(rolebindings, {
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'sa' }],
  });
  assert.deepEqual(rb['roleRef'], VIEW);
  assert.deepEqual(rb['subjects'], [
    { kind: 'User', name: 'alice', apiGroup: RBAC_GROUP },
    { kind: 'Group', name: 'devs', apiGroup: RBAC_GROUP },
    { kind: 'ServiceAccount', name: 'sa' },
  ]);
  assert.deepEqual(causes(rolebindings, rb), []);
});

test('bindings: roleRef missing, of the wrong kind, or changed on update', () => {
  assert.equal(
    message(rolebindings, { subjects: [{ kind: 'User', name: 'alice' }] }),
    'RoleBinding.rbac.authorization.k8s.io "x" is invalid: [roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole", roleRef.name: Required value]',
  );
  assert.equal(
    message(rolebindings, { roleRef: { apiGroup: 'example.com', kind: 'Pod', name: 'p' } }),
    'RoleBinding.rbac.authorization.k8s.io "x" is invalid: [roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io", roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"]',
  );
  assert.equal(
    message(clusterrolebindings, { metadata: { name: 'x' }, roleRef: { kind: 'Role', name: 'r' } }),
    'ClusterRoleBinding.rbac.authorization.k8s.io "x" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
  );
  assert.equal(
    message(rolebindings, { roleRef: { ...VIEW, name: 'edit' } }, { roleRef: VIEW }),
    'RoleBinding.rbac.authorization.k8s.io "x" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  );
  // Subjects may change.
  assert.equal(message(rolebindings, { roleRef: VIEW, subjects: [{ kind: 'User', name: 'bob' }] }, { roleRef: VIEW }), '');
});

test('bindings: subjects', () => {
  const msgs = (d: ResourceDef, subjects: unknown[]) =>
    causes(d, { metadata: { name: 'x' }, roleRef: VIEW, subjects }).map((c) => `${c.field}: ${c.message}`);
  // A RoleBinding's service account may leave its namespace out (the binding's is meant); a ClusterRoleBinding's may not.
  assert.deepEqual(msgs(rolebindings, [{ kind: 'ServiceAccount', name: 'sa' }]), []);
  assert.deepEqual(msgs(clusterrolebindings, [{ kind: 'ServiceAccount', name: 'sa' }]), ['subjects[0].namespace: Required value']);
  assert.deepEqual(msgs(clusterrolebindings, [
    { kind: 'ServiceAccount', name: 'Bad_Name', namespace: 'ns', apiGroup: 'x' },
    { kind: 'User', name: '' },
    { kind: 'Group', name: 'g', apiGroup: 'example.com' },
    { kind: 'Robot', name: 'r' },
  ]), [
    'subjects[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'subjects[0].apiGroup: Unsupported value: "x": supported values: ""',
    'subjects[1].name: Required value',
    'subjects[1].name: Invalid value: "": user name cannot be empty',
    'subjects[2].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
    'subjects[3].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
});

test('roles: policy rules', () => {
  const msgs = (d: ResourceDef, rules: unknown[]) => causes(d, { rules }).map((c) => `${c.field}: ${c.message}`);
  assert.deepEqual(msgs(roles, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] }]), []);
  assert.deepEqual(msgs(clusterroles, [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]), []);
  assert.deepEqual(msgs(roles, [
    { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    { verbs: [], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['a'] },
  ]), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    'rules[1].verbs: Required value: verbs must contain at least one value',
    'rules[2].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[2].resources: Required value: resource rules must supply at least one resource',
    'rules[3].resourceNames: Required value: resource names cannot apply to multiple resources',
  ]);
  assert.deepEqual(msgs(clusterroles, [{ verbs: ['get'], apiGroups: [''], nonResourceURLs: ['/x'] }]), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
  ]);
  // Rules are optional (aggregated ClusterRoles have none of their own).
  assert.deepEqual(msgs(clusterroles, []), []);
});

test('columns: roles as the default table convertor, bindings as printers.go', () => {
  const headers = (d: ResourceDef) => columnDefinitions(d).map((c) => `${c.name.toUpperCase()}${c.priority ? '*' : ''}`).join(' ');
  assert.equal(headers(roles), 'NAME CREATED AT');
  assert.equal(headers(clusterroles), 'NAME CREATED AT');
  assert.equal(headers(rolebindings), 'NAME ROLE AGE USERS* GROUPS* SERVICEACCOUNTS*');
  assert.equal(headers(clusterrolebindings), 'NAME ROLE AGE USERS* GROUPS* SERVICEACCOUNTS*');
  assert.equal(columnDefinitions(roles)[1]!.type, 'date');
  assert.equal(columnDefinitions(rolebindings)[3]!.description, 'Users in the roleBinding');
  assert.equal(columnDefinitions(clusterrolebindings)[5]!.description, 'ServiceAccounts in the clusterRoleBinding');
  assert.match(columnDefinitions(clusterrolebindings)[1]!.description, /^RoleRef can only reference a ClusterRole/);

  const now = Date.parse('2026-01-01T01:00:00Z');
  const meta = { name: 'x', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' };
  assert.deepEqual(tableRow(roles, { metadata: meta } as KubeObject, 'None', now).cells, ['x', '2026-01-01T00:00:00Z']);
  const rb = {
    metadata: meta,
    roleRef: VIEW,
    subjects: [
      { kind: 'User', name: 'alice' }, { kind: 'User', name: 'carol' }, { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }, { kind: 'ServiceAccount', name: 'local' },
    ],
  } as unknown as KubeObject;
  assert.deepEqual(tableRow(rolebindings, rb, 'None', now).cells, ['x', 'ClusterRole/view', '60m', 'alice, carol', 'devs', 'ci/builder, /local']);
  assert.deepEqual(tableRow(clusterrolebindings, { metadata: meta, roleRef: VIEW } as unknown as KubeObject, 'None', now).cells, ['x', 'ClusterRole/view', '60m', '', '', '']);
});

test('bootstrap policy: the objects extension API servers bind to, labelled and annotated as the real ones', () => {
  const seeds = (d: ResourceDef) => Object.fromEntries((d.seed ?? []).map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  const cr = seeds(clusterroles);
  const crb = seeds(clusterrolebindings);
  const r = seeds(roles);
  assert.deepEqual(Object.keys(cr).sort(), ['/cluster-admin', '/system:auth-delegator', '/system:basic-user', '/system:discovery', '/system:public-info-viewer']);
  assert.deepEqual(Object.keys(crb).sort(), ['/cluster-admin', '/system:basic-user', '/system:discovery', '/system:public-info-viewer']);
  assert.deepEqual(Object.keys(r), ['kube-system/extension-apiserver-authentication-reader']);
  assert.deepEqual(rolebindings.seed ?? [], []);
  for (const o of [...Object.values(cr), ...Object.values(crb), ...Object.values(r)]) {
    assert.deepEqual(o.metadata.labels, { [BOOTSTRAPPING_LABEL]: 'rbac-defaults' }, o.metadata.name);
    assert.deepEqual(o.metadata.annotations, { [AUTOUPDATE_ANNOTATION]: 'true' }, o.metadata.name);
  }
  assert.deepEqual(cr['/cluster-admin']!['rules'], [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ]);
  assert.deepEqual(cr['/system:auth-delegator']!['rules'], [
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] },
  ]);
  assert.deepEqual(r['kube-system/extension-apiserver-authentication-reader']!['rules'], [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'] },
  ]);
  assert.deepEqual(crb['/cluster-admin']!['roleRef'], { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-admin' });
  assert.deepEqual(crb['/cluster-admin']!['subjects'], [{ kind: 'Group', apiGroup: RBAC_GROUP, name: 'system:masters' }]);
  // Every seed is valid as it stands, and every binding names a bootstrap ClusterRole.
  for (const [d, objs] of [[clusterroles, cr], [clusterrolebindings, crb], [roles, r]] as const) {
    for (const o of Object.values(objs)) assert.doesNotThrow(() => validateObject(d, defaulted(d, o as unknown as Record<string, unknown>)), o.metadata.name);
  }
  for (const o of Object.values(crb)) assert.ok(cr[`/${(o['roleRef'] as { name: string }).name}`], o.metadata.name);
});

test('schema: list types, atomic references and required fields as the v1 types declare them', async () => {
  const cr = (await clusterroles.schema())!;
  assert.deepEqual(cr.gvk, [{ group: RBAC_GROUP, version: 'v1', kind: 'ClusterRole' }]);
  const rules = cr.properties!['rules']!;
  assert.equal(rules.listType, 'atomic');
  assert.ok(rules.description);
  assert.deepEqual(rules.items!.required, ['verbs']);
  for (const f of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']) {
    assert.equal(rules.items!.properties![f]!.listType, 'atomic', f);
  }
  assert.equal(cr.properties!['aggregationRule']!.properties!['clusterRoleSelectors']!.listType, 'atomic');
  const rb = (await rolebindings.schema())!;
  assert.deepEqual(rb.required, ['roleRef']);
  assert.equal(rb.properties!['subjects']!.listType, 'atomic');
  assert.equal(rb.properties!['roleRef']!.mapType, 'atomic');
  assert.deepEqual(rb.properties!['roleRef']!.required, ['apiGroup', 'kind', 'name']);
  assert.equal(rb.properties!['subjects']!.items!.mapType, 'atomic');
  assert.deepEqual(rb.properties!['subjects']!.items!.required, ['kind', 'name']);
  assert.ok(await roles.schema());
  assert.ok(await clusterrolebindings.schema());
});
