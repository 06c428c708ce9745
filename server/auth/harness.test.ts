// An in-process kage for tests that need the whole server (authentication, virtual kinds, startup writes),
// plain HTTPS requests against it, and client certificates issued by its CA with the openssl CLI.
// (Named *.test.ts so builds leave it out; it holds no tests itself.)
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKage, type RunningKage } from '../kage.js';

export interface ClientCert {
  cert: string;
  key: string;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** undefined: the admin token; null: none; a string: that token. */
  token?: string | null;
  cert?: ClientCert;
}

export interface TestKage {
  kage: RunningKage;
  dataDir: string;
  caPem: string;
  adminToken: string;
  request(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  /** A client certificate for `subject` ("/O=g/CN=alice") signed by `ca` (default: kage's cluster CA). */
  issueClientCert(subject: string, opts?: { ca?: { cert: string; key: string }; extendedKeyUsage?: string }): Promise<ClientCert>;
  /** Stops the server (when running) and removes the data dir. */
  close(): Promise<void>;
  /** Stops and starts the server again on the same data dir. */
  restart(): Promise<void>;
}

async function start(dataDir: string): Promise<RunningKage> {
  return startKage({ port: 0, bindAddress: '127.0.0.1', dataDir, kubeconfigPath: join(dataDir, 'kc'), logLevel: 'warn' });
}

/** Starts kage on a free port with a fresh data dir. */
export async function startTestKage(): Promise<TestKage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kage-auth-test-'));
  let kage = await start(dataDir);
  let closed = false;
  const caPem = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const adminToken = (await readFile(join(dataDir, 'pki', 'admin-token'), 'utf8')).trim();
  let serial = 1;

  const t: TestKage = {
    get kage() {
      return kage;
    },
    dataDir,
    caPem,
    adminToken,
    request(method, path, opts = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
        const token = opts.token === undefined ? adminToken : opts.token;
        if (token !== null) headers['authorization'] = `Bearer ${token}`;
        let payload: string | undefined;
        if (opts.body !== undefined) {
          payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
          headers['content-type'] ??= 'application/json';
        }
        const req = httpsRequest({
          host: '127.0.0.1', port: kage.port, method, path, headers, ca: caPem, agent: false,
          ...(opts.cert ? { cert: opts.cert.cert, key: opts.cert.key } : {}),
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
          });
          res.on('error', reject);
        });
        req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    async issueClientCert(subject, opts = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'kage-client-cert-'));
      try {
        let caCert = join(dataDir, 'pki', 'ca.crt');
        let caKey = join(dataDir, 'pki', 'ca.key');
        if (opts.ca) {
          caCert = join(dir, 'other-ca.crt');
          caKey = join(dir, 'other-ca.key');
          await writeFile(caCert, opts.ca.cert);
          await writeFile(caKey, opts.ca.key);
        }
        const key = join(dir, 'client.key');
        const csr = join(dir, 'client.csr');
        const crt = join(dir, 'client.crt');
        const ext = join(dir, 'ext.cnf');
        await writeFile(ext, `keyUsage = critical, digitalSignature\nextendedKeyUsage = ${opts.extendedKeyUsage ?? 'clientAuth'}\n`);
        const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
        run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
        run('req', '-new', '-key', key, '-subj', subject, '-out', csr);
        run('x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(1000 + serial++),
          '-days', '1', '-sha256', '-extfile', ext, '-out', crt);
        return { cert: await readFile(crt, 'utf8'), key: await readFile(key, 'utf8') };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async restart() {
      await kage.close();
      kage = await start(dataDir);
    },
    async close() {
      if (closed) return;
      closed = true;
      await kage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A self-signed CA that is not kage's (for certificates kage must not trust). */
export async function otherCa(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kage-other-ca-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', '/CN=not-kage-ca', '-days', '1',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ], { stdio: 'pipe' });
    return { cert: await readFile(join(dir, 'ca.crt'), 'utf8'), key: await readFile(join(dir, 'ca.key'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
