// Aggregator figure 1: GET of one flunder through kage's aggregator proxy against the same GET straight to the
// sample extension API server, in the same run with the same tool and settings (autocannon in its own process,
// keep-alive, c=32, warm-up then a timed run). The direct requests authenticate as kage's proxy does: the
// front-proxy client certificate plus X-Remote-User.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { KageProcess } from './kage-process.js';
import { runLoad, type LoadResult } from './load.js';
import { registerSample, type SampleProcess } from './sample-process.js';
import { httpsExpect } from './util.js';

export const WARDLE_APISERVICE = 'v1alpha1.wardle.example.com';
export const WARDLE_NAMESPACE = 'wardle';
export const WARDLE_SERVICE = 'api';
export const FLUNDER_NAME = 'bench-flunder';
export const FLUNDER_PATH = `/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/${FLUNDER_NAME}`;

/** The name kage verifies the sample's serving certificate for. */
export const WARDLE_SAN = `${WARDLE_SERVICE}.${WARDLE_NAMESPACE}.svc`;

/** One round: the proxied run and the direct run, back to back. */
export interface ProxyRound {
  proxied: LoadResult;
  direct: LoadResult;
  ratio: number;
  addedP50: number;
}

export interface AggregatorProxyResult {
  /** the round whose ratio is the median of all rounds */
  proxied: LoadResult;
  direct: LoadResult;
  /** median over the rounds of proxied req/s ÷ direct req/s */
  ratio: number;
  /** median over the rounds of proxied p50 − direct p50 (ms) */
  addedP50: number;
  /** every round, in the order run (their order alternates: proxied first, then direct first, …) */
  rounds: ProxyRound[];
  /** the same GETs one at a time (one connection): the latency the proxy adds without any queueing */
  sequential: { proxied: LoadResult; direct: LoadResult; addedP50: number };
  bodyBytesProxied: number;
  bodyBytesDirect: number;
  /** ms from creating the APIService to Available=True */
  availableAfterMs: number;
}

/** kage's front-proxy client certificate and key (CN front-proxy-client), which the sample trusts. */
export function frontProxyClient(kage: KageProcess): { certFile: string; keyFile: string } {
  const pki = join(kage.dataDir, 'pki');
  return { certFile: join(pki, 'front-proxy-client.crt'), keyFile: join(pki, 'front-proxy-client.key') };
}

/** One GET straight to the sample with the front-proxy identity (node:https, for the sanity checks). */
async function directGet(kage: KageProcess, sample: SampleProcess, path: string): Promise<Buffer> {
  const fp = frontProxyClient(kage);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1', port: sample.port, path, method: 'GET', agent: false, rejectUnauthorized: false,
        cert: readFileSync(fp.certFile), key: readFileSync(fp.keyFile),
        headers: { Accept: 'application/json', 'X-Remote-User': 'admin' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`direct GET ${path}: HTTP ${res.statusCode}: ${body.toString('utf8').slice(0, 300)}`));
          else resolve(body);
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`direct GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Registers the (already running) healthy sample as wardle.example.com/v1alpha1 and creates the flunder. */
export async function setUpWardle(kage: KageProcess, sample: SampleProcess): Promise<number> {
  const availableAfterMs = await registerSample(kage.target, {
    name: WARDLE_APISERVICE, group: 'wardle.example.com', version: 'v1alpha1',
    namespace: WARDLE_NAMESPACE, service: WARDLE_SERVICE, port: sample.port, caBundle: sample.caBundle,
  });
  await httpsExpect(kage.target, 'POST', '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders', [201, 409], {
    body: JSON.stringify({
      apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder',
      metadata: { name: FLUNDER_NAME, labels: { app: 'kage-bench' } },
      spec: { reference: 'bench-reference', referenceType: 'Flunder' },
    }),
  });
  return availableAfterMs;
}

export async function measureAggregatorProxy(
  kage: KageProcess,
  sample: SampleProcess,
  o: { connections: number; warmupSec: number; durationSec: number; sequentialSec: number; availableAfterMs: number; rounds: number },
): Promise<AggregatorProxyResult> {
  // Both paths must answer the same object before any load runs.
  const viaKage = await httpsExpect(kage.target, 'GET', FLUNDER_PATH, [200]);
  const direct = await directGet(kage, sample, FLUNDER_PATH);
  const name = (b: Buffer): unknown => (JSON.parse(b.toString('utf8')) as { metadata?: { name?: string } }).metadata?.name;
  if (name(viaKage.body) !== FLUNDER_NAME || name(direct) !== FLUNDER_NAME) {
    throw new Error(`flunder GET answered something else: ${viaKage.body.toString('utf8').slice(0, 200)} / ${direct.toString('utf8').slice(0, 200)}`);
  }

  const viaKageSpec = {
    method: 'GET' as const,
    url: `${kage.url}${FLUNDER_PATH}`,
    headers: { Authorization: `Bearer ${kage.target.token}`, Accept: 'application/json' },
  };
  const directSpec = {
    method: 'GET' as const,
    url: `https://127.0.0.1:${sample.port}${FLUNDER_PATH}`,
    headers: { 'X-Remote-User': 'admin', Accept: 'application/json' },
    clientCert: frontProxyClient(kage),
  };
  const loaded = { connections: o.connections, warmupSec: o.warmupSec, durationSec: o.durationSec };
  // Rounds with alternating order, and medians over them: the machine's drift (and one unlucky run) cancels out.
  const rounds: ProxyRound[] = [];
  for (let i = 0; i < Math.max(1, o.rounds); i++) {
    let proxied: LoadResult;
    let direct: LoadResult;
    if (i % 2 === 0) {
      proxied = await runLoad({ ...viaKageSpec, ...loaded });
      direct = await runLoad({ ...directSpec, ...loaded });
    } else {
      direct = await runLoad({ ...directSpec, ...loaded });
      proxied = await runLoad({ ...viaKageSpec, ...loaded });
    }
    rounds.push({ proxied, direct, ratio: proxied.rps / direct.rps, addedP50: proxied.p50 - direct.p50 });
  }
  const byRatio = [...rounds].sort((a, b) => a.ratio - b.ratio);
  const middle = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
  const added = rounds.map((r) => r.addedP50).sort((a, b) => a - b);
  const one = { connections: 1, warmupSec: 1, durationSec: o.sequentialSec };
  const seqProxied = await runLoad({ ...viaKageSpec, ...one });
  const seqDirect = await runLoad({ ...directSpec, ...one });
  return {
    proxied: middle.proxied,
    direct: middle.direct,
    ratio: middle.ratio,
    addedP50: added[Math.floor((added.length - 1) / 2)]!,
    rounds,
    sequential: { proxied: seqProxied, direct: seqDirect, addedP50: seqProxied.p50 - seqDirect.p50 },
    bodyBytesProxied: viaKage.body.length,
    bodyBytesDirect: direct.length,
    availableAfterMs: o.availableAfterMs,
  };
}
