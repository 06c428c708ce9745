import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ensurePki } from './certificates.js';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kage-kubeconfig-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function kubectl(bin: string, kubeconfig: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env['HOME'] ?? tmpdir() }, timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

interface KubeconfigDoc {
  apiVersion: string;
  kind: string;
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ name: string; user: { token: string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context': string;
}

test('writes a kubeconfig with the cluster, admin user and current context', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'nested', 'deeper', 'kubeconfig');
    await writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caCertPem: CA_PEM, token: 'tok_en-123' });

    const st = await stat(path);
    assert.equal(st.mode & 0o777, 0o600);
    const doc = parseYaml(await readFile(path, 'utf8')) as KubeconfigDoc;
    assert.equal(doc.apiVersion, 'v1');
    assert.equal(doc.kind, 'Config');
    assert.deepEqual(doc.clusters, [
      {
        name: 'kage',
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA_PEM).toString('base64') },
      },
    ]);
    assert.equal(Buffer.from(doc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8'), CA_PEM);
    assert.deepEqual(doc.users, [{ name: 'admin', user: { token: 'tok_en-123' } }]);
    assert.deepEqual(doc.contexts, [{ name: 'kage', context: { cluster: 'kage', user: 'admin' } }]);
    assert.equal(doc['current-context'], 'kage');
  });
});

test('replaces an existing kubeconfig atomically and leaves no temporary files', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, 'old content', { mode: 0o644 });
    await writeKubeconfig(path, { server: 'https://127.0.0.1:1', caCertPem: CA_PEM, token: 'a' });
    await writeKubeconfig(path, { server: 'https://127.0.0.1:2', caCertPem: CA_PEM, token: 'b' });
    const doc = parseYaml(await readFile(path, 'utf8')) as KubeconfigDoc;
    assert.equal(doc.clusters[0]!.cluster.server, 'https://127.0.0.1:2');
    assert.equal(doc.users[0]!.user.token, 'b');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['kubeconfig']);
  });
});

test('quotes values so that unusual characters survive a YAML round trip', () => {
  const odd = 'a: "b" #c\\d\n\u2028\u0085\u007f\'';
  const doc = parseYaml(renderKubeconfig({ server: `https://[::1]:6443/${odd}`, caCertPem: CA_PEM, token: odd })) as KubeconfigDoc;
  assert.equal(doc.users[0]!.user.token, odd);
  assert.equal(doc.clusters[0]!.cluster.server, `https://[::1]:6443/${odd}`);
});

const kubectlBin = findKubectl();

// kubectl is on every machine of ours, CI included: its absence is a failure, not a skip.
test('kubectl reads the kubeconfig and (Go crypto/tls) trusts the serving certificate', async () => {
  assert.ok(kubectlBin, 'kubectl must be on PATH');
  const bin = kubectlBin;
  await withTempDir(async (dir) => {
    const pki = await ensurePki(join(dir, 'data'));
    let seenAuth = '';
    const server = https.createServer({ cert: pki.servingCertPem, key: pki.servingKeyPem }, (req, res) => {
      seenAuth = req.headers.authorization ?? '';
      res.setHeader('content-type', 'text/plain');
      res.end(req.headers.authorization === `Bearer ${pki.adminToken}` ? 'ok' : 'unauthorized');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const path = join(dir, `kubeconfig-${host}`);
        await writeKubeconfig(path, { server: `https://${host}:${port}`, caCertPem: pki.caCertPem, token: pki.adminToken });
        assert.equal((await kubectl(bin, path, ['config', 'current-context'])).trim(), 'kage');
        const view = JSON.parse(await kubectl(bin, path, ['config', 'view', '--raw', '-o', 'json'])) as KubeconfigDoc;
        assert.equal(view.clusters[0]!.cluster.server, `https://${host}:${port}`);
        assert.equal(view.users[0]!.user.token, pki.adminToken);
        assert.equal(
          Buffer.from(view.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8'),
          pki.caCertPem,
        );
        // A real request: the TLS handshake is verified by Go against our CA.
        assert.equal(await kubectl(bin, path, ['get', '--raw', '/healthz']), 'ok');
        assert.equal(seenAuth, `Bearer ${pki.adminToken}`);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
