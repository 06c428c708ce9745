// authentication.k8s.io/v1 rows: tokenreviews and selfsubjectreviews, virtual create-only kinds answered by the
// server's authenticator (pkg/registry/authentication/{tokenreview,selfsubjectreview}).
import { badRequest, internalError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { nowTimestamp } from '../../rest/strategy.js';
import type { ReviewContext } from '../types.js';
import { arr, isObject, type Json } from './helpers.js';
import { reviewRow, userInfoJson } from './reviews.js';

const GROUP = 'authentication.k8s.io';

function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

/** TokenReview: who the token in spec.token belongs to, as the server's own authentication would say. */
function reviewToken(obj: KubeObject, ctx: ReviewContext): KubeObject {
  if (ctx.namespace) throw badRequest(`namespace is not allowed on this type: ${ctx.namespace}`);
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const token = typeof spec['token'] === 'string' ? spec['token'] : '';
  if (token === '') throw badRequest('token is required for TokenReview in authentication');
  if (!ctx.authenticator) return obj;
  const requested = strings(spec['audiences']);
  const result = ctx.authenticator.reviewToken(token, requested);
  // A token authenticator that found a user but none of the audiences asked for is a server-side failure.
  if (requested.length > 0 && result.user && !requested.some((a) => (result.audiences ?? []).includes(a))) {
    throw internalError('error validating audiences');
  }
  const status: Json = {};
  if (result.authenticated) status['authenticated'] = true;
  status['user'] = userInfoJson(result.user);
  if (result.user && result.audiences && result.audiences.length > 0) status['audiences'] = result.audiences;
  if (result.error) status['error'] = result.error;
  const { status: _ignored, ...rest } = obj;
  return { ...rest, status };
}

/** SelfSubjectReview (kubectl auth whoami): the caller's own user info, in a fresh object. */
function reviewSelf(_obj: KubeObject, ctx: ReviewContext): KubeObject {
  return {
    metadata: { creationTimestamp: nowTimestamp() },
    status: { userInfo: userInfoJson(ctx.user) },
  };
}

const tokenreviews = reviewRow({ group: GROUP, kind: 'TokenReview', plural: 'tokenreviews', namespaced: false }, reviewToken);

const selfsubjectreviews = reviewRow(
  { group: GROUP, kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false },
  reviewSelf,
);

export const authenticationResources = [selfsubjectreviews, tokenreviews];
