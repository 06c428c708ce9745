// OpenAPI figure: GET /openapi/v3/apis/apps/v1 once warm (the documents built by a first request and a warm-up),
// sequentially over one keep-alive connection: median and p99. The baseline is the plain Node https server
// answering the very same bytes (PUT /list-body, GET /list), in the same run, the same way.
import { Agent } from 'node:https';
import type { BaselineProcess } from './baseline-server.js';
import type { KageProcess } from './kage-process.js';
import type { Row } from './report.js';
import { httpsCall, httpsExpect, median, percentile, type HttpsTarget } from './util.js';

export const OPENAPI_PATH = '/openapi/v3/apis/apps/v1';

export interface OpenAPIResult {
  path: string;
  bytes: number;
  requests: number;
  /** ms from the first request (the documents built on demand) to its last byte */
  firstMs: number;
  median: number;
  p99: number;
  baselineMedian: number;
  baselineP99: number;
}

async function sequential(t: HttpsTarget, path: string, o: { requests: number; warmup: number }, expectBytes: number): Promise<number[]> {
  const agent = new Agent({ ca: t.ca, keepAlive: true, maxSockets: 1 });
  try {
    const times: number[] = [];
    for (let i = 0; i < o.warmup + o.requests; i++) {
      const r = await httpsCall(t, 'GET', path, { agent });
      if (r.status !== 200 || r.body.length !== expectBytes) {
        throw new Error(`GET ${path}: HTTP ${r.status}, ${r.body.length} bytes (expected 200 with ${expectBytes}): ${r.body.toString('utf8').slice(0, 300)}`);
      }
      if (i >= o.warmup) times.push(r.ms);
    }
    return times;
  } finally {
    agent.destroy();
  }
}

export async function measureOpenAPI(kage: KageProcess, base: BaselineProcess, o: { requests: number; warmup: number }): Promise<OpenAPIResult> {
  const first = await httpsExpect(kage.target, 'GET', OPENAPI_PATH, [200]);
  const doc = first.body;
  JSON.parse(doc.toString('utf8'));
  await httpsExpect(base.target, 'PUT', '/list-body', [200], { body: doc.toString('utf8') });
  const kageTimes = await sequential(kage.target, OPENAPI_PATH, o, doc.length);
  const baseTimes = await sequential(base.target, '/list', o, doc.length);
  return {
    path: OPENAPI_PATH,
    bytes: doc.length,
    requests: o.requests,
    firstMs: first.ms,
    median: median(kageTimes),
    p99: percentile(kageTimes, 99),
    baselineMedian: median(baseTimes),
    baselineP99: percentile(baseTimes, 99),
  };
}

export function openapiRows(r: OpenAPIResult): Row[] {
  const label = `GET ${r.path} (${(r.bytes / 1000).toFixed(0)} kB), warm`;
  return [
    { figure: `${label} p50`, kage: r.median, unit: 'ms', target: { op: '<', value: 5 }, baseline: r.baselineMedian, anchor: '' },
    { figure: `  ${r.path} p99`, kage: r.p99, unit: 'ms', target: { op: '<', value: 5 }, baseline: r.baselineP99, anchor: '' },
  ];
}
