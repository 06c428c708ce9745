// Parses a request's method and path into what Kubernetes calls RequestInfo: which resource, which verb.

export type RequestVerb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'
  | 'proxy' | 'connect' | 'head' | 'options' | 'unknown';

export interface RequestInfo {
  /** True for /api/v1/... and /apis/<g>/<v>/<resource>...; false for discovery and other paths. */
  isResourceRequest: boolean;
  path: string;
  verb: RequestVerb;
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the group version. */
  parts: string[];
}

// Under /namespaces/<ns>/ these words are subresources of the namespace itself, not resources in it.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function splitPath(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    if (!raw.includes('%')) {
      segments.push(raw);
      continue;
    }
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return segments;
}

/** Parses `method` + `path` (without query) + whether ?watch=true was given. */
export function parseRequestInfo(method: string, path: string, watchParam: boolean): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: verbOfMethod(method), apiPrefix: '',
    group: '', version: '', namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  const segs = splitPath(path);
  if (!segs || segs.length === 0) return info;
  let rest: string[];
  if (segs[0] === 'api') {
    info.apiPrefix = 'api';
    if (segs.length < 2) return info;
    info.version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    info.apiPrefix = 'apis';
    if (segs.length < 3) {
      if (segs.length === 2) info.group = segs[1]!;
      return info;
    }
    info.group = segs[1]!;
    info.version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return info;
  }
  if (rest.length === 0) return info;

  info.isResourceRequest = true;
  // Deprecated /watch/ and /proxy/ prefixes still used by some clients.
  if (rest[0] === 'watch' || rest[0] === 'proxy') {
    if (rest.length < 2) {
      info.isResourceRequest = false;
      return info;
    }
    info.verb = rest[0] === 'watch' ? 'watch' : 'proxy';
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1]!;
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
    }
  }
  info.parts = rest;
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';

  if (info.verb === 'get' && !info.name) info.verb = watchParam ? 'watch' : 'list';
  else if (info.verb === 'get' && watchParam && !info.subresource) info.verb = 'watch';
  if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  return info;
}

function verbOfMethod(method: string): RequestVerb {
  switch (method) {
    case 'GET': return 'get';
    case 'HEAD': return 'get';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    case 'OPTIONS': return 'options';
    default: return 'unknown';
  }
}
