// Routes a resource request to the generic verb handler for its registry row.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, methodNotAllowed } from '../api/errors.js';
import type { UserInfo } from '../auth/authenticate.js';
import type { RequestInfo } from '../http/request-info.js';
import type { Verb } from '../registry/types.js';
import type { RestRequest, RestServices } from './context.js';
import { createObject } from './create.js';
import { deleteCollection, deleteObject } from './delete.js';
import { patchObject } from './patch.js';
import { getObject, listObjects } from './read.js';
import { serveScale } from './scale.js';
import { updateObject } from './update.js';
import { createVirtual } from './virtual.js';
import { watchObjects } from './watch.js';

/** The 404 the real server gives for paths it does not serve. */
export function pathNotFound(): StatusError {
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
  });
}

const SUBRESOURCE_VERBS: readonly string[] = ['get', 'update', 'patch'];

/** Serves a resource request against the built-in registry; throws StatusError for what it refuses. */
export async function serveResource(
  services: RestServices, info: RequestInfo, query: URLSearchParams, req: IncomingMessage, res: ServerResponse,
  user?: UserInfo,
): Promise<void> {
  const def = services.registry.find(info.group, info.version, info.resource);
  if (!def) throw pathNotFound();
  if (info.parts.length > 3) throw pathNotFound();
  // A namespaced kind is addressed by name only inside a namespace; a cluster-scoped one never is.
  if (!def.namespaced && info.namespace && !(def.plural === 'namespaces')) throw pathNotFound();
  if (def.namespaced && !info.namespace && info.name) throw pathNotFound();
  const r: RestRequest = { services, info, def, query, req, res };
  if (user) r.user = user;

  if (info.subresource) {
    const sub = def.subresources.find((s) => s.name === info.subresource);
    if (!sub) throw pathNotFound();
    if (!SUBRESOURCE_VERBS.includes(info.verb)) throw notAllowed();
    if (sub.name === 'scale') return serveScale(r);
    if (info.verb === 'get') return getObject(r);
    if (info.verb === 'update') return updateObject(r);
    return patchObject(r);
  }

  if (!def.verbs.includes(info.verb as Verb)) throw notAllowed();
  // Item verbs need a name; create happens on the collection only.
  const itemVerb = info.verb === 'update' || info.verb === 'patch' || info.verb === 'delete';
  if ((itemVerb && !info.name) || (info.verb === 'create' && info.name)) throw notAllowed();
  if (def.namespaced && !info.namespace && info.verb !== 'list' && info.verb !== 'watch') throw notAllowed();
  switch (info.verb) {
    case 'get': return getObject(r);
    case 'list': return listObjects(r);
    case 'watch': return watchObjects(r);
    case 'create': return def.review ? createVirtual(r) : createObject(r);
    case 'update': return updateObject(r);
    case 'patch': return patchObject(r);
    case 'delete': return deleteObject(r);
    case 'deletecollection': return deleteCollection(r);
    default: throw notAllowed();
  }
}

function notAllowed(): StatusError {
  return methodNotAllowed('the server does not allow this method on the requested resource');
}
