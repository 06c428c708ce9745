// Front-proxy ("request header") authentication, as k8s.io/apiserver does it for aggregated API servers:
// a request is authenticated only when its TLS client certificate verifies against the requestheader client CA
// (the TLS server is configured with that CA, so Node reports it as `authorized`) and its CN is one of the allowed
// names (an empty list allows any). The user is then read from the identity headers:
//   name:   the first non-empty value among the username headers (X-Remote-User)
//   uid:    the first non-empty value among the uid headers (X-Remote-Uid), when configured
//   groups: every non-empty value of every group header (X-Remote-Group)
//   extra:  X-Remote-Extra-<key> headers; the key is lowercased, then percent-decoded (kept raw when malformed).
// Authorization: every authenticated user may do everything.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from './types.js';

export interface RequestHeaderConfig {
  /** PEM bundle of the CA(s) that sign the front proxy's client certificate. */
  clientCaPem: string;
  /** Allowed client certificate CNs; empty: any certificate signed by the CA. */
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export const DEFAULT_ALLOWED_NAMES: readonly string[] = ['front-proxy-client'];
export const DEFAULT_USERNAME_HEADERS: readonly string[] = ['X-Remote-User'];
export const DEFAULT_UID_HEADERS: readonly string[] = ['X-Remote-Uid'];
export const DEFAULT_GROUP_HEADERS: readonly string[] = ['X-Remote-Group'];
export const DEFAULT_EXTRA_HEADER_PREFIXES: readonly string[] = ['X-Remote-Extra-'];

export type AuthResult = { ok: true; user: UserInfo; clientCertCN: string } | { ok: false; reason: string };

function commonName(socket: TLSSocket): string | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return undefined;
  const cn: unknown = peer.subject?.CN;
  if (Array.isArray(cn)) return typeof cn[0] === 'string' ? cn[0] : undefined;
  return typeof cn === 'string' ? cn : '';
}

/** Verifies the client certificate of a request's connection: the proxy's CN, or why it is not trusted. */
export function verifyProxyCertificate(req: IncomingMessage, cfg: RequestHeaderConfig): { ok: true; cn: string } | { ok: false; reason: string } {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return { ok: false, reason: 'not a TLS connection' };
  const cn = commonName(socket);
  if (cn === undefined) return { ok: false, reason: 'no client certificate' };
  if (!socket.authorized) return { ok: false, reason: `client certificate not trusted: ${String(socket.authorizationError ?? 'unknown error')}` };
  if (cfg.allowedNames.length > 0 && !cfg.allowedNames.includes(cn)) {
    return { ok: false, reason: `client certificate CN ${JSON.stringify(cn)} is not one of the allowed names ${JSON.stringify(cfg.allowedNames)}` };
  }
  return { ok: true, cn };
}

function values(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name.toLowerCase()] ?? [];
}

function firstValue(req: IncomingMessage, names: string[]): string {
  for (const n of names) {
    const v = values(req, n)[0];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

/** Percent-decodes like Go's url.PathUnescape (bytes, then UTF-8); undefined when an escape is malformed. */
export function pathUnescape(s: string): string | undefined {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function extra(req: IncomingMessage, prefixes: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const prefix of prefixes) {
    const p = prefix.toLowerCase();
    for (const [header, vals] of Object.entries(req.headersDistinct)) {
      if (!header.startsWith(p) || vals === undefined) continue;
      const raw = header.slice(p.length).toLowerCase();
      const k = pathUnescape(raw) ?? raw;
      (out[k] ??= []).push(...vals);
    }
  }
  return out;
}

/** Authenticates a request (or an upgrade request) per the front-proxy rules above. */
export function authenticate(req: IncomingMessage, cfg: RequestHeaderConfig): AuthResult {
  const cert = verifyProxyCertificate(req, cfg);
  if (!cert.ok) return cert;
  const name = firstValue(req, cfg.usernameHeaders);
  if (name === '') return { ok: false, reason: `no user name in ${cfg.usernameHeaders.join(', ')}` };
  const user: UserInfo = { name, groups: [], extra: {} };
  const uid = firstValue(req, cfg.uidHeaders);
  if (uid !== '') user.uid = uid;
  for (const h of cfg.groupHeaders) for (const v of values(req, h)) if (v !== '') user.groups.push(v);
  user.extra = extra(req, cfg.extraHeaderPrefixes);
  return { ok: true, user, clientCertCN: cert.cn };
}

/** What /whoami reports about the credentials that reached this backend. */
export function credentialHeaders(req: IncomingMessage): { authorizationHeader: boolean; impersonateHeaders: string[] } {
  const impersonate: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.toLowerCase().startsWith('impersonate-') && !impersonate.includes(name)) impersonate.push(name);
  }
  return { authorizationHeader: req.headers.authorization !== undefined, impersonateHeaders: impersonate };
}
