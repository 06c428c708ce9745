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
// not close to expiry and — for the leaves — have the right common name and extended key usage and
// (serving certificate) cover every requested SAN; anything else is regenerated (a regenerated CA
// forces its leaf certificates to be regenerated too).
//
// Only node:crypto is used: reading uses X509Certificate, and new certificates are encoded by the
// small DER writer in der.ts and signed with crypto.sign. (A general X.509 library such as
// @peculiar/x509 costs ~100 ms and ~20 MiB just to load, on every start.)
import { X509Certificate, createHash, createPrivateKey, generateKeyPair, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  bitString,
  boolean,
  children,
  decodeOid,
  explicit,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  readElement,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';
import { readIfExists, syncDir, writeFileAtomic } from './files.js';
import { canonicalIp, parseIp } from './ip.js';

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

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KU_DIGITAL_SIGNATURE = 0;
const KU_KEY_CERT_SIGN = 5;
const KU_CRL_SIGN = 6;

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

  const writes = new Writes();
  const [cluster, frontProxy, adminToken] = await Promise.all([
    ensureChain(
      { certPath: paths.caCert, keyPath: paths.caKey, commonName: CA_COMMON_NAME },
      { certPath: paths.servingCert, keyPath: paths.servingKey, commonName: SERVING_COMMON_NAME, usage: 'server', sans },
      writes,
    ),
    ensureChain(
      { certPath: paths.frontProxyCaCert, keyPath: paths.frontProxyCaKey, commonName: FRONT_PROXY_CA_COMMON_NAME },
      {
        certPath: paths.frontProxyClientCert,
        keyPath: paths.frontProxyClientKey,
        commonName: FRONT_PROXY_CLIENT_COMMON_NAME,
        usage: 'client',
      },
      writes,
    ),
    ensureToken(paths.adminToken, writes),
  ]);
  // The files were replaced atomically (temp file + rename) without an fsync each; one fsync of
  // the directory makes the renames durable. Should a crash still leave a file short, the next
  // start finds it unusable and regenerates it, like any other broken file.
  if (writes.count > 0) await syncDir(paths.dir);

  return {
    caCertPem: cluster.ca.certPem,
    servingCertPem: cluster.leaf.certPem,
    servingKeyPem: cluster.leaf.keyPem,
    frontProxyCaCertPem: frontProxy.ca.certPem,
    frontProxyClientCertPem: frontProxy.leaf.certPem,
    frontProxyClientKeyPem: frontProxy.leaf.keyPem,
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
  const ips = new Set<string>(DEFAULT_SERVING_IPS.map((ip) => canonicalIp(ip)!));
  for (const raw of extra) {
    const value = raw.trim();
    if (value === '') continue;
    const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    const ip = canonicalIp(unbracketed);
    if (ip !== undefined) {
      ips.add(ip);
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

/**
 * The SANs of a certificate, from Node's rendering of the extension: entries separated by ", ",
 * each `TYPE:value`, the value JSON-quoted when it contains special characters.
 */
function certificateSans(cert: X509Certificate): ServingSans {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  const text = cert.subjectAltName ?? '';
  const entry = /([A-Za-z][A-Za-z ]*):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y;
  while (entry.lastIndex < text.length) {
    const m = entry.exec(text);
    if (!m) break;
    let value = m[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    if (m[1] === 'DNS') dnsNames.push(value.toLowerCase());
    else if (m[1] === 'IP Address') {
      const ip = canonicalIp(value);
      if (ip !== undefined) ips.push(ip);
    }
  }
  return { dnsNames, ips };
}

// ---------------------------------------------------------------------------------------------
// CAs and leaf certificates

interface Issuer {
  certPem: string;
  cert: X509Certificate;
  key: KeyObject;
  /** DER of the CA's subject name: the leaves' issuer name. */
  subjectDer: Buffer;
  /** Subject key identifier, copied into the leaves' authority key identifier. */
  keyId: Buffer;
}

interface CertAndKey {
  certPem: string;
  keyPem: string;
}

interface CaSpec {
  certPath: string;
  keyPath: string;
  commonName: string;
}

interface LeafSpec {
  certPath: string;
  keyPath: string;
  commonName: string;
  usage: 'server' | 'client';
  sans?: ServingSans;
}

/** Counts the files written, so ensurePki knows whether the directory needs an fsync. */
class Writes {
  count = 0;
  async write(path: string, data: string, mode: number): Promise<void> {
    this.count++;
    await writeFileAtomic(path, data, mode, { sync: false });
  }
  /**
   * Each file is replaced atomically; if we stop between the two, the next run sees a key that
   * does not match its certificate and regenerates the pair.
   */
  async writePair(spec: { certPath: string; keyPath: string }, pair: CertAndKey): Promise<void> {
    await Promise.all([this.write(spec.keyPath, pair.keyPem, 0o600), this.write(spec.certPath, pair.certPem, 0o644)]);
  }
}

/** A CA and the one leaf it signs: reused when usable, otherwise (re)generated. */
async function ensureChain(
  caSpec: CaSpec,
  leafSpec: LeafSpec,
  writes: Writes,
): Promise<{ ca: { certPem: string }; leaf: CertAndKey }> {
  const [caCertPem, caKeyPem, leafCertPem, leafKeyPem] = await Promise.all([
    readIfExists(caSpec.certPath),
    readIfExists(caSpec.keyPath),
    readIfExists(leafSpec.certPath),
    readIfExists(leafSpec.keyPath),
  ]);

  const existingCa = caCertPem !== undefined && caKeyPem !== undefined ? loadCa(caCertPem, caKeyPem) : undefined;
  if (existingCa) {
    if (leafCertPem !== undefined && leafKeyPem !== undefined && leafIsUsable(leafCertPem, leafKeyPem, existingCa, leafSpec)) {
      await Promise.all([restrictMode(caSpec.keyPath), restrictMode(leafSpec.keyPath)]);
      return { ca: existingCa, leaf: { certPem: normalizePem(leafCertPem), keyPem: normalizePem(leafKeyPem) } };
    }
    const leaf = createLeaf(existingCa, leafSpec, await newKeyPair());
    await Promise.all([restrictMode(caSpec.keyPath), writes.writePair(leafSpec, leaf)]);
    return { ca: existingCa, leaf };
  }

  // A new CA: its old leaf cannot verify against it, so both are generated (keys in parallel).
  const [caKeys, leafKeys] = await Promise.all([newKeyPair(), newKeyPair()]);
  const ca = createCa(caSpec.commonName, caKeys);
  const leaf = createLeaf(ca.issuer, leafSpec, leafKeys);
  await Promise.all([writes.writePair(caSpec, ca), writes.writePair(leafSpec, leaf)]);
  return { ca: ca.issuer, leaf };
}

/** Returns the issuer if the stored CA is one we can keep using, otherwise undefined. */
function loadCa(certPem: string, keyPem: string): Issuer | undefined {
  try {
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!cert.ca || !isP256(key) || !cert.checkPrivateKey(key) || !isCurrent(cert)) return undefined;
    const fields = certificateFields(cert.raw);
    return {
      certPem: normalizePem(certPem),
      cert,
      key,
      subjectDer: fields.subject,
      keyId: fields.subjectKeyId ?? keyIdentifier(fields.spki),
    };
  } catch {
    return undefined;
  }
}

function createCa(commonName: string, keys: KeyPair): { issuer: Issuer; certPem: string; keyPem: string } {
  const spki = keys.publicKey.export({ format: 'der', type: 'spki' });
  const keyId = keyIdentifier(spki);
  const name = distinguishedName(commonName);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const certPem = buildCertificate({
    issuer: name,
    subject: name,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS),
    spki,
    signingKey: keys.privateKey,
    extensions: [
      extension(OID_BASIC_CONSTRAINTS, true, sequence(boolean(true))),
      extension(OID_KEY_USAGE, true, namedBits([KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, KU_CRL_SIGN])),
      extension(OID_SUBJECT_KEY_IDENTIFIER, false, octetString(keyId)),
      extension(OID_AUTHORITY_KEY_IDENTIFIER, false, sequence(implicitPrimitive(0, keyId))),
    ],
  });
  return {
    issuer: { certPem, cert: new X509Certificate(certPem), key: keys.privateKey, subjectDer: name, keyId },
    certPem,
    keyPem: privateKeyPem(keys.privateKey),
  };
}

function leafIsUsable(certPem: string, keyPem: string, issuer: Issuer, spec: LeafSpec): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) return false;
    if (!cert.checkIssued(issuer.cert) || !cert.verify(issuer.cert.publicKey)) return false;
    if (!isCurrent(cert)) return false;
    if (commonNameOf(cert) !== spec.commonName) return false;
    // Node reports the extended key usage OIDs as `keyUsage`.
    if (!cert.keyUsage?.includes(spec.usage === 'server' ? OID_SERVER_AUTH : OID_CLIENT_AUTH)) return false;
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

function createLeaf(issuer: Issuer, spec: LeafSpec, keys: KeyPair): CertAndKey {
  const spki = keys.publicKey.export({ format: 'der', type: 'spki' });
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  let notAfter = new Date(notBefore.getTime() + LEAF_VALIDITY_MS);
  const issuerNotAfter = Date.parse(issuer.cert.validTo);
  if (notAfter.getTime() > issuerNotAfter) notAfter = new Date(issuerNotAfter);
  const extensions = [
    extension(OID_BASIC_CONSTRAINTS, true, sequence()),
    extension(OID_KEY_USAGE, true, namedBits([KU_DIGITAL_SIGNATURE])),
    extension(OID_EXT_KEY_USAGE, false, sequence(oid(spec.usage === 'server' ? OID_SERVER_AUTH : OID_CLIENT_AUTH))),
    extension(OID_SUBJECT_KEY_IDENTIFIER, false, octetString(keyIdentifier(spki))),
    extension(OID_AUTHORITY_KEY_IDENTIFIER, false, sequence(implicitPrimitive(0, issuer.keyId))),
  ];
  if (spec.sans) {
    extensions.push(
      extension(
        OID_SUBJECT_ALT_NAME,
        false,
        sequence(
          ...spec.sans.dnsNames.map((name) => implicitPrimitive(2, Buffer.from(name, 'ascii'))), // dNSName
          ...spec.sans.ips.map((ip) => implicitPrimitive(7, parseIp(ip)!)), // iPAddress
        ),
      ),
    );
  }
  const certPem = buildCertificate({
    issuer: issuer.subjectDer,
    subject: distinguishedName(spec.commonName),
    notBefore,
    notAfter,
    spki,
    signingKey: issuer.key,
    extensions,
  });
  return { certPem, keyPem: privateKeyPem(keys.privateKey) };
}

// ---------------------------------------------------------------------------------------------
// Admin token

async function ensureToken(path: string, writes: Writes): Promise<string> {
  const existing = (await readIfExists(path))?.trim();
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) {
    await restrictMode(path);
    return existing;
  }
  const token = randomBytes(32).toString('base64url');
  await writes.write(path, `${token}\n`, 0o600);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Encoding certificates (RFC 5280)

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A new ECDSA P-256 key pair (generated on libuv's thread pool, so several run in parallel). */
function newKeyPair(): Promise<KeyPair> {
  return new Promise((resolvePair, reject) => {
    generateKeyPair('ec', { namedCurve: 'P-256' }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolvePair({ publicKey, privateKey });
    });
  });
}

function privateKeyPem(key: KeyObject): string {
  return normalizePem(key.export({ format: 'pem', type: 'pkcs8' }) as string);
}

const ECDSA_WITH_SHA256 = sequence(oid(OID_ECDSA_WITH_SHA256));

interface CertificateTemplate {
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo */
  spki: Buffer;
  signingKey: KeyObject;
  extensions: Buffer[];
}

/** Encodes and signs (ECDSA with SHA-256) a v3 certificate; returns its PEM. */
function buildCertificate(t: CertificateTemplate): string {
  // A positive 127-bit serial number (RFC 5280 allows up to 20 octets).
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    t.issuer,
    sequence(time(t.notBefore), time(t.notAfter)),
    t.subject,
    t.spki,
    explicit(3, sequence(...t.extensions)),
  );
  // crypto.sign returns the DER ECDSA-Sig-Value X.509 wants.
  const signature = sign('sha256', tbs, t.signingKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** Name with a single CN attribute. */
function distinguishedName(commonName: string): Buffer {
  return sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(commonName))));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(readElement(spki).content);
  if (!subjectPublicKey || subjectPublicKey.tag !== 0x03) throw new Error('malformed SubjectPublicKeyInfo');
  return createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
}

/** The fields of a certificate's DER that node:crypto does not expose. */
function certificateFields(der: Buffer): { subject: Buffer; spki: Buffer; subjectKeyId?: Buffer } {
  const [tbs] = children(readElement(der).content);
  if (!tbs || tbs.tag !== 0x30) throw new Error('malformed certificate');
  const fields = children(tbs.content);
  // [0] version (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  const spki = fields[first + 5];
  if (!subject || subject.tag !== 0x30 || !spki || spki.tag !== 0x30) throw new Error('malformed certificate');
  let subjectKeyId: Buffer | undefined;
  const extensions = fields.find((f) => f.tag === 0xa3);
  if (extensions) {
    for (const ext of children(readElement(extensions.content).content)) {
      const parts = children(ext.content);
      if (parts[0]?.tag !== 0x06 || decodeOid(parts[0].content) !== OID_SUBJECT_KEY_IDENTIFIER) continue;
      const value = parts[parts.length - 1];
      if (value?.tag === 0x04) {
        const keyId = readElement(value.content);
        if (keyId.tag === 0x04 && keyId.content.length > 0) subjectKeyId = Buffer.from(keyId.content);
      }
    }
  }
  return { subject: Buffer.from(subject.raw), spki: Buffer.from(spki.raw), subjectKeyId };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** Already valid (allowing for clock skew) and not within the renewal window. */
function isCurrent(cert: X509Certificate, now = Date.now()): boolean {
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  return notBefore <= now + BACKDATE_MS && notAfter - now > RENEW_BEFORE_MS;
}

/** The CN of a certificate's subject (Node renders the subject as `KEY=value` lines). */
function commonNameOf(cert: X509Certificate): string | undefined {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice(3);
}

function normalizePem(pem: string): string {
  const text = pem.replace(/\r\n/g, '\n').trim();
  return `${text}\n`;
}

async function restrictMode(path: string): Promise<void> {
  await chmod(path, 0o600).catch(() => undefined);
}
