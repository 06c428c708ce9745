// The load generator process: autocannon driven through its API, one spec in argv[2] (JSON), one JSON
// result line on stdout. It runs in a process of its own so it never shares an event loop with a server.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { configMapBody, configMapName } from './objects.js';

export interface LoadSpec {
  /** full URL: https://127.0.0.1:<port>/path */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  connections: number;
  /** a first run whose figures are thrown away (0 = none) */
  warmupSec: number;
  /** measured run by time … */
  durationSec?: number;
  /** … or by count of requests */
  amount?: number;
  /** POST a new ConfigMap each request, named <namePrefix><n> */
  create?: { namePrefix: string; warmupUrl?: string; warmupPrefix?: string };
  /** a TLS client certificate to present (PEM files), e.g. kage's front-proxy client for a backend */
  clientCert?: { certFile: string; keyFile: string };
}

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wallMs: number;
  /** ms from the start of the measured run to its last 2xx response */
  lastOkMs: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  statusCodes: Record<string, number>;
}

interface RunOut {
  result: autocannon.Result;
  latencies: Float64Array;
  n: number;
  wallMs: number;
  /** ms from the start to the last 2xx response (autocannon only notices a reached `amount` on its 1 s tick) */
  lastOkMs: number;
}

function once(spec: LoadSpec, url: string, durationSec: number | undefined, amount: number | undefined, namePrefix?: string): Promise<RunOut> {
  let counter = 0;
  const opts: autocannon.Options = {
    url,
    connections: spec.connections,
    pipelining: 1,
    timeout: 30,
    method: spec.method,
    headers: spec.headers,
  };
  if (spec.clientCert) {
    opts.tlsOptions = { cert: readFileSync(spec.clientCert.certFile), key: readFileSync(spec.clientCert.keyFile) };
  }
  if (amount !== undefined) opts.amount = amount;
  else opts.duration = durationSec ?? 10;
  if (namePrefix !== undefined) {
    opts.requests = [{
      method: 'POST',
      setupRequest: (req) => {
        req.body = configMapBody(configMapName(namePrefix, counter++));
        return req;
      },
    }];
  }
  // Latencies in ms with sub-ms precision (autocannon's own histogram rounds to whole ms).
  let lat = new Float64Array(1 << 16);
  let n = 0;
  let lastOk = NaN;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const inst = autocannon(opts, (err, result) => {
      if (err) return reject(err);
      resolve({ result, latencies: lat.subarray(0, n), n, wallMs: performance.now() - started, lastOkMs: lastOk - started });
    });
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status < 200 || status >= 300) return;
      lastOk = performance.now();
      if (n === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[n++] = ms;
    });
  });
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  if (spec.warmupSec > 0) {
    await once(spec, spec.create?.warmupUrl ?? spec.url, spec.warmupSec, undefined, spec.create ? (spec.create.warmupPrefix ?? 'warm-') : undefined);
  }
  const run = await once(spec, spec.url, spec.durationSec, spec.amount, spec.create?.namePrefix);
  const sorted = run.latencies.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(run.result.statusCodeStats ?? {})) statusCodes[code] = s.count;
  const ok = run.n;
  const out: LoadResult = {
    ok,
    non2xx: run.result.non2xx,
    errors: run.result.errors,
    timeouts: run.result.timeouts,
    wallMs: run.wallMs,
    lastOkMs: run.lastOkMs,
    // a timed run: autocannon's own duration; a counted run: start to the last response
    rps: ok / ((spec.amount !== undefined ? run.lastOkMs / 1000 : run.result.duration) || 1),
    p50: pct(sorted, 50),
    p90: pct(sorted, 90),
    p99: pct(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    statusCodes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load-worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
