// Certificates: small ECDSA P-256 helpers (a CA, and leaf certificates it signs) and the serving certificate in
// --cert-dir, created when absent:
//   <cert-dir>/ca.crt    the self-signed CA that signed the serving certificate (put this in an APIService caBundle)
//   <cert-dir>/tls.crt   the serving certificate followed by ca.crt (so tls.crt also works as a caBundle)
//   <cert-dir>/tls.key   its private key (PKCS#8, mode 0600)
// Existing files are reused when the key matches, the certificate is current and covers every requested name.
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { x509 } from '../../server/pki/x509.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface LeafSpec {
  commonName: string;
  usage: 'server' | 'client';
  /** DNS names and IP addresses (server certificates). */
  sans?: string[];
  organizations?: string[];
  validityDays?: number;
}

export const DEFAULT_SERVING_SANS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function subject(commonName: string, organizations: string[] = []): string {
  const esc = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [...organizations.map((o) => `O=${esc(o)}`), `CN=${esc(commonName)}`].join(', ');
}

/** A self-signed CA (10 years unless told otherwise). */
export async function createCa(commonName: string, validityDays = 3650): Promise<CertAndKey> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject(commonName),
    notBefore,
    notAfter: new Date(notBefore.getTime() + validityDays * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ski,
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

/** A leaf certificate signed by `ca` (1 year unless told otherwise). */
export async function createLeaf(ca: CertAndKey, spec: LeafSpec): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caDer = createPrivateKey(ca.keyPem).export({ format: 'der', type: 'pkcs8' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', caDer, EC, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  let notAfter = new Date(notBefore.getTime() + (spec.validityDays ?? 365) * DAY_MS);
  if (notAfter > caCert.notAfter) notAfter = caCert.notAfter;
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (caSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki.keyId));
  if (spec.sans && spec.sans.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        spec.sans.map((v) => (isIP(v) ? { type: 'ip' as const, value: v } : { type: 'dns' as const, value: v })),
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: subject(spec.commonName, spec.organizations),
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

export interface ServingCert {
  /** The serving certificate chain (leaf, then CA). */
  certPem: string;
  keyPem: string;
  /** The CA to trust for it. */
  caPem: string;
  certFile: string;
  caFile: string;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function usable(certPem: string, keyPem: string, sans: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return false;
    const now = Date.now();
    if (Date.parse(cert.validFrom) > now + BACKDATE_MS || Date.parse(cert.validTo) < now + DAY_MS) return false;
    return sans.every((s) => (isIP(s) ? cert.checkIP(s) !== undefined : cert.checkHost(s) !== undefined));
  } catch {
    return false;
  }
}

/**
 * The serving certificate: `tlsCertFile`/`tlsKeyFile` when both are given, else the pair in `certDir` (created, or
 * re-created when unusable, covering `sans` plus localhost, 127.0.0.1 and ::1).
 */
export async function ensureServingCert(opts: { certDir: string; sans?: string[]; tlsCertFile?: string; tlsKeyFile?: string }): Promise<ServingCert> {
  if (opts.tlsCertFile && opts.tlsKeyFile) {
    const [certPem, keyPem] = await Promise.all([readFile(opts.tlsCertFile, 'utf8'), readFile(opts.tlsKeyFile, 'utf8')]);
    return { certPem, keyPem, caPem: certPem, certFile: opts.tlsCertFile, caFile: opts.tlsCertFile };
  }
  const sans = [...new Set([...DEFAULT_SERVING_SANS, ...(opts.sans ?? [])])];
  const certFile = join(opts.certDir, 'tls.crt');
  const keyFile = join(opts.certDir, 'tls.key');
  const caFile = join(opts.certDir, 'ca.crt');
  const [certPem, keyPem, caPem] = await Promise.all([readOrUndefined(certFile), readOrUndefined(keyFile), readOrUndefined(caFile)]);
  if (certPem !== undefined && keyPem !== undefined && usable(certPem, keyPem, sans)) {
    return { certPem, keyPem, caPem: caPem ?? certPem, certFile, caFile: caPem !== undefined ? caFile : certFile };
  }
  const ca = await createCa(`sample-apiserver-ca@${Math.floor(Date.now() / 1000)}`);
  const leaf = await createLeaf(ca, { commonName: 'localhost', usage: 'server', sans });
  const chain = leaf.certPem + ca.certPem;
  await mkdir(opts.certDir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, leaf.keyPem, { mode: 0o600 });
  await writeFile(caFile, ca.certPem, { mode: 0o644 });
  await writeFile(certFile, chain, { mode: 0o644 });
  return { certPem: chain, keyPem: leaf.keyPem, caPem: ca.certPem, certFile, caFile };
}
