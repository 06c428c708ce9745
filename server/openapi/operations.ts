// The REST operations of every served resource, as the real server lists them in OpenAPI (paths, operation
// ids, x-kubernetes-action, x-kubernetes-group-version-kind, query parameters), independent of the OpenAPI
// version they are written in.
import type { ResourceDef, SubresourceDef, Verb } from '../registry/types.js';
import {
  DELETE_OPTIONS_DEFINITION,
  PATCH_DEFINITION,
  schemaForKind,
  STATUS_DEFINITION,
  WATCH_EVENT_DEFINITION,
  type GroupVersionKind,
} from '../schema/index.js';

export type ParamType = 'string' | 'boolean' | 'integer';

export interface Param {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
  readonly type: ParamType;
  readonly required?: boolean;
}

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Response {
  readonly code: string;
  readonly description: string;
  /** Definition name of the body. */
  readonly schema?: string;
}

export interface Operation {
  readonly method: Method;
  readonly operationId: string;
  readonly description: string;
  /** x-kubernetes-action: get, list, watch, watchlist, post, put, patch, delete, deletecollection. */
  readonly action: string;
  readonly gvk: GroupVersionKind;
  readonly tag: string;
  readonly params: readonly Param[];
  /** Definition name of the request body; `patch` bodies come in the four patch media types. */
  readonly body?: { readonly schema: string; readonly required: boolean; readonly patch?: boolean };
  readonly responses: readonly Response[];
  /** Watch operations answer with a stream of WatchEvents. */
  readonly stream?: boolean;
}

export interface PathItem {
  readonly path: string;
  readonly params: readonly Param[];
  readonly ops: readonly Operation[];
}

/** The media types of a PATCH body, as kube-apiserver 1.32 accepts them. */
export const PATCH_MEDIA_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });

export const PARAMS = {
  name: { name: 'name', in: 'path', type: 'string', required: true, description: 'Name of the object.' } as Param,
  namespace: {
    name: 'namespace', in: 'path', type: 'string', required: true, description: 'Namespace of the objects (a DNS label).',
  } as Param,
  pretty: q('pretty', 'string', "When 'true', the output is indented."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean',
    'With watch: ask for BOOKMARK events, which only carry a resourceVersion to resume from. The server may send none.'),
  continue: q('continue', 'string',
    'Token from the previous page of a paginated list (metadata.continue) to get the next page. An expired token ' +
    'gets a 410 Gone.'),
  fieldSelector: q('fieldSelector', 'string', 'Only objects whose fields match, e.g. metadata.name=foo. Everything by default.'),
  labelSelector: q('labelSelector', 'string', 'Only objects whose labels match, e.g. app=web,tier!=db. Everything by default.'),
  limit: q('limit', 'integer',
    'Maximum number of objects in a list answer; when more remain, metadata.continue is set to fetch the next page.'),
  resourceVersion: q('resourceVersion', 'string',
    'Which version of the data a list or watch is served from; see resourceVersionMatch. Unset: the latest.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string',
    'How resourceVersion applies to a list: Exact or NotOlderThan (the default when resourceVersion is set).'),
  sendInitialEvents: q('sendInitialEvents', 'boolean',
    'With watch: start with ADDED events for the current objects, ended by a BOOKMARK annotated ' +
    'k8s.io/initial-events-end. Needs resourceVersionMatch=NotOlderThan.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Ends the list or watch call after this many seconds.'),
  watch: q('watch', 'boolean', 'Watch for changes (added, modified and deleted objects) instead of listing.'),
  dryRun: q('dryRun', 'string',
    'When present, the request is fully processed but nothing is persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'string',
    'Name of the actor making the change, recorded in managedFields. Required for apply patches; at most 128 ' +
    'printable characters.'),
  fieldValidation: q('fieldValidation', 'string',
    'What to do with unknown or duplicate fields in the body: Ignore (drop them silently), Warn (drop them and ' +
    'send a Warning header for each; the default) or Strict (fail the request).'),
  force: q('force', 'boolean',
    'Apply patches only: take over fields other managers own instead of failing with a conflict.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer',
    'Seconds before the object is deleted; 0 means now. The kind\'s default when unset.'),
  ignoreStoreReadError: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean',
    'Delete an object that cannot be read from storage (corrupt or undecryptable), skipping the normal deletion ' +
    'flow. Dangerous: may break the cluster.'),
  orphanDependents: q('orphanDependents', 'boolean',
    'Deprecated, use propagationPolicy: whether dependents are orphaned instead of deleted.'),
  propagationPolicy: q('propagationPolicy', 'string',
    'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
} as const;

const P = PARAMS;
const LIST_PARAMS: readonly Param[] = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const WRITE_PARAMS: readonly Param[] = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS: readonly Param[] = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS: readonly Param[] = [
  P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy,
];
const DELETECOLLECTION_PARAMS: readonly Param[] = [
  P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.ignoreStoreReadError, P.labelSelector, P.limit,
  P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents,
  P.timeoutSeconds,
];

const OK = (schema: string): Response => ({ code: '200', description: 'OK', schema });
const CREATED = (schema: string): Response => ({ code: '201', description: 'Created', schema });
const ACCEPTED = (schema: string): Response => ({ code: '202', description: 'Accepted', schema });
const UNAUTHORIZED: Response = { code: '401', description: 'Unauthorized' };

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** "CoreV1", "AppsV1", "FlowcontrolApiserverV1": the group version in operation ids. */
export function operationGroupVersion(group: string, version: string): string {
  if (!group) return `Core${cap(version)}`;
  return group.replace(/\.k8s\.io$/, '').split('.').map(cap).join('') + cap(version);
}

/** "core_v1", "apps_v1", "flowcontrolApiserver_v1": the tag of a group version's operations. */
export function operationTag(group: string, version: string): string {
  if (!group) return `core_${version}`;
  const parts = group.replace(/\.k8s\.io$/, '').split('.');
  return parts[0] + parts.slice(1).map(cap).join('') + `_${version}`;
}

/** "/api/v1" or "/apis/<group>/<version>". */
export function groupVersionPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** "api/v1" or "apis/<group>/<version>": the key of a group version in the /openapi/v3 index. */
export function groupVersionIndexPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function kindDefinition(group: string, version: string, kind: string): string {
  const s = schemaForKind(group, version, kind);
  if (!s?.ref) throw new Error(`openapi: no schema for ${group}/${version} ${kind}`);
  return s.ref;
}

interface Builder {
  items: Map<string, { params: Param[]; ops: Operation[] }>;
}

function add(b: Builder, path: string, params: Param[], op: Operation): void {
  let item = b.items.get(path);
  if (!item) b.items.set(path, (item = { params, ops: [] }));
  item.ops.push(op);
}

function subresourceOps(b: Builder, r: ResourceDef, sub: SubresourceDef, itemPath: string, itemParams: Param[], ns: string): void {
  const gvk: GroupVersionKind = {
    group: sub.group ?? r.group,
    version: sub.version ?? r.version,
    kind: sub.kind,
  };
  const def = kindDefinition(gvk.group, gvk.version, gvk.kind);
  const gv = operationGroupVersion(r.group, r.version);
  const tag = operationTag(r.group, r.version);
  const suffix = cap(sub.name);
  const path = `${itemPath}/${sub.name}`;
  const what = sub.name === 'scale' ? `scale of the specified ${r.kind}` : `${sub.name} of the specified ${r.kind}`;
  const has = (v: Verb) => sub.verbs.includes(v);
  if (has('get')) {
    add(b, path, itemParams, {
      method: 'get', operationId: `read${gv}${ns}${r.kind}${suffix}`, description: `read ${what}`,
      action: 'get', gvk, tag, params: [], responses: [OK(def), UNAUTHORIZED],
    });
  }
  if (has('update')) {
    add(b, path, itemParams, {
      method: 'put', operationId: `replace${gv}${ns}${r.kind}${suffix}`, description: `replace ${what}`,
      action: 'put', gvk, tag, params: WRITE_PARAMS, body: { schema: def, required: true },
      responses: [OK(def), CREATED(def), UNAUTHORIZED],
    });
  }
  if (has('patch')) {
    add(b, path, itemParams, {
      method: 'patch', operationId: `patch${gv}${ns}${r.kind}${suffix}`, description: `partially update ${what}`,
      action: 'patch', gvk, tag, params: PATCH_PARAMS, body: { schema: PATCH_DEFINITION, required: true, patch: true },
      responses: [OK(def), CREATED(def), UNAUTHORIZED],
    });
  }
}

function resourceOps(b: Builder, r: ResourceDef): void {
  const prefix = groupVersionPrefix(r.group, r.version);
  const gv = operationGroupVersion(r.group, r.version);
  const tag = operationTag(r.group, r.version);
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const def = kindDefinition(r.group, r.version, r.kind);
  const has = (v: Verb) => r.verbs.includes(v);
  const ns = r.namespaced ? 'Namespaced' : '';
  const nsPath = r.namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${prefix}${nsPath}/${r.plural}`;
  const item = `${collection}/{name}`;
  const collectionParams: Param[] = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const itemParams: Param[] = r.namespaced ? [P.name, P.namespace, P.pretty] : [P.name, P.pretty];
  const listDef = has('list') || has('watch') ? kindDefinition(r.group, r.version, r.listKind) : '';
  const k = r.kind;

  if (has('list')) {
    add(b, collection, collectionParams, {
      method: 'get', operationId: `list${gv}${ns}${k}`, description: `list or watch objects of kind ${k}`,
      action: 'list', gvk, tag, params: LIST_PARAMS, responses: [OK(listDef), UNAUTHORIZED],
    });
  }
  if (has('create')) {
    add(b, collection, collectionParams, {
      method: 'post', operationId: `create${gv}${ns}${k}`, description: `create a ${k}`,
      action: 'post', gvk, tag, params: WRITE_PARAMS, body: { schema: def, required: true },
      responses: [OK(def), CREATED(def), ACCEPTED(def), UNAUTHORIZED],
    });
  }
  if (has('deletecollection')) {
    add(b, collection, collectionParams, {
      method: 'delete', operationId: `delete${gv}Collection${ns}${k}`, description: `delete a collection of ${k}`,
      action: 'deletecollection', gvk, tag, params: DELETECOLLECTION_PARAMS,
      body: { schema: DELETE_OPTIONS_DEFINITION, required: false }, responses: [OK(STATUS_DEFINITION), UNAUTHORIZED],
    });
  }
  if (has('get')) {
    add(b, item, itemParams, {
      method: 'get', operationId: `read${gv}${ns}${k}`, description: `read the specified ${k}`,
      action: 'get', gvk, tag, params: [], responses: [OK(def), UNAUTHORIZED],
    });
  }
  if (has('update')) {
    add(b, item, itemParams, {
      method: 'put', operationId: `replace${gv}${ns}${k}`, description: `replace the specified ${k}`,
      action: 'put', gvk, tag, params: WRITE_PARAMS, body: { schema: def, required: true },
      responses: [OK(def), CREATED(def), UNAUTHORIZED],
    });
  }
  if (has('patch')) {
    add(b, item, itemParams, {
      method: 'patch', operationId: `patch${gv}${ns}${k}`, description: `partially update the specified ${k}`,
      action: 'patch', gvk, tag, params: PATCH_PARAMS, body: { schema: PATCH_DEFINITION, required: true, patch: true },
      responses: [OK(def), CREATED(def), UNAUTHORIZED],
    });
  }
  if (has('delete')) {
    add(b, item, itemParams, {
      method: 'delete', operationId: `delete${gv}${ns}${k}`, description: `delete a ${k}`,
      action: 'delete', gvk, tag, params: DELETE_PARAMS, body: { schema: DELETE_OPTIONS_DEFINITION, required: false },
      responses: [OK(STATUS_DEFINITION), ACCEPTED(STATUS_DEFINITION), UNAUTHORIZED],
    });
  }
  if (has('list') && r.namespaced) {
    add(b, `${prefix}/${r.plural}`, [P.pretty], {
      method: 'get', operationId: `list${gv}${k}ForAllNamespaces`, description: `list or watch objects of kind ${k}`,
      action: 'list', gvk, tag, params: LIST_PARAMS, responses: [OK(listDef), UNAUTHORIZED],
    });
  }
  if (has('watch')) {
    const watchOp = (operationId: string, action: string, description: string): Operation => ({
      method: 'get', operationId, description, action, gvk, tag, params: LIST_PARAMS,
      responses: [OK(WATCH_EVENT_DEFINITION), UNAUTHORIZED], stream: true,
    });
    const deprecated = "deprecated: use the 'watch' parameter with a list operation instead";
    add(b, `${prefix}/watch${nsPath}/${r.plural}`, collectionParams,
      watchOp(`watch${gv}${ns}${k}List`, 'watchlist', `watch individual changes to a list of ${k}. ${deprecated}.`));
    add(b, `${prefix}/watch${nsPath}/${r.plural}/{name}`, itemParams,
      watchOp(`watch${gv}${ns}${k}`, 'watch',
        `watch changes to an object of kind ${k}. ${deprecated}, filtered to a single item with the 'fieldSelector' parameter.`));
    if (r.namespaced) {
      add(b, `${prefix}/watch/${r.plural}`, [P.pretty],
        watchOp(`watch${gv}${k}ListForAllNamespaces`, 'watchlist', `watch individual changes to a list of ${k}. ${deprecated}.`));
    }
  }
  for (const sub of r.subresources) subresourceOps(b, r, sub, item, itemParams, ns);
}

/** The path items of some resources, sorted by path. */
export function pathItems(rows: readonly ResourceDef[]): PathItem[] {
  const b: Builder = { items: new Map() };
  for (const r of rows) resourceOps(b, r);
  return [...b.items.entries()]
    .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
    .map(([path, { params, ops }]) => ({ path, params, ops }));
}

/** Definition names an operation list refers to (bodies and responses). */
export function referencedDefinitions(items: readonly PathItem[]): Set<string> {
  const out = new Set<string>();
  for (const item of items) {
    for (const op of item.ops) {
      if (op.body) out.add(op.body.schema);
      for (const r of op.responses) if (r.schema) out.add(r.schema);
    }
  }
  return out;
}
