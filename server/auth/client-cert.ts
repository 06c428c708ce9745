// Client certificate authentication, as kube-apiserver's x509 authenticator with --client-ca-file: a TLS
// peer certificate that verifies against kage's cluster CA and may be used for client authentication is the
// user named by its subject's CN, in the groups named by its O values.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { UserInfo } from './authenticate.js';

/** user.CredentialIDKey: the extra key the x509 authenticator records the certificate's fingerprint under. */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The user a request's client certificate names, or undefined when the request has none, or one that did not
 * verify against the CA the server was given (`ca` with `requestCert`), is not for client authentication
 * (x509.ExtKeyUsageClientAuth, when the certificate restricts its usages), or has no common name.
 */
export function clientCertificateUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket> | undefined;
  if (!socket || typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined;
  // A connection's peer certificate never changes (kage does not renegotiate): decide once per connection.
  const known = perConnection.get(socket);
  if (known !== undefined) return known ?? undefined;
  const user = certificateUser(socket);
  perConnection.set(socket, user ?? null);
  return user;
}

const perConnection = new WeakMap<object, UserInfo | null>();

function certificateUser(socket: Partial<TLSSocket>): UserInfo | undefined {
  const cert = socket.getPeerCertificate!(false) as Partial<DetailedPeerCertificate> | null;
  if (!cert || !cert.raw || cert.raw.length === 0) return undefined;
  const eku = cert.ext_key_usage;
  if (eku && eku.length > 0 && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) return undefined;
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  // Go takes the subject's (last) common name; a certificate has one in practice.
  const cn = values(subject?.['CN']).at(-1) ?? '';
  if (cn === '') return undefined;
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  return {
    name: cn,
    groups: values(subject?.['O']),
    extra: { [CREDENTIAL_ID_KEY]: [`X509SHA256=${fingerprint}`] },
  };
}
