// Which headers go to an extension API server and back, as kube-aggregator's proxy passes them:
//  - the caller's credentials never leave kage (Authorization, and Impersonate-* once impersonation is applied,
//    are removed by kube-apiserver's authentication and impersonation filters before the aggregator runs);
//  - inbound X-Remote-* headers are dropped and replaced by the authenticated user (transport.SetAuthProxyHeaders:
//    X-Remote-User, one X-Remote-Group per group, X-Remote-Extra-<percent-encoded key> per value), which the
//    backend trusts because kage connects with its front-proxy client certificate;
//  - hop-by-hop headers are not forwarded (httputil.ReverseProxy), except on upgrade requests, which are written
//    to the backend as they came; X-Forwarded-For gets the client's address appended, and plain requests carry
//    X-Forwarded-Uri/-Host/-Proto (the proxy transport of k8s.io/apimachinery/pkg/util/proxy);
//  - CORS headers of the backend's response are removed (corsRemovingTransport).
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../server/auth/authenticate.js';

/** Headers that describe one connection, never forwarded by a proxy (RFC 7230 §6.1, Go's hopHeaders). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

const CORS_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin',
]);

const IDENTITY_HEADERS: ReadonlySet<string> = new Set(['x-remote-user', 'x-remote-uid', 'x-remote-group']);

/** Headers as ordered (name, value) pairs, from Node's rawHeaders (names keep their case, repeats stay apart). */
export function headerPairs(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/** Lower-cased names listed in Connection headers (those are hop-by-hop too). */
function connectionTokens(pairs: ReadonlyArray<[string, string]>): Set<string> {
  const tokens = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const t of value.split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  }
  return tokens;
}

// RFC 7230 tchar: the bytes allowed unescaped in a header name.
const TCHAR = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

/** client-go's headerKeyEscape: percent-encodes every byte that is not a token character, and '%'. */
export function headerKeyEscape(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && TCHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The client's IP address as Go reports it (IPv4-mapped IPv6 addresses as plain IPv4). */
export function clientAddress(req: IncomingMessage): string {
  const a = req.socket?.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** X-Remote-* headers naming `user` (the headers kube-aggregator's SetAuthProxyHeaders writes). */
export function identityHeaders(user: UserInfo): Array<[string, string]> {
  const out: Array<[string, string]> = [['X-Remote-User', user.name]];
  for (const g of user.groups) out.push(['X-Remote-Group', g]);
  for (const [key, values] of Object.entries(user.extra ?? {})) {
    for (const v of values) out.push([`X-Remote-Extra-${headerKeyEscape(key)}`, v]);
  }
  return out;
}

export interface BackendRequestHeaderOptions {
  user: UserInfo;
  /** "host:port" of the backend: the Host header. */
  backendHost: string;
  /** The request path (without query), for X-Forwarded-Uri. */
  path: string;
  /** Upgrade requests keep Connection/Upgrade and get no X-Forwarded-Uri/-Host/-Proto. */
  upgrade: boolean;
}

/** Go's path.Join("", p) with the trailing slash kept, as the proxy transport computes X-Forwarded-Uri. */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const joined = `/${parts.join('/')}`;
  return p.endsWith('/') && joined !== '/' ? `${joined}/` : joined;
}

/** The headers to send to the backend for an inbound request, as (name, value) pairs in order. */
export function backendRequestHeaders(req: IncomingMessage, opts: BackendRequestHeaderOptions): Array<[string, string]> {
  const inbound = headerPairs(req.rawHeaders);
  const named = opts.upgrade ? new Set<string>() : connectionTokens(inbound);
  const out: Array<[string, string]> = [];
  const forwardedFor: string[] = [];
  let teTrailers = false;
  for (const [name, value] of inbound) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'host' || lower === 'expect' || lower.startsWith('impersonate-')) continue;
    if (IDENTITY_HEADERS.has(lower) || lower.startsWith('x-remote-extra-')) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor.push(value);
      continue;
    }
    if (!opts.upgrade) {
      if (lower === 'te' && value.split(',').some((t) => t.trim().toLowerCase() === 'trailers')) teTrailers = true;
      if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
      if (lower === 'x-forwarded-uri' || lower === 'x-forwarded-host' || lower === 'x-forwarded-proto') continue;
    } else if (lower === 'proxy-authorization') {
      continue;
    }
    out.push([name, value]);
  }
  out.unshift(['Host', opts.backendHost]);
  if (teTrailers) out.push(['Te', 'trailers']);
  const client = clientAddress(req);
  if (client) out.push(['X-Forwarded-For', [...forwardedFor, client].join(', ')]);
  else if (forwardedFor.length) out.push(['X-Forwarded-For', forwardedFor.join(', ')]);
  if (!opts.upgrade) {
    out.push(['X-Forwarded-Uri', cleanPath(opts.path)]);
    out.push(['X-Forwarded-Host', opts.backendHost]);
    out.push(['X-Forwarded-Proto', 'https']);
  }
  out.push(...identityHeaders(opts.user));
  return out;
}

/** Pairs → an object Node's http.request accepts (repeated names become arrays, first spelling kept). */
export function toHeaderObject(pairs: ReadonlyArray<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const spelling = new Map<string, string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    const key = spelling.get(lower) ?? name;
    spelling.set(lower, key);
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** The backend's response headers to pass on: hop-by-hop and CORS headers removed. Flat [name, value, ...]. */
export function clientResponseHeaders(raw: readonly string[]): string[] {
  const pairs = headerPairs(raw);
  const named = connectionTokens(pairs);
  const out: string[] = [];
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || CORS_RESPONSE_HEADERS.has(lower)) continue;
    out.push(name, value);
  }
  return out;
}
