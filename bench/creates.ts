// Figure 4a: creating ConfigMaps over HTTPS at concurrency 32 (the objects the LIST figure reads), against
// the baseline's POST /create (parse, stamp, keep in a Map, answer 201 with the JSON).
import type { BaselineProcess } from './baseline-server.js';
import type { KageProcess } from './kage-process.js';
import { runLoad, type LoadResult } from './load.js';
import { httpsExpect, type HttpsTarget } from './util.js';

export interface CreatesResult {
  kage: LoadResult;
  baseline: LoadResult;
  count: number;
}

export async function ensureNamespace(t: HttpsTarget, name: string): Promise<void> {
  await httpsExpect(t, 'POST', '/api/v1/namespaces', [201, 409], {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
}

export async function measureCreates(
  kage: KageProcess,
  base: BaselineProcess,
  o: { namespace: string; count: number; connections: number; warmupSec: number },
): Promise<CreatesResult> {
  await ensureNamespace(kage.target, o.namespace);
  await ensureNamespace(kage.target, 'bench-warm');
  const kageRes = await runLoad({
    url: `${kage.url}/api/v1/namespaces/${o.namespace}/configmaps`,
    method: 'POST',
    headers: { Authorization: `Bearer ${kage.target.token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    connections: o.connections,
    warmupSec: o.warmupSec,
    amount: o.count,
    create: { namePrefix: 'cm-', warmupUrl: `${kage.url}/api/v1/namespaces/bench-warm/configmaps`, warmupPrefix: 'warm-' },
  });
  const baseRes = await runLoad({
    url: `https://127.0.0.1:${base.port}/create`,
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    connections: o.connections,
    warmupSec: o.warmupSec,
    amount: o.count,
    create: { namePrefix: 'cm-', warmupPrefix: 'warm-' },
  });
  return { kage: kageRes, baseline: baseRes, count: o.count };
}
