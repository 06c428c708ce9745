// Options shared by every write: dryRun and the namespace the object must live in.
import { badRequest, forbidden, notFound, withDetails } from '../api/errors.js';
import type { Status } from '../api/types.js';
import type { KubeObject } from '../api/types.js';
import type { RestRequest } from './context.js';

/** True for dryRun=All; 400 for any other value. */
export function isDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dryRun value: "${v}": supported values: "All"`);
  }
  return true;
}

/** Namespaced writes need the namespace to exist and (for creates) not be terminating. */
export async function requireNamespace(r: RestRequest, forCreate: boolean, objectName = r.info.name): Promise<void> {
  if (!r.def.namespaced) return;
  const ns = r.info.namespace;
  if (!ns) throw badRequest('namespace is required for namespaced resources');
  const record = await r.services.store.get(`/registry/core/namespaces/${ns}`);
  if (!record) throw notFound({ group: '', resource: 'namespaces' }, ns);
  if (forCreate && record.object.metadata.deletionTimestamp) {
    const details: NonNullable<Status['details']> = { name: objectName || undefined };
    if (r.def.group) details.group = r.def.group;
    details.kind = r.def.plural;
    details.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }];
    throw withDetails(forbidden(`${r.def.plural} "${objectName || ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`), details);
  }
}

/** The body's metadata.namespace must be empty or the URL's. */
export function checkNamespaceMatches(r: RestRequest, obj: KubeObject): void {
  const ns = obj.metadata.namespace;
  if (r.def.namespaced && ns && ns !== r.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}
