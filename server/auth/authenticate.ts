// Authentication: who is calling. Today: the admin bearer token; later issues add more authenticators.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

/** Checks tokens against a fixed table (the admin token, and any added later). */
export class StaticTokens implements TokenAuthenticator {
  private readonly entries: { token: Buffer; user: UserInfo }[] = [];

  add(token: string, user: UserInfo): void {
    this.entries.push({ token: Buffer.from(token), user });
  }

  authenticateToken(token: string): UserInfo | undefined {
    const given = Buffer.from(token);
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) return e.user;
    }
    return undefined;
  }
}

/** The bearer token of a request, if it carries one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/** The user of a request, or undefined when it does not authenticate. */
export function authenticate(req: IncomingMessage, tokens: TokenAuthenticator): UserInfo | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const user = tokens.authenticateToken(token);
  if (!user) return undefined;
  return { ...user, groups: user.groups.includes('system:authenticated') ? user.groups : [...user.groups, 'system:authenticated'] };
}
