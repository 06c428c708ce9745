// Creates (or reuses) kage's certificates and admin token under <dataDir>/pki/.
//
//   ca.crt / ca.key                                   cluster CA (CN kage-ca, 10 years)
//   apiserver.crt / apiserver.key                     serving certificate signed by the cluster CA
//   front-proxy-ca.crt / front-proxy-ca.key           front-proxy CA (CN kage-front-proxy-ca)
//   front-proxy-client.crt / front-proxy-client.key  client certificate the aggregator presents
//                                                     to extension API servers
//   admin-token                                       bearer token for the admin user
//
// All keys are ECDSA P-256 in PKCS#8 PEM, written with mode 0600. Existing files are reused when
// they parse, belong together (key matches certificate, certificate verifies against its CA), are
// not close to expiry and — for the serving certificate — cover every requested SAN; anything
// else is regenerated (a regenerated CA forces its leaf certificates to be regenerated too).
import { X509Certificate as NodeX509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { isIP, SocketAddress } from 'node:net';
import { join, resolve } from 'node:path';
import { readIfExists, writeFileAtomic } from './files.js';
import { x509 } from './x509.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface PkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  frontProxyCaCert: string;
  frontProxyCaKey: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  adminToken: string;
}

export interface Pki {
  /** PEM of the cluster CA: clients (kubectl) trust this to reach the serving certificate. */
  caCertPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  /** PEM of the front-proxy CA: extension API servers trust this for the aggregator's client cert. */
  frontProxyCaCertPem: string;
  /** Client certificate (CN front-proxy-client, clientAuth) the aggregator presents. */
  frontProxyClientCertPem: string;
  frontProxyClientKeyPem: string;
  /** Bearer token of the admin user. */
  adminToken: string;
  /** Absolute path of the pki directory. */
  dir: string;
  /** Absolute paths of every file (always set by ensurePki). */
  paths?: PkiPaths;
}

export const CA_COMMON_NAME = 'kage-ca';
export const SERVING_COMMON_NAME = 'kage-apiserver';
export const FRONT_PROXY_CA_COMMON_NAME = 'kage-front-proxy-ca';
export const FRONT_PROXY_CLIENT_COMMON_NAME = 'front-proxy-client';

/** DNS names always present in the serving certificate. */
export const DEFAULT_SERVING_DNS_NAMES: readonly string[] = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
];
/** IP addresses always present in the serving certificate. */
export const DEFAULT_SERVING_IPS: readonly string[] = ['127.0.0.1', '::1'];

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_MS = 3650 * DAY_MS;
const LEAF_VALIDITY_MS = 365 * DAY_MS;
/** Certificates with less than this left are regenerated. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/** notBefore is set slightly in the past to tolerate small clock differences. */
const BACKDATE_MS = 5 * 60 * 1000;

const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

export function pkiPaths(dataDir: string): PkiPaths {
  const dir = resolve(dataDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    frontProxyCaCert: join(dir, 'front-proxy-ca.crt'),
    frontProxyCaKey: join(dir, 'front-proxy-ca.key'),
    frontProxyClientCert: join(dir, 'front-proxy-client.crt'),
    frontProxyClientKey: join(dir, 'front-proxy-client.key'),
    adminToken: join(dir, 'admin-token'),
  };
}

/**
 * Makes sure the PKI under `<dataDir>/pki/` exists and is usable, creating or renewing whatever
 * is missing, invalid, expiring, or (serving certificate) missing one of `extraSans`
 * (IP addresses or DNS names), and returns its PEMs and the admin token.
 */
export async function ensurePki(dataDir: string, extraSans: readonly string[] = []): Promise<Pki> {
  const paths = pkiPaths(dataDir);
  const sans = servingSans(extraSans);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });

  const [cluster, frontProxy, adminToken] = await Promise.all([
    (async () => {
      const ca = await ensureCa(paths.caCert, paths.caKey, CA_COMMON_NAME);
      const serving = await ensureLeaf(paths.servingCert, paths.servingKey, ca, {
        commonName: SERVING_COMMON_NAME,
        usage: 'server',
        sans,
      });
      return { ca, serving };
    })(),
    (async () => {
      const ca = await ensureCa(paths.frontProxyCaCert, paths.frontProxyCaKey, FRONT_PROXY_CA_COMMON_NAME);
      const client = await ensureLeaf(paths.frontProxyClientCert, paths.frontProxyClientKey, ca, {
        commonName: FRONT_PROXY_CLIENT_COMMON_NAME,
        usage: 'client',
      });
      return { ca, client };
    })(),
    ensureToken(paths.adminToken),
  ]);

  return {
    caCertPem: cluster.ca.certPem,
    servingCertPem: cluster.serving.certPem,
    servingKeyPem: cluster.serving.keyPem,
    frontProxyCaCertPem: frontProxy.ca.certPem,
    frontProxyClientCertPem: frontProxy.client.certPem,
    frontProxyClientKeyPem: frontProxy.client.keyPem,
    adminToken,
    dir: paths.dir,
    paths,
  };
}

// ---------------------------------------------------------------------------------------------
// Subject alternative names

export interface ServingSans {
  dnsNames: string[];
  ips: string[];
}

const DNS_NAME_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;

/** The default SANs plus `extra` (each an IP address or a DNS name), deduplicated and normalised. */
export function servingSans(extra: readonly string[] = []): ServingSans {
  const dnsNames = new Set<string>(DEFAULT_SERVING_DNS_NAMES);
  const ips = new Set<string>(DEFAULT_SERVING_IPS.map(canonicalIp));
  for (const raw of extra) {
    const value = raw.trim();
    if (value === '') continue;
    const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    if (isIP(unbracketed)) {
      ips.add(canonicalIp(unbracketed));
    } else {
      const name = value.toLowerCase().replace(/\.$/, '');
      if (name.length > 253 || !DNS_NAME_PATTERN.test(name)) {
        throw new Error(`invalid subject alternative name ${JSON.stringify(raw)}: not an IP address or DNS name`);
      }
      dnsNames.add(name);
    }
  }
  return { dnsNames: [...dnsNames], ips: [...ips] };
}

function canonicalIp(ip: string): string {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return new SocketAddress({ address: ip, family }).address;
}

function certificateSans(cert: x509.X509Certificate): ServingSans {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const item of ext?.names.items ?? []) {
    if (item.type === 'dns') dnsNames.push(item.value.toLowerCase());
    else if (item.type === 'ip' && isIP(item.value)) ips.push(canonicalIp(item.value));
  }
  return { dnsNames, ips };
}

// ---------------------------------------------------------------------------------------------
// CAs and leaf certificates

interface Issuer {
  certPem: string;
  cert: x509.X509Certificate;
  nodeCert: NodeX509Certificate;
  signingKey: CryptoKey;
  /** Hex subject key identifier, copied into the leaves' authority key identifier. */
  keyId: string;
}

interface CertAndKey {
  certPem: string;
  keyPem: string;
}

async function ensureCa(certPath: string, keyPath: string, commonName: string): Promise<Issuer> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined) {
    const existing = await loadCa(certPem, keyPem);
    if (existing) {
      await restrictMode(keyPath);
      return existing;
    }
  }
  const created = await createCa(commonName);
  await writePair(certPath, created.certPem, keyPath, created.keyPem);
  return created.issuer;
}

/** Returns the issuer if the stored CA is one we can keep using, otherwise undefined. */
async function loadCa(certPem: string, keyPem: string): Promise<Issuer | undefined> {
  try {
    const nodeCert = new NodeX509Certificate(certPem);
    const privateKey = createPrivateKey(keyPem);
    if (!nodeCert.ca || !nodeCert.checkPrivateKey(privateKey) || !isP256(privateKey)) return undefined;
    const cert = new x509.X509Certificate(certPem);
    if (!isCurrent(cert)) return undefined;
    const signingKey = await webcrypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      EC_KEY_ALGORITHM,
      false,
      ['sign'],
    );
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const keyId = ski?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(cert.publicKey)).keyId;
    return { certPem: normalizePem(certPem), cert, nodeCert, signingKey, keyId };
  } catch {
    return undefined;
  }
}

async function createCa(commonName: string): Promise<{ issuer: Issuer; certPem: string; keyPem: string }> {
  const keys = await generateKeyPair();
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      ski,
      new x509.AuthorityKeyIdentifierExtension(ski.keyId),
    ],
  });
  const certPem = normalizePem(cert.toString('pem'));
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  return {
    issuer: { certPem, cert, nodeCert: new NodeX509Certificate(certPem), signingKey: keys.privateKey, keyId: ski.keyId },
    certPem,
    keyPem,
  };
}

interface LeafSpec {
  commonName: string;
  usage: 'server' | 'client';
  sans?: ServingSans;
}

async function ensureLeaf(certPath: string, keyPath: string, issuer: Issuer, spec: LeafSpec): Promise<CertAndKey> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined && leafIsUsable(certPem, keyPem, issuer, spec)) {
    await restrictMode(keyPath);
    return { certPem: normalizePem(certPem), keyPem: normalizePem(keyPem) };
  }
  const created = await createLeaf(issuer, spec);
  await writePair(certPath, created.certPem, keyPath, created.keyPem);
  return created;
}

function leafIsUsable(certPem: string, keyPem: string, issuer: Issuer, spec: LeafSpec): boolean {
  try {
    const nodeCert = new NodeX509Certificate(certPem);
    const privateKey = createPrivateKey(keyPem);
    if (!nodeCert.checkPrivateKey(privateKey)) return false;
    if (!nodeCert.checkIssued(issuer.nodeCert) || !nodeCert.verify(issuer.nodeCert.publicKey)) return false;
    const cert = new x509.X509Certificate(certPem);
    if (!isCurrent(cert)) return false;
    if (cert.subjectName.getField('CN')[0] !== spec.commonName) return false;
    if (spec.sans) {
      const have = certificateSans(cert);
      if (!spec.sans.dnsNames.every((n) => have.dnsNames.includes(n))) return false;
      if (!spec.sans.ips.every((ip) => have.ips.includes(ip))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function createLeaf(issuer: Issuer, spec: LeafSpec): Promise<CertAndKey> {
  const keys = await generateKeyPair();
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  let notAfter = new Date(notBefore.getTime() + LEAF_VALIDITY_MS);
  if (notAfter > issuer.cert.notAfter) notAfter = issuer.cert.notAfter;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    new x509.AuthorityKeyIdentifierExtension(issuer.keyId),
  ];
  if (spec.sans) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        [
          ...spec.sans.dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...spec.sans.ips.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${spec.commonName}`,
    issuer: issuer.cert.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return { certPem: normalizePem(cert.toString('pem')), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

// ---------------------------------------------------------------------------------------------
// Admin token

async function ensureToken(path: string): Promise<string> {
  const existing = (await readIfExists(path))?.trim();
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) {
    await restrictMode(path);
    return existing;
  }
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** Already valid (allowing for clock skew) and not within the renewal window. */
function isCurrent(cert: x509.X509Certificate, now = Date.now()): boolean {
  return cert.notBefore.getTime() <= now + BACKDATE_MS && cert.notAfter.getTime() - now > RENEW_BEFORE_MS;
}

/**
 * Each file is replaced atomically; if we stop between the two, the next run sees a key that
 * does not match its certificate and regenerates the pair.
 */
async function writePair(certPath: string, certPem: string, keyPath: string, keyPem: string): Promise<void> {
  await Promise.all([writeFileAtomic(keyPath, keyPem, 0o600), writeFileAtomic(certPath, certPem, 0o644)]);
}

function normalizePem(pem: string): string {
  const text = pem.replace(/\r\n/g, '\n').trim();
  return `${text}\n`;
}

async function restrictMode(path: string): Promise<void> {
  await chmod(path, 0o600).catch(() => undefined);
}
