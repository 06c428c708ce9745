// Authorization: may this user do this? Today every authenticated user may do everything (AlwaysAllow, as
// kube-apiserver --authorization-mode=AlwaysAllow); RBAC comes later behind the same interface.
import type { UserInfo } from './authenticate.js';

/** authorizer.Attributes: what a request (or a SubjectAccessReview) asks to do. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** true: a resource request (namespace, apiGroup, resource, ...); false: a non-resource request (path). */
  resourceRequest: boolean;
  namespace?: string;
  apiGroup?: string;
  /** "*" when a review leaves it empty. */
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** Non-resource requests: the URL path. */
  path?: string;
}

/** The answer: allowed, explicitly denied, or neither (no opinion); reason and error as SubjectAccessReviewStatus carries them. */
export interface Decision {
  allowed: boolean;
  denied?: boolean;
  reason: string;
  evaluationError?: string;
}

/** authorizationv1.ResourceRule. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** authorizationv1.NonResourceRule. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** What RuleResolver.RulesFor answers (the status of a SelfSubjectRulesReview). */
export interface Rules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Decision | Promise<Decision>;
  /** The rules a user has in a namespace (cluster-wide rules included). */
  rulesFor(user: UserInfo, namespace: string): Rules | Promise<Rules>;
}

/** Allows everything, with no reason, and lists one rule allowing every verb on everything. */
export class AlwaysAllowAuthorizer implements Authorizer {
  authorize(_attrs: AuthorizationAttributes): Decision {
    return { allowed: true, reason: '' };
  }

  rulesFor(_user: UserInfo, _namespace: string): Rules {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  }
}
