// Authentication: who is calling. A request authenticates with a client certificate signed by kage's CA
// (client-cert.ts) or with a bearer token (the admin token, and any added later), in that order, as
// kube-apiserver's union authenticator tries x509 before tokens. TokenReview asks the token half.
import type { IncomingMessage } from 'node:http';
import { clientCertificateUser } from './client-cert.js';

/** The authenticated user, as Kubernetes' user.Info. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface TokenAuthenticator {
  /** The user a bearer token belongs to, or undefined. */
  authenticateToken(token: string): UserInfo | undefined;
}

/** The group every authenticated user is in (user.AllAuthenticated). */
export const ALL_AUTHENTICATED = 'system:authenticated';

/**
 * The server's API audiences (--api-audiences, which defaults to the service account issuer; this is the one
 * kubeadm and kind configure). kage's static tokens are audience-agnostic: they are good for exactly these.
 */
export const API_AUDIENCES: readonly string[] = ['https://kubernetes.default.svc.cluster.local'];

/** The error of a bearer token no authenticator recognises (bearertoken.invalidToken). */
export const INVALID_BEARER_TOKEN = 'invalid bearer token';

/** What a TokenReview of a token finds (authenticationv1.TokenReviewStatus without the wire details). */
export interface TokenReviewResult {
  authenticated: boolean;
  user?: UserInfo;
  /** The audiences the token was found valid for (those asked for that the server has). */
  audiences?: string[];
  error?: string;
}

/** What authenticates requests, and answers TokenReviews. */
export interface Authenticator {
  /** The user of a request (client certificate, then bearer token), or undefined. */
  authenticateRequest(req: IncomingMessage): UserInfo | undefined;
  /** A TokenReview: the user of `token`, checked for `audiences` (default: the server's own). */
  reviewToken(token: string, audiences?: readonly string[]): TokenReviewResult;
}

/** Checks tokens against a fixed table (the admin token, and any added later), as kube-apiserver's token file does. */
export class StaticTokens implements TokenAuthenticator {
  private readonly users = new Map<string, UserInfo>();

  add(token: string, user: UserInfo): void {
    if (!this.users.has(token)) this.users.set(token, user);
  }

  authenticateToken(token: string): UserInfo | undefined {
    return this.users.get(token);
  }
}

/** The bearer token of a request, if it carries one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

// The authenticated form of each user object, so a token's requests share one UserInfo (and what is derived from it).
const authenticatedForms = new WeakMap<UserInfo, UserInfo>();

/** The user with system:authenticated added, as the authenticated group adder does. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(ALL_AUTHENTICATED)) return user;
  let full = authenticatedForms.get(user);
  if (!full) {
    full = { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
    authenticatedForms.set(user, full);
  }
  return full;
}

/** Client certificates, then bearer tokens from a TokenAuthenticator. */
export class RequestAuthenticator implements Authenticator {
  constructor(
    private readonly tokens: TokenAuthenticator,
    private readonly apiAudiences: readonly string[] = API_AUDIENCES,
  ) {}

  authenticateRequest(req: IncomingMessage): UserInfo | undefined {
    return authenticate(req, this.tokens);
  }

  reviewToken(token: string, audiences?: readonly string[]): TokenReviewResult {
    const wanted = audiences && audiences.length > 0 ? audiences : this.apiAudiences;
    // Audience-agnostic tokens are valid for the server's own audiences only (authenticator.WrapAudienceAgnosticToken);
    // a review for other audiences finds nothing, and the bearer token authenticator calls that an invalid token.
    let matched: string[] | undefined;
    if (this.apiAudiences.length > 0 && wanted.length > 0) {
      matched = wanted.filter((a) => this.apiAudiences.includes(a));
      if (matched.length === 0) return { authenticated: false, error: INVALID_BEARER_TOKEN };
    }
    const user = this.tokens.authenticateToken(token);
    if (!user) return { authenticated: false, error: INVALID_BEARER_TOKEN };
    const result: TokenReviewResult = { authenticated: true, user: withAuthenticatedGroup(user) };
    if (matched) result.audiences = matched;
    return result;
  }
}

/** The user of a request, or undefined when it does not authenticate. */
export function authenticate(req: IncomingMessage, tokens: TokenAuthenticator): UserInfo | undefined {
  const fromCert = clientCertificateUser(req);
  if (fromCert) return withAuthenticatedGroup(fromCert);
  const token = bearerToken(req);
  if (!token) return undefined;
  const user = tokens.authenticateToken(token);
  return user ? withAuthenticatedGroup(user) : undefined;
}
