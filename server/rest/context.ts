// What every REST handler is given: the shared services and the parsed request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../../storage/store.js';
import type { Authenticator, UserInfo } from '../auth/authenticate.js';
import type { Authorizer } from '../auth/authorize.js';
import type { RequestInfo } from '../http/request-info.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceDef } from '../registry/types.js';

export interface RestServices {
  store: Store;
  registry: Registry;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
  /** Answers TokenReviews (virtual.ts); absent: TokenReviews are echoed without a status. */
  authenticator?: Authenticator;
  /** Answers access reviews (virtual.ts); absent: AlwaysAllow. */
  authorizer?: Authorizer;
}

export interface RestRequest {
  services: RestServices;
  info: RequestInfo;
  def: ResourceDef;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
  /** The authenticated user (set by the handler chain). */
  user?: UserInfo;
}

/** The qualified resource used in messages and Status details. */
export function resourceOf(def: ResourceDef): { group: string; resource: string } {
  return { group: def.group, resource: def.plural };
}
