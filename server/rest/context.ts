// What every REST handler is given: the shared services and the parsed request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../../storage/store.js';
import type { RequestInfo } from '../http/request-info.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceDef } from '../registry/types.js';

export interface RestServices {
  store: Store;
  registry: Registry;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
}

export interface RestRequest {
  services: RestServices;
  info: RequestInfo;
  def: ResourceDef;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
}

/** The qualified resource used in messages and Status details. */
export function resourceOf(def: ResourceDef): { group: string; resource: string } {
  return { group: def.group, resource: def.plural };
}
