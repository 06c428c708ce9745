import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ensurePki, pkiPaths, servingSans } from './certificates.js';
import type { Pki } from './certificates.js';
import { x509 } from './x509.js';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kage-pki-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

function sanList(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '').split(', ');
}

interface Served {
  port: number;
  close(): Promise<void>;
}

async function serve(options: https.ServerOptions, handler?: (req: import('node:http').IncomingMessage) => string, host = '127.0.0.1'): Promise<Served> {
  const server = https.createServer(options, (req, res) => {
    res.end(handler ? handler(req) : 'ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function get(options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ method: 'GET', path: '/', agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('creates the CAs, leaf certificates, keys and admin token', async (t) => {
  await withTempDir(async (dataDir) => {
    const started = performance.now();
    const pki = await ensurePki(dataDir);
    const elapsed = performance.now() - started;
    t.diagnostic(`fresh PKI creation took ${elapsed.toFixed(1)} ms`);
    assert.ok(elapsed < 2000, `PKI creation took ${elapsed} ms`);

    const paths = pkiPaths(dataDir);
    assert.deepEqual(pki.paths, paths);
    assert.equal(pki.dir, paths.dir);

    const ca = new X509Certificate(pki.caCertPem);
    assert.equal(ca.subject, 'CN=kage-ca');
    assert.equal(ca.issuer, 'CN=kage-ca');
    assert.equal(ca.ca, true);
    const caYears = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * 24 * 3600 * 1000);
    assert.ok(caYears >= 9.9, `CA valid for ${caYears} years`);
    assert.equal(ca.publicKey.asymmetricKeyType, 'ec');
    assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');

    const serving = new X509Certificate(pki.servingCertPem);
    assert.equal(serving.ca, false);
    assert.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey));
    assert.ok(serving.checkPrivateKey(createPrivateKey(pki.servingKeyPem)));
    assert.deepEqual(sanList(pki.servingCertPem).sort(), [
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:localhost',
      'IP Address:0:0:0:0:0:0:0:1',
      'IP Address:127.0.0.1',
    ]);
    assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1']); // Node reports the EKU here: serverAuth
    const servingDays = (Date.parse(serving.validTo) - Date.now()) / (24 * 3600 * 1000);
    assert.ok(servingDays >= 364, `serving certificate valid for ${servingDays} days`);

    const fpCa = new X509Certificate(pki.frontProxyCaCertPem);
    assert.equal(fpCa.subject, 'CN=kage-front-proxy-ca');
    assert.equal(fpCa.ca, true);
    const fpClient = new X509Certificate(pki.frontProxyClientCertPem);
    assert.equal(fpClient.subject, 'CN=front-proxy-client');
    assert.ok(fpClient.checkIssued(fpCa) && fpClient.verify(fpCa.publicKey));
    assert.ok(!fpClient.verify(ca.publicKey));
    assert.ok(fpClient.checkPrivateKey(createPrivateKey(pki.frontProxyClientKeyPem)));
    assert.deepEqual(fpClient.keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth

    // Extensions, as parsed by @peculiar/x509.
    const caX = new x509.X509Certificate(pki.caCertPem);
    const bc = caX.getExtension(x509.BasicConstraintsExtension);
    assert.ok(bc?.ca && bc.critical);
    const ku = caX.getExtension(x509.KeyUsagesExtension);
    assert.ok(ku && ku.usages & x509.KeyUsageFlags.keyCertSign);
    const caSki = caX.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    assert.ok(caSki);
    const servingX = new x509.X509Certificate(pki.servingCertPem);
    assert.equal(servingX.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, caSki);
    assert.ok(servingX.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);

    assert.match(pki.adminToken, /^[A-Za-z0-9_-]{43,}$/);
    assert.ok(Buffer.from(pki.adminToken, 'base64url').length >= 32);

    // Files and their modes.
    assert.equal(await readFile(paths.caCert, 'utf8'), pki.caCertPem);
    assert.equal(await readFile(paths.servingKey, 'utf8'), pki.servingKeyPem);
    assert.equal((await readFile(paths.adminToken, 'utf8')).trim(), pki.adminToken);
    for (const key of [paths.caKey, paths.servingKey, paths.frontProxyCaKey, paths.frontProxyClientKey, paths.adminToken]) {
      assert.equal(await mode(key), 0o600, `${key} mode`);
    }
    assert.match(pki.servingKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });
});

test('reuses existing files on a second call', async () => {
  await withTempDir(async (dataDir) => {
    const first = await ensurePki(dataDir);
    const second = await ensurePki(dataDir);
    assert.deepEqual(second, first);
  });
});

test('an extra SAN regenerates only the serving certificate, with the same CA', async () => {
  await withTempDir(async (dataDir) => {
    const first = await ensurePki(dataDir);
    const second = await ensurePki(dataDir, ['10.1.2.3', 'Kage.Example.test', '[fd00::1]', 'localhost']);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.frontProxyCaCertPem, first.frontProxyCaCertPem);
    assert.equal(second.frontProxyClientCertPem, first.frontProxyClientCertPem);
    assert.equal(second.adminToken, first.adminToken);
    assert.notEqual(second.servingCertPem, first.servingCertPem);
    assert.notEqual(second.servingKeyPem, first.servingKeyPem);
    const sans = sanList(second.servingCertPem);
    for (const want of ['IP Address:10.1.2.3', 'DNS:kage.example.test', 'IP Address:FD00:0:0:0:0:0:0:1', 'DNS:localhost']) {
      assert.ok(sans.some((s) => s.toLowerCase() === want.toLowerCase()), `${want} in ${sans.join(', ')}`);
    }
    const serving = new X509Certificate(second.servingCertPem);
    assert.ok(serving.verify(new X509Certificate(first.caCertPem).publicKey));

    // Same SANs again (in another spelling): reused.
    const third = await ensurePki(dataDir, ['fd00:0::1', 'kage.example.test', '10.1.2.3']);
    assert.deepEqual(third, second);
    // A subset of the SANs is covered too.
    const fourth = await ensurePki(dataDir, ['10.1.2.3']);
    assert.equal(fourth.servingCertPem, second.servingCertPem);
  });
});

test('rejects an extra SAN that is neither an IP address nor a DNS name', async () => {
  await withTempDir(async (dataDir) => {
    await assert.rejects(ensurePki(dataDir, ['not a host']), /invalid subject alternative name "not a host"/);
    assert.throws(() => servingSans(['https://x']), /invalid subject alternative name/);
  });
});

test('regenerates a corrupt, mismatched or expiring serving certificate with the existing CA', async () => {
  await withTempDir(async (dataDir) => {
    const paths = pkiPaths(dataDir);
    const first = await ensurePki(dataDir);
    const caKey = createPrivateKey(await readFile(paths.caKey, 'utf8'));

    // Corrupt certificate.
    await writeFile(paths.servingCert, 'garbage');
    const afterCorrupt = await ensurePki(dataDir);
    assert.equal(afterCorrupt.caCertPem, first.caCertPem);
    assert.notEqual(afterCorrupt.servingCertPem, first.servingCertPem);
    assert.ok(new X509Certificate(afterCorrupt.servingCertPem).verify(new X509Certificate(first.caCertPem).publicKey));

    // Key that does not belong to the certificate.
    await writeFile(paths.servingKey, first.frontProxyClientKeyPem);
    const afterMismatch = await ensurePki(dataDir);
    assert.notEqual(afterMismatch.servingKeyPem, first.frontProxyClientKeyPem);
    assert.ok(new X509Certificate(afterMismatch.servingCertPem).checkPrivateKey(createPrivateKey(afterMismatch.servingKeyPem)));
    assert.equal(afterMismatch.caCertPem, first.caCertPem);

    // A serving certificate, properly signed by the CA, that expires in 10 days.
    const { webcrypto } = await import('node:crypto');
    const signingKey = await webcrypto.subtle.importKey(
      'pkcs8',
      caKey.export({ format: 'der', type: 'pkcs8' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const caX = new x509.X509Certificate(first.caCertPem);
    const expiring = await x509.X509CertificateGenerator.create({
      subject: 'CN=kage-apiserver',
      issuer: caX.subjectName,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 10 * 24 * 3600_000),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'dns', value: 'kubernetes' },
          { type: 'dns', value: 'kubernetes.default' },
          { type: 'dns', value: 'kubernetes.default.svc' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
      ],
    });
    const expiringPem = expiring.toString('pem');
    const keyDer = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const keyPem = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
    await writeFile(paths.servingCert, expiringPem);
    await writeFile(paths.servingKey, keyPem);
    // Sanity check: the planted certificate itself is valid for the CA.
    assert.ok(new X509Certificate(expiringPem).verify(new X509Certificate(first.caCertPem).publicKey));
    const afterExpiring = await ensurePki(dataDir);
    assert.notEqual(afterExpiring.servingCertPem.trim(), expiringPem.trim());
    assert.equal(afterExpiring.caCertPem, first.caCertPem);
    assert.ok(Date.parse(new X509Certificate(afterExpiring.servingCertPem).validTo) > Date.now() + 300 * 24 * 3600_000);
  });
});

test('a new CA forces new leaf certificates; a broken token is replaced', async () => {
  await withTempDir(async (dataDir) => {
    const paths = pkiPaths(dataDir);
    const first = await ensurePki(dataDir);
    await rm(paths.caKey);
    await writeFile(paths.adminToken, 'short\n');
    const second = await ensurePki(dataDir);
    assert.notEqual(second.caCertPem, first.caCertPem);
    assert.notEqual(second.servingCertPem, first.servingCertPem);
    assert.ok(new X509Certificate(second.servingCertPem).verify(new X509Certificate(second.caCertPem).publicKey));
    // The front-proxy chain was untouched.
    assert.equal(second.frontProxyCaCertPem, first.frontProxyCaCertPem);
    assert.equal(second.frontProxyClientCertPem, first.frontProxyClientCertPem);
    assert.notEqual(second.adminToken, 'short');
    assert.notEqual(second.adminToken, first.adminToken);
    assert.match(second.adminToken, /^[A-Za-z0-9_-]{43,}$/);
    assert.equal(await mode(paths.caKey), 0o600);
  });
});

test('Node TLS accepts the serving certificate via localhost and 127.0.0.1 (and ::1)', async (t) => {
  await withTempDir(async (dataDir) => {
    const pki: Pki = await ensurePki(dataDir);
    const server = await serve({ cert: pki.servingCertPem, key: pki.servingKeyPem });
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        const res = await get({ host, port: server.port, ca: pki.caCertPem });
        assert.equal(res.body, 'ok', host);
      }
      // Without trusting our CA the handshake must fail.
      await assert.rejects(get({ host: '127.0.0.1', port: server.port }), /self.signed|unable to (get|verify)/i);
      // The front-proxy CA does not vouch for the serving certificate.
      await assert.rejects(get({ host: '127.0.0.1', port: server.port, ca: pki.frontProxyCaCertPem }));
      // A name that is not in the certificate is refused.
      await assert.rejects(
        get({ host: '127.0.0.1', port: server.port, ca: pki.caCertPem, servername: 'example.com' }),
        /example\.com/,
      );
    } finally {
      await server.close();
    }

    let v6: Served | undefined;
    try {
      v6 = await serve({ cert: pki.servingCertPem, key: pki.servingKeyPem }, undefined, '::1');
    } catch {
      t.diagnostic('IPv6 loopback unavailable; skipped the ::1 handshake');
    }
    if (v6) {
      try {
        const res = await get({ host: '::1', port: v6.port, ca: pki.caCertPem });
        assert.equal(res.body, 'ok');
      } finally {
        await v6.close();
      }
    }
  });
});

test('a server requiring client certificates from the front-proxy CA accepts the front-proxy client', async () => {
  await withTempDir(async (dataDir) => {
    const pki = await ensurePki(dataDir);
    const strict = await serve(
      { cert: pki.servingCertPem, key: pki.servingKeyPem, requestCert: true, rejectUnauthorized: true, ca: pki.frontProxyCaCertPem },
      (req) => {
        const socket = req.socket as TLSSocket;
        return `${socket.authorized} ${socket.getPeerCertificate().subject.CN}`;
      },
    );
    try {
      const res = await get({
        host: 'localhost',
        port: strict.port,
        ca: pki.caCertPem,
        cert: pki.frontProxyClientCertPem,
        key: pki.frontProxyClientKeyPem,
      });
      assert.equal(res.body, 'true front-proxy-client');
      // Without a client certificate the server refuses the connection.
      await assert.rejects(get({ host: 'localhost', port: strict.port, ca: pki.caCertPem }));
    } finally {
      await strict.close();
    }

    // A server that trusts only the cluster CA for clients does not authorize the front-proxy client.
    const lenient = await serve(
      { cert: pki.servingCertPem, key: pki.servingKeyPem, requestCert: true, rejectUnauthorized: false, ca: pki.caCertPem },
      (req) => String((req.socket as TLSSocket).authorized),
    );
    try {
      const res = await get({
        host: '127.0.0.1',
        port: lenient.port,
        ca: pki.caCertPem,
        cert: pki.frontProxyClientCertPem,
        key: pki.frontProxyClientKeyPem,
      });
      assert.equal(res.body, 'false');
    } finally {
      await lenient.close();
    }
  });
});

/** Writes a CA and one leaf the way kage did with @peculiar/x509 (before it encoded certificates itself). */
async function writeLegacyChain(
  certPaths: { caCert: string; caKey: string; leafCert: string; leafKey: string },
  caName: string,
  leaf: { name: string; usage: 'server' | 'client'; dns?: string[]; ips?: string[] },
): Promise<void> {
  const { webcrypto } = await import('node:crypto');
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
  const pkcs8Pem = async (key: import('node:crypto').webcrypto.CryptoKey): Promise<string> => {
    const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
    return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  };
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ski = await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey);
  const notBefore = new Date(Date.now() - 300_000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${caName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 3650 * 86400_000),
    keys: caKeys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ski,
      new x509.AuthorityKeyIdentifierExtension(ski.keyId),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([leaf.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
    new x509.AuthorityKeyIdentifierExtension(ski.keyId),
  ];
  if (leaf.dns || leaf.ips) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...(leaf.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(leaf.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${leaf.name}`,
    issuer: ca.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 365 * 86400_000),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm,
    extensions,
  });
  await writeFile(certPaths.caCert, ca.toString('pem') + '\n');
  await writeFile(certPaths.caKey, await pkcs8Pem(caKeys.privateKey), { mode: 0o600 });
  await writeFile(certPaths.leafCert, cert.toString('pem') + '\n');
  await writeFile(certPaths.leafKey, await pkcs8Pem(leafKeys.privateKey), { mode: 0o600 });
}

test('reuses a PKI written by earlier kage versions (@peculiar/x509 encoding)', async () => {
  await withTempDir(async (dataDir) => {
    const paths = pkiPaths(dataDir);
    await ensurePki(dataDir); // creates the directory and the admin token
    await writeLegacyChain(
      { caCert: paths.caCert, caKey: paths.caKey, leafCert: paths.servingCert, leafKey: paths.servingKey },
      'kage-ca',
      { name: 'kage-apiserver', usage: 'server', dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kage.test'], ips: ['127.0.0.1', '::1', 'fd00::1'] },
    );
    await writeLegacyChain(
      { caCert: paths.frontProxyCaCert, caKey: paths.frontProxyCaKey, leafCert: paths.frontProxyClientCert, leafKey: paths.frontProxyClientKey },
      'kage-front-proxy-ca',
      { name: 'front-proxy-client', usage: 'client' },
    );
    const files = async (): Promise<string[]> =>
      Promise.all([paths.caCert, paths.caKey, paths.servingCert, paths.servingKey, paths.frontProxyCaCert, paths.frontProxyCaKey, paths.frontProxyClientCert, paths.frontProxyClientKey].map((p) => readFile(p, 'utf8')));
    const before = await files();
    await ensurePki(dataDir, ['kage.test', 'FD00::1']);
    assert.deepEqual(await files(), before);

    // A new SAN: a new serving certificate from the legacy CA, whose key identifier it carries.
    const pki = await ensurePki(dataDir, ['10.9.8.7']);
    assert.equal(pki.caCertPem, before[0]);
    assert.notEqual(pki.servingCertPem, before[2]);
    assert.ok(new X509Certificate(pki.servingCertPem).verify(new X509Certificate(pki.caCertPem).publicKey));
    const caSki = new x509.X509Certificate(pki.caCertPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    assert.equal(new x509.X509Certificate(pki.servingCertPem).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, caSki);
    assert.ok(sanList(pki.servingCertPem).includes('IP Address:10.9.8.7'));
  });
});

test('a leaf with the wrong common name or extended key usage is regenerated', async () => {
  await withTempDir(async (dataDir) => {
    const paths = pkiPaths(dataDir);
    const first = await ensurePki(dataDir);
    // The front-proxy client pair, signed by the front-proxy CA, is no serving certificate (and vice versa).
    await writeFile(paths.frontProxyCaCert, first.caCertPem);
    await writeFile(paths.frontProxyCaKey, await readFile(paths.caKey, 'utf8'));
    await writeFile(paths.frontProxyClientCert, first.servingCertPem);
    await writeFile(paths.frontProxyClientKey, first.servingKeyPem);
    const second = await ensurePki(dataDir);
    assert.equal(second.frontProxyCaCertPem, first.caCertPem);
    assert.notEqual(second.frontProxyClientCertPem, first.servingCertPem);
    const client = new X509Certificate(second.frontProxyClientCertPem);
    assert.equal(client.subject, 'CN=front-proxy-client');
    assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(second.servingCertPem, first.servingCertPem);
  });
});

test('the server does not load @peculiar/x509 or yaml to start', async () => {
  const { execFileSync } = await import('node:child_process');
  await withTempDir(async (dataDir) => {
    const script = `
      import { createRequire } from 'node:module';
      const { ensurePki } = await import(${JSON.stringify(new URL('./certificates.ts', import.meta.url).href)});
      await import(${JSON.stringify(new URL('../http/body.ts', import.meta.url).href)});
      await ensurePki(${JSON.stringify(dataDir)});
      await ensurePki(${JSON.stringify(dataDir)}, ['10.0.0.1']);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(loaded.filter((p) => /node_modules[\\\\/](@peculiar|asn1js|tsyringe|yaml)[\\\\/]/.test(p))));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), []);
  });
});
