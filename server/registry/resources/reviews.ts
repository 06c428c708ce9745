// What the virtual create-only "review" kinds (authentication.k8s.io, authorization.k8s.io) share: the row
// shape, the Invalid error their REST endpoints answer, and UserInfo as the wire carries it.
import { StatusError } from '../../api/errors.js';
import type { KubeObject, StatusCause } from '../../api/types.js';
import type { UserInfo } from '../../auth/authenticate.js';
import type { ResourceDef, ReviewContext } from '../types.js';
import { col, nameColumn, row, type Json } from './helpers.js';

/** The zero metav1.Time as RFC 3339, what the default table convertor prints for an unset creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A create-only row served by a review hook (rest/virtual.ts). These kinds have no table convertor of their
 * own, so they get the default one's columns: Name and Created At.
 */
export function reviewRow(
  spec: { group: string; kind: string; plural: string; namespaced: boolean },
  review: (obj: KubeObject, ctx: ReviewContext) => KubeObject | Promise<KubeObject>,
): ResourceDef {
  const def = row({
    ...spec,
    verbs: ['create'],
    columns: [
      nameColumn(),
      col('Created At', 'date', 'ObjectMeta.creationTimestamp', (o) => o.metadata?.creationTimestamp || ZERO_TIME),
    ],
  });
  def.review = review;
  return def;
}

/**
 * 422 Invalid as these endpoints raise it: apierrors.NewInvalid(<group>.Kind(obj.Kind), "", errs) on the
 * decoded internal object, whose Kind is empty, so the message reads `.authorization.k8s.io "" is invalid`
 * and details carry only the group and the causes.
 */
export function reviewInvalid(group: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : c.message ?? '')).join(', ');
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: `.${group} "" is invalid: ${causes.length > 1 ? `[${list}]` : list}`,
    reason: 'Invalid',
    details: { group, causes },
    code: 422,
  });
}

/** authenticationv1.UserInfo: username, uid, groups, extra, each left out when empty. */
export function userInfoJson(user: UserInfo | undefined): Json {
  const out: Json = {};
  if (!user) return out;
  if (user.name) out['username'] = user.name;
  if (user.uid) out['uid'] = user.uid;
  if (user.groups.length > 0) out['groups'] = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) {
    // Go writes map keys sorted.
    const extra: Record<string, string[]> = {};
    for (const k of Object.keys(user.extra).sort()) extra[k] = [...(user.extra[k] ?? [])];
    out['extra'] = extra;
  }
  return out;
}
