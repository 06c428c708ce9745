// The compiled message table, and which message each (apiVersion, kind) of a protobuf envelope is.
import { apiregistration } from './apiregistration.js';
import { apps } from './apps.js';
import { authentication } from './authentication.js';
import { authorization } from './authorization.js';
import { autoscaling } from './autoscaling.js';
import { coordination } from './coordination.js';
import { core } from './core.js';
import { events } from './events.js';
import { meta } from './meta.js';
import { rbac } from './rbac.js';
import { compileSchema, type MessageDef } from './types.js';

export type { FieldDef, MessageDef, Scalar, Special, ValueType } from './types.js';

/** Every message kage can decode, keyed by "alias.Name" ("core.PodSpec"). */
export const MESSAGES: ReadonlyMap<string, MessageDef> = compileSchema([
  meta,
  core,
  apps,
  coordination,
  events,
  apiregistration,
  authentication,
  authorization,
  autoscaling,
  rbac,
]);

/** Top-level kinds per group version, as a client's typed scheme names them in the envelope. */
const KINDS_BY_GROUP_VERSION: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: {
    Binding: 'core.Binding',
    ConfigMap: 'core.ConfigMap',
    Endpoints: 'core.Endpoints',
    Event: 'core.Event',
    Namespace: 'core.Namespace',
    Node: 'core.Node',
    PersistentVolumeClaim: 'core.PersistentVolumeClaim',
    Pod: 'core.Pod',
    ReplicationController: 'core.ReplicationController',
    Secret: 'core.Secret',
    Service: 'core.Service',
    ServiceAccount: 'core.ServiceAccount',
    Status: 'meta.Status',
  },
  'apps/v1': { Deployment: 'apps.Deployment' },
  'autoscaling/v1': { Scale: 'autoscaling.Scale' },
  'coordination.k8s.io/v1': { Lease: 'coordination.Lease' },
  'events.k8s.io/v1': { Event: 'events.Event' },
  'apiregistration.k8s.io/v1': { APIService: 'apiregistration.APIService' },
  'authentication.k8s.io/v1': {
    SelfSubjectReview: 'authentication.SelfSubjectReview',
    TokenRequest: 'authentication.TokenRequest',
    TokenReview: 'authentication.TokenReview',
  },
  'authorization.k8s.io/v1': {
    LocalSubjectAccessReview: 'authorization.LocalSubjectAccessReview',
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
    SubjectAccessReview: 'authorization.SubjectAccessReview',
  },
  'rbac.authorization.k8s.io/v1': {
    ClusterRole: 'rbac.ClusterRole',
    ClusterRoleBinding: 'rbac.ClusterRoleBinding',
    Role: 'rbac.Role',
    RoleBinding: 'rbac.RoleBinding',
  },
  // DeleteOptions is registered in every group version (metav1.AddToGroupVersion) and under meta.k8s.io/v1.
  'meta.k8s.io/v1': {},
};

const KINDS = new Map<string, MessageDef>();
for (const [gv, kinds] of Object.entries(KINDS_BY_GROUP_VERSION)) {
  for (const [kind, id] of Object.entries({ ...kinds, DeleteOptions: 'meta.DeleteOptions' })) {
    const def = MESSAGES.get(id);
    if (!def) throw new Error(`protobuf schema: kind ${gv}, Kind=${kind} names unknown message ${id}`);
    KINDS.set(`${gv} ${kind}`, def);
  }
}

/** The top-level message for an envelope's apiVersion and kind, or undefined when kage has none. */
export function messageForKind(apiVersion: string, kind: string): MessageDef | undefined {
  return KINDS.get(`${apiVersion} ${kind}`);
}

/** All (apiVersion, kind) pairs with a message, for tests and diagnostics. */
export function decodableKinds(): Array<{ apiVersion: string; kind: string }> {
  return [...KINDS.keys()].map((k) => {
    const [apiVersion, kind] = k.split(' ') as [string, string];
    return { apiVersion, kind };
  });
}

/** A message by table id ("core.PodSpec"); throws when the table has none (a bug in the table, not the input). */
export function messageById(id: string): MessageDef {
  const def = MESSAGES.get(id);
  if (!def) throw new Error(`protobuf schema: no message ${id}`);
  return def;
}
