// authorization.k8s.io/v1 rows: the four access reviews, virtual create-only kinds answered by the server's
// authorizer (pkg/registry/authorization/*, validation as pkg/apis/authorization/validation in 1.32).
import { badRequest } from '../../api/errors.js';
import type { KubeObject, StatusCause } from '../../api/types.js';
import type { UserInfo } from '../../auth/authenticate.js';
import type { AuthorizationAttributes, Decision, Rules } from '../../auth/authorize.js';
import type { ReviewContext } from '../types.js';
import { goQuote, goStringMap, goStringSlice, invalid, required, type GoRendered } from './fielderrors.js';
import { arr, isObject, str, strMap, type Json } from './helpers.js';
import { reviewInvalid, reviewRow } from './reviews.js';

const GROUP = 'authorization.k8s.io';

function present(v: unknown): v is Json {
  return v !== undefined && v !== null && isObject(v);
}

function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

/** The bad value of a *NonResourceAttributes as Go's %#v prints the internal type. */
function goNonResourceAttributes(nra: Json): GoRendered {
  return { go: `authorization.NonResourceAttributes{Path:${goQuote(str(nra['path']) ?? '')}, Verb:${goQuote(str(nra['verb']) ?? '')}}` };
}

/** time.Time.GoString of a metav1.Time as decoded (zero, or a local time). */
function goTime(v: unknown): string {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) return 'time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)';
  const d = new Date(ms);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `time.Date(${d.getUTCFullYear()}, time.${months[d.getUTCMonth()]}, ${d.getUTCDate()}, ${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, 0, time.Local)`;
}

/** metav1.ObjectMeta as Go's %#v prints it (pointers and nested structs approximated). */
function goObjectMeta(meta: Json): GoRendered {
  const s = (k: string) => goQuote(str(meta[k]) ?? '');
  const generation = typeof meta['generation'] === 'number' ? meta['generation'] : 0;
  const deletion = meta['deletionTimestamp'] ? goTime(meta['deletionTimestamp']) : '<nil>';
  const grace = typeof meta['deletionGracePeriodSeconds'] === 'number' ? '(*int64)(0x0)' : '(*int64)(nil)';
  const owners = arr(meta['ownerReferences']).length > 0 ? '[]v1.OwnerReference{...}' : '[]v1.OwnerReference(nil)';
  const managed = arr(meta['managedFields']).length > 0 ? '[]v1.ManagedFieldsEntry{...}' : '[]v1.ManagedFieldsEntry(nil)';
  const finalizers = Array.isArray(meta['finalizers']) ? goStringSlice(strings(meta['finalizers'])).go : '[]string(nil)';
  return {
    go: `v1.ObjectMeta{Name:${s('name')}, GenerateName:${s('generateName')}, Namespace:${s('namespace')}, ` +
      `SelfLink:${s('selfLink')}, UID:${s('uid')}, ResourceVersion:${s('resourceVersion')}, Generation:${generation}, ` +
      `CreationTimestamp:${goTime(meta['creationTimestamp'])}, DeletionTimestamp:${deletion}, ` +
      `DeletionGracePeriodSeconds:${grace}, Labels:${goStringMap(strMap(meta['labels']) ?? null).go}, ` +
      `Annotations:${goStringMap(strMap(meta['annotations']) ?? null).go}, OwnerReferences:${owners}, ` +
      `Finalizers:${finalizers}, ManagedFields:${managed}}`,
  };
}

/** Whether metadata is empty as apiequality.Semantic sees it (managedFields, and `except` fields, ignored). */
function metadataEmpty(meta: Json, except: readonly string[]): boolean {
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'managedFields' || except.includes(k)) continue;
    if (v === undefined || v === null || v === '' || v === 0) continue;
    if (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0) continue;
    return false;
  }
  return true;
}

function validateSelector(sel: unknown, path: string, causes: StatusCause[]): void {
  if (!present(sel)) return;
  const raw = str(sel['rawSelector']) ?? '';
  const reqs = arr(sel['requirements']);
  if (raw !== '' && reqs.length > 0) causes.push(invalid(`${path}.rawSelector`, raw, 'may not specified at the same time as requirements'));
  if (raw === '' && reqs.length === 0) {
    causes.push(required(`${path}.requirements`, `when ${path} is specified, requirements or rawSelector is required`));
  }
}

function validateResourceAttributes(ra: unknown, causes: StatusCause[]): void {
  if (!present(ra)) return;
  validateSelector(ra['fieldSelector'], 'spec.resourceAttributes.fieldSelector', causes);
  validateSelector(ra['labelSelector'], 'spec.resourceAttributes.labelSelector', causes);
}

/** Exactly one of resourceAttributes and nonResourceAttributes (and, for SubjectAccessReviews, a subject). */
function validateSpec(spec: Json, withSubject: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  if (present(ra) && present(nra)) {
    causes.push(invalid('spec.nonResourceAttributes', goNonResourceAttributes(nra), 'cannot be specified in combination with resourceAttributes'));
  }
  if (!present(ra) && !present(nra)) {
    // The real check passes the (nil) nonResourceAttributes as the bad value, which prints as "null".
    causes.push(invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (withSubject && !(str(spec['user']) ?? '') && strings(spec['groups']).length === 0) {
    causes.push(invalid('spec.user', str(spec['user']) ?? '', 'at least one of user or group must be specified'));
  }
  validateResourceAttributes(ra, causes);
  return causes;
}

/** authorizer attributes from a review's resourceAttributes or nonResourceAttributes. */
function attributesFor(user: UserInfo, spec: Json): AuthorizationAttributes {
  const ra = spec['resourceAttributes'];
  if (present(ra)) {
    const attrs: AuthorizationAttributes = { user, verb: str(ra['verb']) ?? '', resourceRequest: true };
    attrs.namespace = str(ra['namespace']) ?? '';
    attrs.apiGroup = str(ra['group']) ?? '';
    attrs.apiVersion = str(ra['version']) || '*';
    attrs.resource = str(ra['resource']) ?? '';
    attrs.subresource = str(ra['subresource']) ?? '';
    attrs.name = str(ra['name']) ?? '';
    return attrs;
  }
  const nra = present(spec['nonResourceAttributes']) ? spec['nonResourceAttributes'] : {};
  return { user, verb: str(nra['verb']) ?? '', resourceRequest: false, path: str(nra['path']) ?? '' };
}

/** The user a SubjectAccessReview asks about. */
function subjectOf(spec: Json): UserInfo {
  const user: UserInfo = { name: str(spec['user']) ?? '', groups: strings(spec['groups']) };
  const uid = str(spec['uid']);
  if (uid) user.uid = uid;
  if (isObject(spec['extra'])) {
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(spec['extra'])) extra[k] = strings(v);
    user.extra = extra;
  }
  return user;
}

/** SubjectAccessReviewStatus: allowed always; denied, reason and evaluationError when set. */
function statusOf(d: Decision): Json {
  const status: Json = { allowed: d.allowed };
  if (d.denied) status['denied'] = true;
  if (d.reason) status['reason'] = d.reason;
  if (d.evaluationError) status['evaluationError'] = d.evaluationError;
  return status;
}

function specOf(obj: KubeObject): Json {
  return isObject(obj['spec']) ? obj['spec'] : {};
}

async function answer(obj: KubeObject, ctx: ReviewContext, user: UserInfo): Promise<KubeObject> {
  const decision = await ctx.authorizer.authorize(attributesFor(user, specOf(obj)));
  const { status: _ignored, ...rest } = obj;
  return { ...rest, status: statusOf(decision) };
}

/** SubjectAccessReview: may spec.user (in spec.groups) do this? */
async function reviewSubjectAccess(obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  const spec = specOf(obj);
  const causes = validateSpec(spec, true);
  if (!metadataEmpty(obj.metadata, [])) causes.push(invalid('metadata', goObjectMeta(obj.metadata), 'must be empty'));
  if (causes.length > 0) throw reviewInvalid(GROUP, causes);
  return answer(obj, ctx, subjectOf(spec));
}

/** LocalSubjectAccessReview: a SubjectAccessReview confined to the URL's namespace. */
async function reviewLocalSubjectAccess(obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  const spec = specOf(obj);
  const causes = validateSpec(spec, true);
  const namespace = str(obj.metadata.namespace) ?? '';
  if (!metadataEmpty(obj.metadata, ['namespace'])) {
    causes.push(invalid('metadata', goObjectMeta(obj.metadata), 'must be empty except for namespace'));
  }
  const ra = spec['resourceAttributes'];
  if (present(ra) && (str(ra['namespace']) ?? '') !== namespace) {
    causes.push(invalid('spec.resourceAttributes.namespace', str(ra['namespace']) ?? '', 'must match metadata.namespace'));
  }
  const nra = spec['nonResourceAttributes'];
  if (present(nra)) causes.push(invalid('spec.nonResourceAttributes', goNonResourceAttributes(nra), 'disallowed on this kind of request'));
  if (causes.length > 0) throw reviewInvalid(GROUP, causes);
  if (!ctx.namespace) throw badRequest(`namespace is required on this type: ${ctx.namespace}`);
  if (ctx.namespace !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`);
  return answer(obj, ctx, subjectOf(spec));
}

/** SelfSubjectAccessReview (kubectl auth can-i): may the caller do this? */
async function reviewSelfSubjectAccess(obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  const causes = validateSpec(specOf(obj), false);
  if (!metadataEmpty(obj.metadata, [])) causes.push(invalid('metadata', goObjectMeta(obj.metadata), 'must be empty'));
  if (causes.length > 0) throw reviewInvalid(GROUP, causes);
  return answer(obj, ctx, ctx.user);
}

function rulesStatus(rules: Rules): Json {
  const status: Json = {
    resourceRules: rules.resourceRules.map((r) => {
      const out: Json = { verbs: [...r.verbs] };
      if (r.apiGroups?.length) out['apiGroups'] = [...r.apiGroups];
      if (r.resources?.length) out['resources'] = [...r.resources];
      if (r.resourceNames?.length) out['resourceNames'] = [...r.resourceNames];
      return out;
    }),
    nonResourceRules: rules.nonResourceRules.map((r) => {
      const out: Json = { verbs: [...r.verbs] };
      if (r.nonResourceURLs?.length) out['nonResourceURLs'] = [...r.nonResourceURLs];
      return out;
    }),
    incomplete: rules.incomplete,
  };
  if (rules.evaluationError) status['evaluationError'] = rules.evaluationError;
  return status;
}

/** SelfSubjectRulesReview (kubectl auth can-i --list): the caller's rules in spec.namespace, in a fresh object. */
async function reviewSelfSubjectRules(obj: KubeObject, ctx: ReviewContext): Promise<KubeObject> {
  const namespace = str(specOf(obj)['namespace']) ?? '';
  if (namespace === '') throw badRequest('no namespace on request');
  const rules = await ctx.authorizer.rulesFor(ctx.user, namespace);
  return { metadata: {}, spec: {}, status: rulesStatus(rules) };
}

const localsubjectaccessreviews = reviewRow(
  { group: GROUP, kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true },
  reviewLocalSubjectAccess,
);
const selfsubjectaccessreviews = reviewRow(
  { group: GROUP, kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false },
  reviewSelfSubjectAccess,
);
const selfsubjectrulesreviews = reviewRow(
  { group: GROUP, kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false },
  reviewSelfSubjectRules,
);
const subjectaccessreviews = reviewRow(
  { group: GROUP, kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false },
  reviewSubjectAccess,
);

export const authorizationResources = [
  localsubjectaccessreviews,
  selfsubjectaccessreviews,
  selfsubjectrulesreviews,
  subjectaccessreviews,
];
