// Starts kage as a child process (the built dist/bundle/main.js, what `npm start` runs) and drives it with the real kubectl and with
// plain HTTPS requests. Every process and temp dir a KageProcess creates is cleaned up by stop()/kill(), and a
// last-resort exit hook kills whatever a crashed test left behind. Only 127.0.0.1 is ever contacted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in <root>/e2e). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The compiled server entry point; `npm run build` makes it. */
export const KAGE_MAIN = join(REPO_ROOT, 'dist', 'bundle', 'main.js');
/** The kubectl binary: $KUBECTL, else `kubectl` on PATH (a missing kubectl fails the tests, never skips them). */
export const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;
const DEFAULT_KUBECTL_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_WATCH_LIFETIME_MS = 60_000;
const LISTENING = /^kage listening on (https:\/\/127\.0\.0\.1:(\d+)); export KUBECONFIG=(.+)$/;

export interface CommandResult {
  /** Exit code; -1 when the process was killed by a signal (see `signal`). */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the per-call timeout killed it. */
  timedOut: boolean;
}

export interface KubectlOptions {
  stdin?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface LineCollector {
  /** Complete lines seen so far (without the newline). */
  readonly lines: string[];
  /** Resolves with the first line (already seen or still to come) matching; rejects after timeoutMs or on end. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
}

export interface KubectlWatch extends LineCollector {
  readonly pid: number | undefined;
  /** Resolves when kubectl exits by itself (or is stopped). */
  readonly exited: Promise<CommandResult>;
  /** Stops kubectl (SIGTERM, then SIGKILL) and resolves with what it printed. */
  stop(): Promise<CommandResult>;
}

export interface RequestOptions {
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  /** undefined: the admin token; null: no Authorization header; a string: that token. */
  token?: string | null;
  timeoutMs?: number;
  /** stream() only: the stream is cut after this long (default 60 s). */
  lifetimeMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = any>(): T;
}

export interface HttpStream extends LineCollector {
  status: number;
  headers: IncomingHttpHeaders;
  /** Resolves when the server ends the response (or it is closed). */
  readonly ended: Promise<void>;
  close(): void;
}

export interface KageProcess {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  token: string;
  /** The CA certificate (PEM) that signed kage's serving certificate. */
  ca: string;
  readonly child: ChildProcess;
  /** Everything kage wrote to stderr/stdout so far (for failure messages). */
  output(): string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<CommandResult>;
  kubectlWatch(args: string[], opts?: { env?: Record<string, string>; lifetimeMs?: number }): KubectlWatch;
  request(method: string, path: string, opts?: RequestOptions): Promise<HttpResponse>;
  /** A streaming request (watches): resolves once headers arrived; lines are collected as they come. */
  stream(method: string, path: string, opts?: RequestOptions): Promise<HttpStream>;
  /** Signals kage (default SIGTERM), waits for it to exit (SIGKILL after 10 s), removes its temp dirs. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no clean shutdown. Also removes temp dirs (a caller-provided dataDir is kept). */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// ---- last-resort cleanup: children a failed test forgot -----------------------------------------------------

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` when the test process exits, should a failing test leave it behind. */
export function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
}

function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

/** A fresh temp dir (removed by the caller, e.g. in `after`). */
export function makeTempDir(prefix = 'kage-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

// ---- line collection ----------------------------------------------------------------------------------------

class Lines implements LineCollector {
  readonly lines: string[] = [];
  private partial = '';
  private ended = false;
  private waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];

  constructor(private readonly describe: () => string) {}

  push(chunk: string): void {
    this.partial += chunk;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, '');
      this.partial = this.partial.slice(nl + 1);
      this.add(line);
    }
  }

  end(): void {
    if (this.partial) {
      this.add(this.partial);
      this.partial = '';
    }
    this.ended = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`stream ended before the expected line; ${this.describe()}`));
    }
  }

  private add(line: string): void {
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (w.test(line)) {
        clearTimeout(w.timer);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof match === 'function' ? match : (l: string) => match.test(l);
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.ended) return Promise.reject(new Error(`stream already ended without a line matching ${String(match)}; ${this.describe()}`));
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`no line matching ${String(match)} within ${timeoutMs} ms; ${this.describe()}`));
      }, timeoutMs);
      this.waiters.push({ test, resolve: resolveLine, reject, timer });
    });
  }
}

// ---- kubectl ------------------------------------------------------------------------------------------------

function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { stdin?: string; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((done) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      done({ code: 127, signal: null, stdout: '', stderr: `failed to start ${cmd}: ${(err as Error).message}`, timedOut: false });
      return;
    }
    track(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ code: 127, signal: null, stdout, stderr: stderr + `failed to run ${cmd}: ${err.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? -1, signal, stdout, stderr, timedOut });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.stdin ?? '');
  });
}

// ---- HTTPS --------------------------------------------------------------------------------------------------

function encodeBody(opts: RequestOptions): { body?: Buffer; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body === undefined) return { headers };
  let body: Buffer;
  if (Buffer.isBuffer(opts.body)) body = opts.body;
  else if (typeof opts.body === 'string') body = Buffer.from(opts.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(opts.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  return { body, headers };
}

// ---- the process --------------------------------------------------------------------------------------------

/** Starts the compiled kage on a free loopback port with a fresh temp data dir (or opts.dataDir). */
export async function startKage(opts: { dataDir?: string; extraArgs?: string[] } = {}): Promise<KageProcess> {
  if (!existsSync(KAGE_MAIN)) throw new Error(`${KAGE_MAIN} is missing: run \`npm run build\` first`);
  const root = await makeTempDir();
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? join(root, 'data'));
  const kubeconfigPath = join(root, 'kubeconfig');
  const cacheDir = join(root, 'kubecache');
  const home = join(root, 'home');
  const cleanupDirs = async (): Promise<void> => {
    await removeDir(root);
    if (ownDataDir) await removeDir(dataDir);
  };

  const child = spawn(
    process.execPath,
    [KAGE_MAIN, '--port', '0', '--bind-address', '127.0.0.1', '--data-dir', dataDir, '--kubeconfig', kubeconfigPath, ...(opts.extraArgs ?? [])],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  track(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));

  let url: string;
  let port: number;
  try {
    ({ url, port } = await new Promise<{ url: string; port: number }>((resolveStart, reject) => {
      let buf = '';
      const onData = (d: string): void => {
        buf += d;
        for (const line of buf.split('\n')) {
          const m = LISTENING.exec(line.trim());
          if (m) {
            cleanup();
            if (resolve(m[3]!) !== kubeconfigPath) {
              reject(new Error(`kage printed KUBECONFIG=${m[3]}, expected ${kubeconfigPath}`));
              return;
            }
            resolveStart({ url: m[1]!, port: Number(m[2]) });
            return;
          }
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        reject(new Error(`kage exited before listening (code ${code}, signal ${signal}); output:\n${out}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`kage did not print its listening line within ${START_TIMEOUT_MS} ms; output:\n${out}`));
      }, START_TIMEOUT_MS);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    }));
  } catch (err) {
    child.kill('SIGKILL');
    await waitExit(child);
    await cleanupDirs();
    throw err;
  }

  const token = (await readFile(join(dataDir, 'pki', 'admin-token'), 'utf8')).trim();
  const ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');

  const kubectlEnv = (extra?: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    KUBECONFIG: kubeconfigPath,
    KUBECACHEDIR: cacheDir,
    HOME: home,
    ...(extra ?? {}),
  });

  const watches = new Set<KubectlWatch>();
  const streams = new Set<HttpStream>();
  // Keep-alive connections, as kubectl and client-go use them (with `Connection: close` Node's server closes
  // the socket right after an early answer such as 413, and the client may see EPIPE instead of the answer).
  const agent = new HttpsAgent({ keepAlive: true, ca });

  function kubectl(args: string[], o: KubectlOptions = {}): Promise<CommandResult> {
    const run: { stdin?: string; timeoutMs: number } = { timeoutMs: o.timeoutMs ?? DEFAULT_KUBECTL_TIMEOUT_MS };
    if (o.stdin !== undefined) run.stdin = o.stdin;
    return runCommand(KUBECTL, args, kubectlEnv(o.env), run);
  }

  function kubectlWatch(args: string[], o: { env?: Record<string, string>; lifetimeMs?: number } = {}): KubectlWatch {
    const w = spawn(KUBECTL, args, { env: kubectlEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
    track(w);
    let stdout = '';
    let stderr = '';
    const lines: Lines = new Lines(() => `kubectl ${args.join(' ')} printed:\n${stdout}\nstderr:\n${stderr}`);
    w.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      lines.push(d);
    });
    w.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const lifetime = setTimeout(() => {
      timedOut = true;
      w.kill('SIGKILL');
    }, o.lifetimeMs ?? DEFAULT_WATCH_LIFETIME_MS);
    const exited = new Promise<CommandResult>((done) => {
      let finished = false;
      const finish = (code: number, signal: NodeJS.Signals | null): void => {
        if (finished) return;
        finished = true;
        clearTimeout(lifetime);
        lines.end();
        watches.delete(handle);
        done({ code, signal, stdout, stderr, timedOut });
      };
      w.on('error', (err) => {
        stderr += `failed to run ${KUBECTL}: ${err.message}`;
        // It never started (e.g. kubectl missing): there will be no exit to wait for.
        if (w.pid === undefined) finish(127, null);
      });
      w.on('close', (code, signal) => finish(code ?? -1, signal));
    });
    const handle: KubectlWatch = {
      get pid() {
        return w.pid;
      },
      get lines() {
        return lines.lines;
      },
      waitForLine: (m, t) => lines.waitForLine(m, t),
      exited,
      async stop() {
        if (w.pid !== undefined && w.exitCode === null && w.signalCode === null) {
          w.kill('SIGTERM');
          const killer = setTimeout(() => w.kill('SIGKILL'), 3000);
          const r = await exited;
          clearTimeout(killer);
          return r;
        }
        return exited;
      },
    };
    watches.add(handle);
    return handle;
  }

  function rawRequest(method: string, path: string, o: RequestOptions, streaming: boolean): Promise<HttpResponse | HttpStream> {
    const { body, headers } = encodeBody(o);
    if (o.token !== null) headers['Authorization'] = `Bearer ${o.token ?? token}`;
    if (body) headers['Content-Length'] = String(body.length);
    return new Promise((resolveRes, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, method, path, headers, ca, agent: streaming ? false : agent },
        (res) => {
          if (!streaming) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              clearTimeout(timer);
              const text = Buffer.concat(chunks).toString('utf8');
              resolveRes({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text,
                json() {
                  try {
                    return JSON.parse(text);
                  } catch {
                    throw new Error(`${method} ${path} → ${res.statusCode}: body is not JSON: ${text.slice(0, 500)}`);
                  }
                },
              });
            });
            res.on('error', reject);
            return;
          }
          clearTimeout(timer);
          // Streams end by themselves after a while, so that a test waiting on one always ends.
          const lifetime = setTimeout(() => {
            req.destroy();
            res.destroy();
          }, o.lifetimeMs ?? DEFAULT_WATCH_LIFETIME_MS);
          const lines: Lines = new Lines(() => `${method} ${path} streamed:\n${lines.lines.join('\n')}`);
          res.setEncoding('utf8');
          const ended = new Promise<void>((done) => {
            res.on('data', (d: string) => lines.push(d));
            res.on('end', () => {
              clearTimeout(lifetime);
              lines.end();
              done();
            });
            res.on('close', () => {
              clearTimeout(lifetime);
              lines.end();
              streams.delete(s);
              done();
            });
            res.on('error', () => undefined);
          });
          const s: HttpStream = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            get lines() {
              return lines.lines;
            },
            waitForLine: (m, t) => lines.waitForLine(m, t),
            ended,
            close() {
              req.destroy();
              res.destroy();
            },
          };
          streams.add(s);
          resolveRes(s);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`${method} ${path}: no ${streaming ? 'response headers' : 'complete response'} within ${o.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS} ms`));
      }, o.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }

  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  async function shutdown(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    for (const s of [...streams]) s.close();
    agent.destroy();
    await Promise.all([...watches].map((w) => w.stop()));
    let result: { code: number | null; signal: NodeJS.Signals | null };
    if (child.exitCode !== null || child.signalCode !== null) {
      result = { code: child.exitCode, signal: child.signalCode };
    } else {
      const exit = waitExit(child);
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      result = await exit;
      clearTimeout(killer);
    }
    await cleanupDirs();
    return result;
  }

  return {
    url,
    port,
    dataDir,
    kubeconfig: kubeconfigPath,
    token,
    ca,
    child,
    output: () => out,
    kubectl,
    kubectlWatch,
    request: (method, path, o = {}) => rawRequest(method, path, o, false) as Promise<HttpResponse>,
    stream: (method, path, o = {}) => rawRequest(method, path, o, true) as Promise<HttpStream>,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      return (stopping ??= shutdown(signal));
    },
    kill() {
      return (stopping ??= shutdown('SIGKILL'));
    },
  };
}

// ---- small helpers for tests --------------------------------------------------------------------------------

/** A name unique in this run: prefix + a short random suffix (valid as a DNS label). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Fails with everything kubectl said unless it exited 0. */
export function describeResult(args: string[], r: CommandResult): string {
  return `kubectl ${args.join(' ')} → exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' (timed out)' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Polls fn until it returns a truthy value or timeoutMs passes (then throws with the last value). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 200, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs kubectl and returns its stdout; throws with everything it printed unless it exited 0. */
export async function kubectlOk(kage: KageProcess, args: string[], opts?: KubectlOptions): Promise<string> {
  const r = await kage.kubectl(args, opts);
  if (r.code !== 0) throw new Error(describeResult(args, r));
  return r.stdout;
}

/**
 * Parses column-aligned `kubectl get`-style output (a header line, then rows) into records keyed by the header's
 * column names, using the header's column positions (so empty cells stay empty).
 */
export function parseTable(stdout: string): Array<Record<string, string>> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0]!;
  const cols: Array<{ name: string; start: number }> = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) cols.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      const end = i + 1 < cols.length ? cols[i + 1]!.start : line.length;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}

/** Resolves like promise, or rejects after ms with a message saying what did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}
