// Reading what extension API servers answer to discovery: their aggregated APIGroupDiscoveryList, or the
// legacy APIResourceList of one group version converted to the aggregated shape. Everything is checked and
// copied field by field: a backend's document never reaches kage's own documents unvalidated.
import type {
  APIResourceDiscovery,
  APISubresourceDiscovery,
  GroupVersionKind,
  ResourceScope,
} from '../server/discovery/types.js';

/** Why a backend's answer cannot be used. */
export class DiscoveryFormatError extends Error {}

/** The Accept header kube-aggregator sends for /apis: aggregated v2, v2beta1, then legacy JSON. */
export const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,' +
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** Larger answers are refused rather than parsed. */
export const MAX_DISCOVERY_BYTES = 32 * 1024 * 1024;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new DiscoveryFormatError(message);
}

/** Parses a JSON body that must be an object. */
export function parseJsonObject(body: Buffer | string): Obj {
  if (body.length > MAX_DISCOVERY_BYTES) fail(`answer too large (${body.length} bytes)`);
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    fail(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(value)) fail('not a JSON object');
  return value;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') fail(`${what}: expected a string`);
  return v;
}

function optStr(v: unknown, what: string): string {
  return v === undefined || v === null ? '' : str(v, what);
}

/** A list of strings; null or absent is empty (Go writes nil slices as null). */
function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what}: expected a list`);
  return v.map((s, i) => str(s, `${what}[${i}]`));
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what}: expected a list`);
  return v;
}

function gvk(v: unknown, what: string): GroupVersionKind | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(`${what}: expected an object`);
  return { group: optStr(v['group'], `${what}.group`), version: optStr(v['version'], `${what}.version`), kind: optStr(v['kind'], `${what}.kind`) };
}

function scope(v: unknown, what: string): ResourceScope {
  if (v !== 'Namespaced' && v !== 'Cluster') fail(`${what}: scope must be Namespaced or Cluster`);
  return v;
}

function subresource(v: unknown, what: string): APISubresourceDiscovery {
  if (!isObj(v)) fail(`${what}: expected an object`);
  const name = str(v['subresource'], `${what}.subresource`);
  if (!name) fail(`${what}.subresource: empty`);
  const out: Partial<APISubresourceDiscovery> = { subresource: name };
  const kind = gvk(v['responseKind'], `${what}.responseKind`);
  if (kind) out.responseKind = kind;
  const accepted = list(v['acceptedTypes'], `${what}.acceptedTypes`).map((t, i) => gvk(t, `${what}.acceptedTypes[${i}]`)!);
  if (accepted.length) out.acceptedTypes = accepted;
  out.verbs = strings(v['verbs'], `${what}.verbs`);
  return out as APISubresourceDiscovery;
}

function resource(v: unknown, what: string): APIResourceDiscovery {
  if (!isObj(v)) fail(`${what}: expected an object`);
  const name = str(v['resource'], `${what}.resource`);
  if (!name) fail(`${what}.resource: empty`);
  // Field order as the Go type writes it.
  const out: Partial<APIResourceDiscovery> = { resource: name };
  const kind = gvk(v['responseKind'], `${what}.responseKind`);
  if (kind) out.responseKind = kind;
  out.scope = scope(v['scope'], `${what}.scope`);
  out.singularResource = optStr(v['singularResource'], `${what}.singularResource`);
  out.verbs = strings(v['verbs'], `${what}.verbs`);
  const shortNames = strings(v['shortNames'], `${what}.shortNames`);
  if (shortNames.length) out.shortNames = shortNames;
  const categories = strings(v['categories'], `${what}.categories`);
  if (categories.length) out.categories = categories;
  const subs = list(v['subresources'], `${what}.subresources`).map((s, i) => subresource(s, `${what}.subresources[${i}]`));
  if (subs.length) out.subresources = subs;
  return out as APIResourceDiscovery;
}

/** What the kind of a discovery answer says it is. */
export type DiscoveryAnswerKind = 'aggregated' | 'legacy-group-list' | 'other';

/** Tells an aggregated APIGroupDiscoveryList (v2 or v2beta1) from a legacy APIGroupList. */
export function discoveryAnswerKind(doc: Obj): DiscoveryAnswerKind {
  if (doc['kind'] === 'APIGroupDiscoveryList') return 'aggregated';
  if (doc['kind'] === 'APIGroupList') return 'legacy-group-list';
  return 'other';
}

/**
 * The resources of every group version of an APIGroupDiscoveryList, keyed "group/version". Throws
 * DiscoveryFormatError for anything that is not one (a wrong apiVersion, a missing list, a malformed entry).
 */
export function parseAggregatedDiscovery(doc: Obj): Map<string, APIResourceDiscovery[]> {
  if (doc['kind'] !== 'APIGroupDiscoveryList') fail(`kind ${JSON.stringify(doc['kind'])} is not APIGroupDiscoveryList`);
  const apiVersion = doc['apiVersion'];
  if (apiVersion !== 'apidiscovery.k8s.io/v2' && apiVersion !== 'apidiscovery.k8s.io/v2beta1') {
    fail(`unsupported apiVersion ${JSON.stringify(apiVersion)}`);
  }
  const out = new Map<string, APIResourceDiscovery[]>();
  list(doc['items'], 'items').forEach((item, i) => {
    const what = `items[${i}]`;
    if (!isObj(item)) fail(`${what}: expected an object`);
    const metadata = item['metadata'];
    if (metadata !== undefined && metadata !== null && !isObj(metadata)) fail(`${what}.metadata: expected an object`);
    const group = optStr(isObj(metadata) ? metadata['name'] : undefined, `${what}.metadata.name`);
    list(item['versions'], `${what}.versions`).forEach((v, j) => {
      const vwhat = `${what}.versions[${j}]`;
      if (!isObj(v)) fail(`${vwhat}: expected an object`);
      const version = str(v['version'], `${vwhat}.version`);
      if (!version) fail(`${vwhat}.version: empty`);
      const resources = list(v['resources'], `${vwhat}.resources`).map((r, k) => resource(r, `${vwhat}.resources[${k}]`));
      out.set(`${group}/${version}`, resources);
    });
  });
  return out;
}

interface LegacyResource {
  name: string;
  namespaced: boolean;
  group: string;
  version: string;
  kind: string;
  singularName: string;
  verbs: string[];
  shortNames: string[];
  categories: string[];
}

function legacyResource(v: unknown, what: string): LegacyResource {
  if (!isObj(v)) fail(`${what}: expected an object`);
  const name = str(v['name'], `${what}.name`);
  if (!name || name.startsWith('/') || name.endsWith('/')) fail(`${what}.name: invalid ${JSON.stringify(name)}`);
  const namespaced = v['namespaced'];
  if (typeof namespaced !== 'boolean') fail(`${what}.namespaced: expected a boolean`);
  return {
    name,
    namespaced,
    group: optStr(v['group'], `${what}.group`),
    version: optStr(v['version'], `${what}.version`),
    kind: optStr(v['kind'], `${what}.kind`),
    singularName: optStr(v['singularName'], `${what}.singularName`),
    verbs: strings(v['verbs'], `${what}.verbs`),
    shortNames: strings(v['shortNames'], `${what}.shortNames`),
    categories: strings(v['categories'], `${what}.categories`),
  };
}

/**
 * The aggregated entries of a legacy APIResourceList (GET /apis/<group>/<version>), as kube-apiserver converts
 * them: resources in the order listed, each "resource/subresource" nested under its resource (a parent is
 * made up, with an empty responseKind, when only its subresources are listed). Throws DiscoveryFormatError
 * when it is not the list of `groupVersion` or a subresource's scope differs from its parent's.
 */
export function legacyToAggregated(doc: Obj, groupVersion: string): APIResourceDiscovery[] {
  if (doc['kind'] !== undefined && doc['kind'] !== 'APIResourceList') fail(`kind ${JSON.stringify(doc['kind'])} is not APIResourceList`);
  const gv = doc['groupVersion'];
  if (typeof gv !== 'string' || gv !== groupVersion) fail(`groupVersion ${JSON.stringify(gv)} is not ${JSON.stringify(groupVersion)}`);
  const rows = list(doc['resources'], 'resources').map((r, i) => legacyResource(r, `resources[${i}]`));
  const out: APIResourceDiscovery[] = [];
  const parents = new Map<string, APIResourceDiscovery>();
  for (const r of rows) {
    if (r.name.includes('/')) continue;
    const entry: APIResourceDiscovery = {
      resource: r.name,
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName,
      verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    out.push(entry);
    parents.set(r.name, entry);
  }
  for (const r of rows) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parentName = r.name.slice(0, slash);
    const sub = r.name.slice(slash + 1);
    const scope: ResourceScope = r.namespaced ? 'Namespaced' : 'Cluster';
    let parent = parents.get(parentName);
    if (!parent) {
      parent = { resource: parentName, responseKind: { group: '', version: '', kind: '' }, scope, singularResource: '', verbs: [] };
      out.push(parent);
      parents.set(parentName, parent);
    }
    if (parent.scope !== scope) fail(`${r.name}: scope ${scope} differs from ${parentName}'s ${parent.scope}`);
    const entry: APISubresourceDiscovery = {
      subresource: sub,
      responseKind: r.kind ? { group: r.group, version: r.version, kind: r.kind } : { group: '', version: '', kind: '' },
      verbs: r.verbs,
    };
    (parent.subresources ??= []).push(entry);
  }
  return out;
}
