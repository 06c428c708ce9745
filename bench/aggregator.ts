// The aggregator figures: starts the sample extension API server twice (a healthy one, and one whose discovery
// hangs), runs the proxy figure (aggregator-proxy.ts) and then the /apis figure (aggregator-discovery.ts) against
// a running kage, stops both samples whatever happens, and turns the results into table rows.
import { measureAggregatorDiscovery, benchServiceSans, type AggregatorDiscoveryResult } from './aggregator-discovery.js';
import { measureAggregatorProxy, setUpWardle, WARDLE_SAN, type AggregatorProxyResult } from './aggregator-proxy.js';
import type { KageProcess } from './kage-process.js';
import type { Row } from './report.js';
import { launchSample, type SampleProcess } from './sample-process.js';
import { stopChild } from './util.js';

export interface AggregatorSettings {
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** proxied/direct rounds (alternating order), reported as medians */
  rounds: number;
  /** length of the one-connection (sequential) runs of the same GETs */
  sequentialSec: number;
  /** remote APIServices registered for the /apis figure, the hung one included */
  discoveryAPIServices: number;
  /** sequential /apis requests measured per Accept */
  discoveryRequests: number;
  discoveryWarmupSec: number;
}

export interface AggregatorResult {
  proxy: AggregatorProxyResult;
  discovery: AggregatorDiscoveryResult;
}

const fmt = (x: number): string => x.toFixed(2);

export async function measureAggregator(kage: KageProcess, s: AggregatorSettings, log: (msg: string) => void): Promise<AggregatorResult> {
  const samples: SampleProcess[] = [];
  try {
    const healthy = await launchSample(kage.dataDir, [WARDLE_SAN, ...benchServiceSans()]);
    samples.push(healthy);
    const availableAfterMs = await setUpWardle(kage, healthy);
    log(`  sample-apiserver on port ${healthy.port} registered as v1alpha1.wardle.example.com (Available after ${availableAfterMs} ms)`);

    log(`aggregator proxy: GET flunder c=${s.connections}, ${s.rounds} rounds of ${s.warmupSec} s warm-up + ${s.durationSec} s through kage and straight to the sample (alternating order; medians)`);
    const proxy = await measureAggregatorProxy(kage, healthy, { connections: s.connections, warmupSec: s.warmupSec, durationSec: s.durationSec, sequentialSec: s.sequentialSec, availableAfterMs, rounds: s.rounds });
    for (const [i, r] of proxy.rounds.entries()) {
      log(`  round ${i + 1}: via kage ${r.proxied.rps.toFixed(0)} req/s p50 ${fmt(r.proxied.p50)} ms; direct ${r.direct.rps.toFixed(0)} req/s p50 ${fmt(r.direct.p50)} ms; ratio ${(r.ratio * 100).toFixed(0)} %, +${fmt(r.addedP50)} ms p50`);
    }
    log(`  via kage ${proxy.proxied.rps.toFixed(0)} req/s p50 ${fmt(proxy.proxied.p50)} p99 ${fmt(proxy.proxied.p99)} ms (non-2xx ${proxy.proxied.non2xx}, errors ${proxy.proxied.errors}, body ${proxy.bodyBytesProxied} B); direct ${proxy.direct.rps.toFixed(0)} req/s p50 ${fmt(proxy.direct.p50)} p99 ${fmt(proxy.direct.p99)} ms (non-2xx ${proxy.direct.non2xx}, errors ${proxy.direct.errors}, body ${proxy.bodyBytesDirect} B); median ratio ${(proxy.ratio * 100).toFixed(0)} %, median +${fmt(proxy.addedP50)} ms p50`);
    const q = proxy.sequential;
    log(`  one at a time (c=1, ${s.sequentialSec} s): via kage p50 ${fmt(q.proxied.p50)} p99 ${fmt(q.proxied.p99)} ms (${q.proxied.rps.toFixed(0)} req/s); direct p50 ${fmt(q.direct.p50)} p99 ${fmt(q.direct.p99)} ms (${q.direct.rps.toFixed(0)} req/s); +${fmt(q.addedP50)} ms p50`);
    for (const [what, r] of [['via kage', proxy.proxied], ['direct', proxy.direct], ['via kage c=1', q.proxied], ['direct c=1', q.direct]] as const) {
      if (r.non2xx || r.errors) log(`  ${what}: status codes ${JSON.stringify(r.statusCodes)}, errors ${r.errors}`);
    }

    const hung = await launchSample(kage.dataDir, [], ['--misbehave', 'hang-discovery']);
    samples.push(hung);
    log(`aggregator /apis: ${s.discoveryAPIServices} remote APIServices (one backend hung), ${s.discoveryRequests} sequential requests per Accept after ${s.discoveryWarmupSec} s warm-up`);
    const discovery = await measureAggregatorDiscovery(kage, healthy, hung, {
      remoteAPIServices: s.discoveryAPIServices,
      alreadyRegistered: 1,
      requests: s.discoveryRequests,
      warmupSec: s.discoveryWarmupSec,
    });
    const f = discovery.firstSecond;
    log(`  first second after registering the hung backend: ${f.requests} requests, ${f.failed} failed, p50 ${fmt(f.p50)} max ${fmt(f.max)} ms; hung group listed after ${Number.isNaN(f.hungListedAfterMs) ? 'n/a' : f.hungListedAfterMs.toFixed(0)} ms`);
    log(`  legacy ${discovery.legacyGroups} groups ${discovery.legacyBytes} B: p50 ${fmt(discovery.legacy.p50)} p99 ${fmt(discovery.legacy.p99)} max ${fmt(discovery.legacy.max)} ms (${discovery.legacy.rps.toFixed(0)} req/s, non-2xx ${discovery.legacy.non2xx})`);
    log(`  aggregated ${discovery.aggregatedGroups} groups ${discovery.aggregatedBytes} B: p50 ${fmt(discovery.aggregated.p50)} p99 ${fmt(discovery.aggregated.p99)} max ${fmt(discovery.aggregated.max)} ms (${discovery.aggregated.rps.toFixed(0)} req/s, non-2xx ${discovery.aggregated.non2xx})`);
    log(`  hung APIService: Available ${discovery.hungAvailable}`);
    return { proxy, discovery };
  } finally {
    await Promise.all(samples.map((p) => stopChild(p.child)));
  }
}

export function aggregatorRows(r: AggregatorResult, connections: number): Row[] {
  const { proxy: p, discovery: d } = r;
  return [
    {
      section: 'aggregator — baseline column: the same GET straight to the sample extension API server (front-proxy cert + X-Remote-User)',
      figure: `GET flunder via aggregator c=${connections}`, kage: p.proxied.rps, unit: 'req/s', baseline: p.direct.rps, anchor: '3,255 vs 12,522 req/s',
    },
    { figure: '  proxied ÷ direct', kage: p.ratio * 100, unit: '%', target: { op: '≥', value: 70 }, baseline: NaN, noBaseline: true, anchor: '26 %' },
    { figure: '  p50', kage: p.proxied.p50, unit: 'ms', baseline: p.direct.p50, anchor: '' },
    { figure: '  added p50 latency', kage: p.addedP50, unit: 'ms', target: { op: '<', value: 1 }, baseline: NaN, noBaseline: true, anchor: '+6.7 ms' },
    { figure: '  p99', kage: p.proxied.p99, unit: 'ms', baseline: p.direct.p99, anchor: '' },
    { figure: '  one at a time (c=1): p50', kage: p.sequential.proxied.p50, unit: 'ms', baseline: p.sequential.direct.p50, anchor: '' },
    { figure: '  one at a time: added p50', kage: p.sequential.addedP50, unit: 'ms', baseline: NaN, noBaseline: true, anchor: '' },
    {
      section: `/apis with ${d.remoteAPIServices} remote APIServices, one backend hung (sequential requests, keep-alive; no baseline)`,
      figure: `/apis legacy p50 (${d.legacyGroups} groups)`, kage: d.legacy.p50, unit: 'ms', baseline: NaN, noBaseline: true, anchor: '',
    },
    { figure: '  /apis legacy p99', kage: d.legacy.p99, unit: 'ms', target: { op: '<', value: 10 }, baseline: NaN, noBaseline: true, anchor: '2.4 ms' },
    { figure: `/apis aggregated p50 (${d.aggregatedGroups} groups)`, kage: d.aggregated.p50, unit: 'ms', baseline: NaN, noBaseline: true, anchor: '' },
    { figure: '  /apis aggregated p99', kage: d.aggregated.p99, unit: 'ms', target: { op: '<', value: 10 }, baseline: NaN, noBaseline: true, anchor: '2.7 ms' },
    {
      figure: `/apis in the 1st s after hung backend registered, max of ${d.firstSecond.requests}`,
      kage: d.firstSecond.failed > 0 ? NaN : d.firstSecond.max, unit: 'ms', target: { op: '<', value: 50 }, baseline: NaN, noBaseline: true, anchor: '',
    },
  ];
}
