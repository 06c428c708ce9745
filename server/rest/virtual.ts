// POST to a virtual create-only kind (TokenReview, SubjectAccessReview, ...): the body is decoded and checked
// like a create, the row's review hook computes the answer, nothing is stored, and the object comes back with
// its status as 201 Created, as kube-apiserver's non-storage REST endpoints answer.
import type { KubeObject, ObjectMeta } from '../api/types.js';
import { AlwaysAllowAuthorizer } from '../auth/authorize.js';
import type { UserInfo } from '../auth/authenticate.js';
import { chooseOutput } from '../http/accept.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { sendJsonText } from '../http/respond.js';
import { groupVersionString, type ReviewContext } from '../registry/types.js';
import type { RestRequest } from './context.js';
import { objectBody } from './output.js';
import { asKubeObject, checkKind } from './strategy.js';
import { checkNamespaceMatches, isDryRun } from './write-options.js';

const ALWAYS_ALLOW = new AlwaysAllowAuthorizer();

/** Who a request without an authenticated user is (user.Anonymous). */
const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

// metav1.ObjectMeta's fields in the order Go writes them.
const META_ORDER = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
] as const;

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/**
 * Metadata as a typed Go object writes it: known fields in order, empty ones left out, and creationTimestamp
 * always present (null when unset: a zero metav1.Time).
 */
export function responseMetadata(meta: ObjectMeta | undefined): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) {
    const v = meta?.[k];
    if (k === 'creationTimestamp') out[k] = typeof v === 'string' && v !== '' ? v : null;
    else if (!isEmptyValue(v)) out[k] = v;
  }
  return out as ObjectMeta;
}

/** Serves create on a row with a review hook. */
export async function createVirtual(r: RestRequest): Promise<void> {
  const review = r.def.review;
  if (!review) throw new Error(`${r.def.plural} has no review hook`);
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  isDryRun(r.query); // nothing is stored either way; bad values are still refused
  const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
  checkKind(r.def, body);
  const obj = asKubeObject(body);
  // rest.EnsureObjectNamespaceMatchesRequestNamespace: a namespaced object takes the request's namespace, a
  // cluster-scoped one has none.
  if (r.def.namespaced) {
    checkNamespaceMatches(r, obj);
    obj.metadata.namespace = r.info.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  const ctx: ReviewContext = {
    user: r.user ?? ANONYMOUS,
    namespace: r.info.namespace,
    authorizer: r.services.authorizer ?? ALWAYS_ALLOW,
  };
  if (r.services.authenticator) ctx.authenticator = r.services.authenticator;
  const answer = await review(obj, ctx);
  const { kind: _k, apiVersion: _a, metadata, ...rest } = answer;
  const result: KubeObject = {
    kind: r.def.kind,
    apiVersion: groupVersionString(r.def),
    metadata: responseMetadata(metadata),
    ...rest,
  };
  sendJsonText(r.res, 201, objectBody(r.def, { object: result, json: JSON.stringify(result) }, out));
}
