// The /openapi/v3 index (OpenAPIV3Discovery): reading an extension API server's, and writing kage's merged
// one, where every path points at kage's own /openapi/v3/<path>?hash=<hash>.
import { DiscoveryFormatError, parseJsonObject } from './discovery-documents.js';

export const OPENAPI_V3_PREFIX = '/openapi/v3';

/** Paths of an index look like "apis/<group>/<version>", "api/v1", "version", ".well-known/openid-configuration". */
const PATH_RE = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/** Whether `path` can be a key of an index (and of kage's /openapi/v3/<path> URLs). */
export function isIndexPath(path: string): boolean {
  return path.length <= 512 && PATH_RE.test(path) && !path.split('/').some((s) => s === '.' || s === '..');
}

/** The hash a serverRelativeURL carries in its "hash" query parameter ('' when none). */
export function hashOf(serverRelativeURL: string): string {
  const q = serverRelativeURL.indexOf('?');
  if (q < 0) return '';
  return new URLSearchParams(serverRelativeURL.slice(q + 1)).get('hash') ?? '';
}

/** kage's own URL for a path of the index: /openapi/v3/<path>?hash=<hash>, without the query when there is no hash. */
export function serverRelativeURL(path: string, hash: string): string {
  return hash ? `${OPENAPI_V3_PREFIX}/${path}?hash=${encodeURIComponent(hash)}` : `${OPENAPI_V3_PREFIX}/${path}`;
}

/**
 * The paths of a backend's /openapi/v3 index with each document's hash. Throws DiscoveryFormatError when the
 * answer is not an index; entries with a path kage would not serve are skipped.
 */
export function parseOpenAPIIndex(body: Buffer | string): Map<string, string> {
  const doc = parseJsonObject(body);
  const paths = doc['paths'];
  if (typeof paths !== 'object' || paths === null || Array.isArray(paths)) throw new DiscoveryFormatError('paths: expected an object');
  const out = new Map<string, string>();
  for (const [path, entry] of Object.entries(paths as Record<string, unknown>)) {
    if (!isIndexPath(path)) continue;
    if (typeof entry !== 'object' || entry === null) throw new DiscoveryFormatError(`paths[${JSON.stringify(path)}]: expected an object`);
    const url = (entry as Record<string, unknown>)['serverRelativeURL'];
    if (typeof url !== 'string') throw new DiscoveryFormatError(`paths[${JSON.stringify(path)}].serverRelativeURL: expected a string`);
    out.set(path, hashOf(url));
  }
  return out;
}

/** The index document for a set of paths (path → hash), keys sorted as Go writes a map. */
export function openAPIIndexDocument(paths: ReadonlyMap<string, string>): { paths: Record<string, { serverRelativeURL: string }> } {
  const out: Record<string, { serverRelativeURL: string }> = {};
  for (const path of [...paths.keys()].sort()) out[path] = { serverRelativeURL: serverRelativeURL(path, paths.get(path)!) };
  return { paths: out };
}

/**
 * An HTTP date one calendar year after `now`, for Expires on hashed (immutable) documents. Written as Go's
 * time.RFC1123 writes a UTC time ("Sun, 21 Nov 2027 03:40:05 UTC"), which is what kube-apiserver sends.
 */
export function expiresOneYearAfter(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toUTCString().replace(/GMT$/, 'UTC');
}
