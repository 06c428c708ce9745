// Figure 4b: LIST of every ConfigMap in one namespace, timed client-side from just before the request to
// its last byte over a warm keep-alive connection; median of `runs`. The baseline serves the very same
// bytes (kage's body, captured) from memory.
import type { BaselineProcess } from './baseline-server.js';
import type { KageProcess } from './kage-process.js';
import { httpsExpect, keepAliveAgent, median, percentile, type HttpsTarget } from './util.js';

export interface ListResult {
  items: number;
  bodyBytes: number;
  kageMs: number[];
  baselineMs: number[];
  kageMedian: number;
  kageMax: number;
  baselineMedian: number;
}

async function timeRuns(t: HttpsTarget, path: string, runs: number): Promise<{ ms: number[]; body: Buffer }> {
  const agent = keepAliveAgent(t.ca, 1);
  try {
    const first = await httpsExpect(t, 'GET', path, [200], { agent }); // warm-up (also opens the connection)
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) ms.push((await httpsExpect(t, 'GET', path, [200], { agent })).ms);
    return { ms, body: first.body };
  } finally {
    agent.destroy();
  }
}

export async function measureList(kage: KageProcess, base: BaselineProcess, o: { namespace: string; runs: number; expectItems: number }): Promise<ListResult> {
  const path = `/api/v1/namespaces/${o.namespace}/configmaps`;
  const k = await timeRuns(kage.target, path, o.runs);
  const parsed = JSON.parse(k.body.toString('utf8')) as { items?: unknown[] };
  const items = parsed.items?.length ?? 0;
  if (items !== o.expectItems) throw new Error(`LIST returned ${items} items, expected ${o.expectItems}`);
  await httpsExpect(base.target, 'PUT', '/list-body', [200], { body: k.body.toString('utf8') });
  const b = await timeRuns(base.target, '/list', o.runs);
  if (b.body.length !== k.body.length) throw new Error('baseline LIST body differs in size');
  return {
    items,
    bodyBytes: k.body.length,
    kageMs: k.ms,
    baselineMs: b.ms,
    kageMedian: median(k.ms),
    kageMax: percentile(k.ms, 100),
    baselineMedian: median(b.ms),
  };
}
