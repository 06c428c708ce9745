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

// Users are shared objects (one per token or client connection), so their headers are built once.
const identityCache = new WeakMap<UserInfo, readonly string[]>();

function flatIdentityHeaders(user: UserInfo): readonly string[] {
  let flat = identityCache.get(user);
  if (!flat) {
    flat = identityHeaders(user).flat();
    identityCache.set(user, flat);
  }
  return flat;
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
  // Already clean (the usual case): nothing to join.
  if (p.startsWith('/') && !p.includes('//') && !p.includes('/.')) return p;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const joined = `/${parts.join('/')}`;
  return p.endsWith('/') && joined !== '/' ? `${joined}/` : joined;
}

/** Lower-cased tokens of a Connection header value (Node joins repeated ones with ", "). */
function tokensOf(value: string | undefined): Set<string> | undefined {
  // The usual values name nothing beyond the standard hop-by-hop headers.
  if (!value || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Upgrade') return undefined;
  const tokens = new Set<string>();
  for (const t of value.split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  return tokens;
}

/** The headers to send to the backend for an inbound request, flat: [name, value, name, value, …] in order. */
export function backendRequestHeaders(req: IncomingMessage, opts: BackendRequestHeaderOptions): string[] {
  const raw = req.rawHeaders;
  const named = opts.upgrade ? undefined : tokensOf(req.headers.connection);
  const out: string[] = ['Host', opts.backendHost];
  let forwardedFor: string | undefined;
  let teTrailers = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'host' || lower === 'expect' || lower.startsWith('impersonate-')) continue;
    if (lower.startsWith('x-')) {
      if (IDENTITY_HEADERS.has(lower) || lower.startsWith('x-remote-extra-')) continue;
      if (lower === 'x-forwarded-for') {
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      }
      if (!opts.upgrade && (lower === 'x-forwarded-uri' || lower === 'x-forwarded-host' || lower === 'x-forwarded-proto')) continue;
    }
    if (!opts.upgrade) {
      if (lower === 'te' && value.split(',').some((t) => t.trim().toLowerCase() === 'trailers')) teTrailers = true;
      if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    } else if (lower === 'proxy-authorization') {
      continue;
    }
    out.push(name, value);
  }
  if (teTrailers) out.push('Te', 'trailers');
  const client = clientAddress(req);
  if (client) out.push('X-Forwarded-For', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`);
  else if (forwardedFor !== undefined) out.push('X-Forwarded-For', forwardedFor);
  if (!opts.upgrade) {
    out.push('X-Forwarded-Uri', cleanPath(opts.path), 'X-Forwarded-Host', opts.backendHost, 'X-Forwarded-Proto', 'https');
  }
  for (const h of flatIdentityHeaders(opts.user)) out.push(h);
  return out;
}

/** Header names as strings (undici gives them as latin1 buffers). */
function text(h: Buffer | string): string {
  return typeof h === 'string' ? h : h.toString('latin1');
}

/**
 * The backend's response headers to pass on, flat [name, value, …]: hop-by-hop headers (and those its Connection
 * header names) and CORS headers removed. `raw` is flat as Node's rawHeaders or undici's raw buffers.
 */
export function clientResponseHeaders(raw: ReadonlyArray<Buffer | string>): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = text(raw[i]!);
    const value = text(raw[i + 1]!);
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      for (const t of value.split(',')) {
        const token = t.trim().toLowerCase();
        if (token && !HOP_BY_HOP.has(token)) (named ??= new Set()).add(token);
      }
    }
    if (HOP_BY_HOP.has(lower) || CORS_RESPONSE_HEADERS.has(lower)) continue;
    out.push(name, value);
  }
  if (!named) return out;
  // Rare: the Connection header named end-to-end-looking headers as hop-by-hop ones.
  const kept: string[] = [];
  for (let i = 0; i + 1 < out.length; i += 2) if (!named.has(out[i]!.toLowerCase())) kept.push(out[i]!, out[i + 1]!);
  return kept;
}

/** A parsed header object as flat [name, value, …] (for when no raw headers are at hand). */
export function flattenHeaderObject(parsed: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(name, v);
  }
  return out;
}
