// Starts the compiled kage server (dist/bundle/main.js, what `npm start` runs) as its own process on 127.0.0.1, and stops it.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, pollReady, sleep, spawnTracked, stopChild, tempDir, type HttpsTarget } from './util.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** The server entry point; KAGE_BENCH_MAIN overrides it (e.g. a copy of dist/ that others won't rebuild). */
export function kageMain(): string {
  return resolve(process.env['KAGE_BENCH_MAIN'] ?? join(REPO_ROOT, 'dist', 'bundle', 'main.js'));
}

/** Extra node flags for the server process, e.g. KAGE_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
function nodeArgs(): string[] {
  const v = process.env['KAGE_BENCH_NODE_ARGS'];
  return v ? v.split(/\s+/).filter(Boolean) : [];
}

export interface KageProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  dataDir: string;
  /** ms from spawn to the first 200 from /readyz */
  readyMs: number;
  /** ms from spawn to the "kage listening on …" line (NaN if it had not come when /readyz answered) */
  listeningLineMs: number;
  /** the "kage listening on …" line as printed */
  listeningLine: string;
  /** CA, token and address, for requests */
  target: HttpsTarget;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** reuse this data dir (else a fresh one is made) */
  dataDir?: string;
}

/** Spawns kage with a (fresh or given) data dir and waits for /readyz. */
export async function launchKage(opts: LaunchOptions = {}): Promise<KageProcess> {
  const main = kageMain();
  if (!existsSync(main)) throw new Error(`${main} not found: run \`npm run build\` first`);
  const dataDir = opts.dataDir ?? tempDir('data');
  const kubeconfig = join(dataDir, 'kubeconfig');
  const port = await freePort();
  const args = [...nodeArgs(), main, '--port', String(port), '--bind-address', '127.0.0.1', '--data-dir', dataDir, '--kubeconfig', kubeconfig];

  const started = performance.now();
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT });
  let stderr = '';
  let stdout = '';
  let listeningLineMs = NaN;
  let listeningLine = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    stdout += d;
    if (!listeningLine) {
      const line = stdout.split('\n').find((l) => l.startsWith('kage listening on '));
      if (line !== undefined && stdout.includes('\n')) {
        listeningLine = line;
        listeningLineMs = performance.now() - started;
      }
    }
    if (stdout.length > 100_000) stdout = stdout.slice(-10_000);
  });

  let readyAt: number;
  try {
    readyAt = await pollReady(port, child);
  } catch (err) {
    await stopChild(child, 1000);
    throw new Error(`kage did not become ready: ${(err as Error).message}\nstderr:\n${stderr.slice(0, 4000)}`);
  }
  const readyMs = readyAt - started;
  // The line comes once the kubeconfig is written, which may be just after /readyz first answers.
  for (let i = 0; i < 200 && !listeningLine; i++) await sleep(10);
  if (!listeningLine) {
    await stopChild(child, 1000);
    throw new Error(`kage answered /readyz but printed no "kage listening on" line; stdout:\n${stdout.slice(0, 2000)}`);
  }
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const token = readFileSync(join(dataDir, 'pki', 'admin-token'), 'utf8').trim();
  return {
    child,
    pid: child.pid!,
    port,
    url: `https://127.0.0.1:${port}`,
    dataDir,
    readyMs,
    get listeningLineMs() {
      return listeningLineMs;
    },
    get listeningLine() {
      return listeningLine;
    },
    target: { host: '127.0.0.1', port, ca, token },
    stop: () => stopChild(child),
  };
}
