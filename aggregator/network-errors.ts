// Network and TLS failures worded as Go's net/http and crypto/tls word them, because that is what kube-aggregator
// puts in its 503 bodies ("error trying to reach service: dial tcp 127.0.0.1:8443: connect: connection refused")
// and in APIService conditions. Node's error codes are mapped onto Go's messages; anything unknown keeps Node's.

/** `host:port`, with brackets around IPv6 addresses (net.JoinHostPort). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

interface NodeNetError extends Error {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  reason?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string | string[] } };
}

// TLS alerts sent by the peer (Node: ERR_SSL_TLSV1_ALERT_<NAME> / ERR_SSL_SSLV3_ALERT_<NAME>), in Go's words.
const ALERTS: Record<string, string> = {
  UNKNOWN_CA: 'unknown certificate authority',
  BAD_CERTIFICATE: 'bad certificate',
  CERTIFICATE_REQUIRED: 'certificate required',
  HANDSHAKE_FAILURE: 'handshake failure',
  CERTIFICATE_EXPIRED: 'expired certificate',
  CERTIFICATE_REVOKED: 'revoked certificate',
  UNSUPPORTED_CERTIFICATE: 'unsupported certificate',
  CERTIFICATE_UNKNOWN: 'unknown certificate',
  ACCESS_DENIED: 'access denied',
  DECRYPT_ERROR: 'error decrypting message',
  PROTOCOL_VERSION: 'protocol version not supported',
  INTERNAL_ERROR: 'internal error',
  UNRECOGNIZED_NAME: 'unrecognized name',
};

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function certNames(err: NodeNetError): string[] {
  const san = err.cert?.subjectaltname ?? '';
  const names: string[] = [];
  for (const part of san.split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part.trim());
    if (m) names.push(m[2]!);
  }
  return names;
}

/** Go's wording of a failure to connect to, or talk TLS with, `host:port` (the dialled address). */
export function describeNetworkError(err: unknown, host: string, port: number, servername?: string): string {
  const e = (err ?? {}) as NodeNetError;
  const code = e.code ?? '';
  const addr = e.address ? joinHostPort(e.address, e.port ?? port) : joinHostPort(host, port);
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
    case 'KAGE_DIAL_TIMEOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `dial tcp: lookup ${e.hostname ?? host}: no such host`;
    case 'ECONNRESET':
      return e.message === 'socket hang up' ? 'EOF' : `read tcp ${addr}: read: connection reset by peer`;
    case 'EPIPE':
      return `write tcp ${addr}: write: broken pipe`;
    case 'UND_ERR_SOCKET':
      // undici: the backend closed the connection before its answer was complete.
      return 'EOF';
    case 'UND_ERR_HEADERS_OVERFLOW':
      return 'net/http: server response headers exceeded 10485760 bytes; aborted';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = certNames(e);
      const wanted = servername ?? host;
      if (names.length === 0) return 'tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead';
      return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(', ')}, not ${wanted}`;
    }
  }
  if (UNKNOWN_AUTHORITY.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  const alert = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(code);
  if (alert) return `remote error: tls: ${ALERTS[alert[1]!] ?? alert[1]!.toLowerCase().replace(/_/g, ' ')}`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'tls: first record does not look like a TLS handshake';
  // llhttp's parse errors (undici): the backend's bytes are not an HTTP/1.1 response. undici looks the code up
  // by number in a name-to-number table, so most of its HTTPParserErrors carry no code at all: go by the name too.
  if (code.startsWith('HPE_') || e.name === 'HTTPParserError') return 'net/http: HTTP/1.x transport connection broken: malformed HTTP response';
  return e.message || String(err);
}

/** An error carrying a Node-style code, for failures kage detects itself (timeouts). */
export function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
