// Small helpers shared by the bench modules: statistics, HTTPS requests, free ports, temp dirs, children.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs as ArrayLike<number>).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

// ---- temp dirs (outside the repo), removed at exit ----
const tempDirs: string[] = [];
export function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `kage-bench-${tag}-`));
  tempDirs.push(d);
  return d;
}
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

// ---- children: every process the bench starts is tracked so nothing outlives it ----
const children = new Set<ChildProcess>();

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      if (child.pid !== undefined) child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills every tracked child that is still running (synchronously: usable from 'exit'). */
export function killAllChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

// ---- HTTPS ----
export interface HttpsTarget {
  host: string;
  port: number;
  ca: string;
  token?: string;
}

export interface Reply {
  status: number;
  body: Buffer;
  /** ms from just before the request was sent to its last byte */
  ms: number;
}

export function keepAliveAgent(ca: string, maxSockets = 8): Agent {
  return new Agent({ ca, keepAlive: true, maxSockets });
}

/** One request; the whole body is collected. */
export function httpsCall(
  t: HttpsTarget,
  method: string,
  path: string,
  opts: { body?: string; agent?: Agent | false; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
    if (t.token) headers['Authorization'] = `Bearer ${t.token}`;
    if (opts.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    const started = performance.now();
    const req = request(
      { host: t.host, port: t.port, method, path, ca: t.ca, headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Like httpsCall but fails unless the status is one of `ok`. */
export async function httpsExpect(
  t: HttpsTarget,
  method: string,
  path: string,
  ok: number[],
  opts: Parameters<typeof httpsCall>[3] = {},
): Promise<Reply> {
  const r = await httpsCall(t, method, path, opts);
  if (!ok.includes(r.status)) {
    throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  }
  return r;
}

// ---- formatting ----
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Polls https://127.0.0.1:<port>/readyz (no credentials, certificate not checked: the CA may not exist
 * yet when the poll starts) every `everyMs` until it answers 200. Resolves with performance.now() of the
 * 200's last byte; rejects if the child exits or the deadline passes.
 */
export async function pollReady(port: number, child: ChildProcess, deadlineMs = 20_000, everyMs = 5): Promise<number> {
  const until = performance.now() + deadlineMs;
  let exited = false;
  const onExit = (): void => {
    exited = true;
  };
  child.once('exit', onExit);
  try {
    while (performance.now() < until) {
      if (exited) throw new Error(`process exited (code ${child.exitCode}, signal ${child.signalCode}) before /readyz answered`);
      const status = await new Promise<number>((resolve) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/readyz', method: 'GET', rejectUnauthorized: false, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', () => resolve(0));
          },
        );
        req.setTimeout(2000, () => req.destroy());
        req.on('error', () => resolve(0));
        req.end();
      });
      if (status === 200) return performance.now();
      await sleep(everyMs);
    }
    throw new Error(`/readyz on port ${port} did not answer 200 within ${deadlineMs} ms`);
  } finally {
    child.off('exit', onExit);
  }
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); NaN if unreadable. */
export function readRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}
