// Aggregator figure 2: /apis with 50 remote APIServices registered, one of them backed by a server whose discovery
// hangs (sample-apiserver --misbehave hang-discovery). The other 49: wardle (already registered by the proxy
// figure) and 48 bench groups spread over a few ExternalName Services that all lead to the same healthy sample.
// The sample serves only wardle, so the bench groups fail their availability check and are listed Stale —
// that is fine for this figure, which is about /apis never waiting for a backend.
//
// Measured:
//   - /apis (legacy and aggregated) sequentially for the first second after the hung APIService is created:
//     every answer must come quickly (the hung backend must never be in the request path);
//   - then p50/p99 of each over sequential requests (autocannon, one connection, keep-alive, after a warm-up).
import { Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { ensureNamespace } from './creates.js';
import type { KageProcess } from './kage-process.js';
import { runLoad, type LoadResult } from './load.js';
import { createAPIService, createExternalNameService, type SampleProcess } from './sample-process.js';
import { httpsCall, httpsExpect, percentile } from './util.js';

export const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const BENCH_NAMESPACE = 'bench-agg';
/** ExternalName Services the bench groups are spread over (each one is a backend of its own for kage). */
export const BENCH_SERVICES = 8;
export const HUNG_SERVICE = 'bench-hung';
export const HUNG_GROUP = 'hung.bench.example.com';

/** The names kage verifies the healthy sample's certificate for (besides wardle's). */
export function benchServiceSans(): string[] {
  return Array.from({ length: BENCH_SERVICES }, (_, k) => `bench-b${k}.${BENCH_NAMESPACE}.svc`);
}

export interface FirstSecond {
  requests: number;
  /** answers that were not 200 */
  failed: number;
  max: number;
  p50: number;
  /** ms from the APIService's 201 until the hung group was listed in /apis (NaN: not within the second) */
  hungListedAfterMs: number;
}

export interface AggregatorDiscoveryResult {
  remoteAPIServices: number;
  /** groups in the legacy /apis and in the aggregated document during the measurement */
  legacyGroups: number;
  aggregatedGroups: number;
  legacyBytes: number;
  aggregatedBytes: number;
  firstSecond: FirstSecond;
  legacy: LoadResult;
  aggregated: LoadResult;
  /** Available condition of the hung APIService at the end (its probe is bounded by the discovery timeout) */
  hungAvailable: string;
}

interface GroupList {
  kind?: string;
  groups?: { name: string }[];
  items?: { metadata?: { name?: string } }[];
}

function groupNames(body: Buffer): string[] {
  const doc = JSON.parse(body.toString('utf8')) as GroupList;
  if (doc.kind === 'APIGroupList') return (doc.groups ?? []).map((g) => g.name);
  if (doc.kind === 'APIGroupDiscoveryList') return (doc.items ?? []).map((g) => g.metadata?.name ?? '');
  throw new Error(`/apis answered kind ${JSON.stringify(doc.kind)}`);
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function measureAggregatorDiscovery(
  kage: KageProcess,
  healthy: SampleProcess,
  hung: SampleProcess,
  o: { remoteAPIServices: number; alreadyRegistered: number; requests: number; warmupSec: number },
): Promise<AggregatorDiscoveryResult> {
  const t = kage.target;
  const agent = new Agent({ ca: t.ca, keepAlive: true, maxSockets: 8 });
  try {
    await ensureNamespace(t, BENCH_NAMESPACE);
    for (let k = 0; k < BENCH_SERVICES; k++) await createExternalNameService(t, BENCH_NAMESPACE, `bench-b${k}`, healthy.port);
    await createExternalNameService(t, BENCH_NAMESPACE, HUNG_SERVICE, hung.port);

    // The healthy ones (all but the hung one and those registered before).
    const count = o.remoteAPIServices - o.alreadyRegistered - 1;
    const indexes = Array.from({ length: count }, (_, i) => i);
    await pool(indexes, 8, (i) => createAPIService(t, {
      name: `v1alpha1.g${i}.bench.example.com`, group: `g${i}.bench.example.com`, version: 'v1alpha1',
      namespace: BENCH_NAMESPACE, service: `bench-b${i % BENCH_SERVICES}`, port: healthy.port, caBundle: healthy.caBundle,
    }, agent));
    // Wait until kage lists them all (the registry follows storage through a watch).
    const until = Date.now() + 10_000;
    for (;;) {
      const r = await httpsExpect(t, 'GET', '/apis', [200], { agent });
      const names = new Set(groupNames(r.body));
      if (indexes.every((i) => names.has(`g${i}.bench.example.com`))) break;
      if (Date.now() > until) throw new Error(`/apis did not list the ${count} bench groups within 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }

    // The hung one, then /apis for the first second after its 201, legacy and aggregated in turn.
    const conn = new Agent({ ca: t.ca, keepAlive: true, maxSockets: 1 });
    try {
      await httpsExpect(t, 'GET', '/apis', [200], { agent: conn }); // the connection is open before the clock starts
      await createAPIService(t, {
        name: `v1alpha1.${HUNG_GROUP}`, group: HUNG_GROUP, version: 'v1alpha1',
        namespace: BENCH_NAMESPACE, service: HUNG_SERVICE, port: hung.port, caBundle: hung.caBundle,
      }, conn);
      const created = performance.now();
      const lat: number[] = [];
      let failed = 0;
      let hungListedAfterMs = NaN;
      while (performance.now() - created < 1000) {
        const aggregated = lat.length % 2 === 1;
        const r = await httpsCall(t, 'GET', '/apis', { agent: conn, headers: { Accept: aggregated ? AGGREGATED_ACCEPT : 'application/json' }, timeoutMs: 10_000 });
        lat.push(r.ms);
        if (r.status !== 200) {
          failed++;
          continue;
        }
        if (Number.isNaN(hungListedAfterMs) && groupNames(r.body).includes(HUNG_GROUP)) hungListedAfterMs = performance.now() - created;
      }
      const firstSecond: FirstSecond = { requests: lat.length, failed, max: Math.max(...lat), p50: percentile(lat, 50), hungListedAfterMs };

      // The documents as they are now (sizes and group counts, for the log).
      const legacyDoc = await httpsExpect(t, 'GET', '/apis', [200], { agent: conn });
      const aggDoc = await httpsExpect(t, 'GET', '/apis', [200], { agent: conn, headers: { Accept: AGGREGATED_ACCEPT } });

      const common = { method: 'GET' as const, connections: 1, warmupSec: o.warmupSec, amount: o.requests };
      const legacy = await runLoad({ ...common, url: `${kage.url}/apis`, headers: { Authorization: `Bearer ${t.token}`, Accept: 'application/json' } });
      const aggregated = await runLoad({ ...common, url: `${kage.url}/apis`, headers: { Authorization: `Bearer ${t.token}`, Accept: AGGREGATED_ACCEPT } });

      const hungObj = await httpsExpect(t, 'GET', `/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.${HUNG_GROUP}`, [200], { agent: conn });
      const cond = (JSON.parse(hungObj.body.toString('utf8')) as { status?: { conditions?: { type: string; status: string; reason?: string }[] } })
        .status?.conditions?.find((c) => c.type === 'Available');
      return {
        remoteAPIServices: o.remoteAPIServices,
        legacyGroups: groupNames(legacyDoc.body).length,
        aggregatedGroups: groupNames(aggDoc.body).length,
        legacyBytes: legacyDoc.body.length,
        aggregatedBytes: aggDoc.body.length,
        firstSecond,
        legacy,
        aggregated,
        hungAvailable: cond ? `${cond.status}${cond.reason ? ` (${cond.reason})` : ''}` : 'none yet',
      };
    } finally {
      conn.destroy();
    }
  } finally {
    agent.destroy();
  }
}
