// Figure 3: GET of one ConfigMap over HTTPS keep-alive at concurrency 32 (warm-up, then a timed run),
// against the plain Node https server's fixed ~500-byte JSON body with the same tool and settings.
import type { BaselineProcess } from './baseline-server.js';
import type { KageProcess } from './kage-process.js';
import { runLoad, type LoadResult } from './load.js';
import { configMapBody } from './objects.js';
import { httpsExpect } from './util.js';

export interface GetResult {
  kage: LoadResult;
  baseline: LoadResult;
  kageBodyBytes: number;
  baselineBodyBytes: number;
}

export const GET_NAME = 'bench-get';
export const GET_PATH = `/api/v1/namespaces/default/configmaps/${GET_NAME}`;

export async function measureGet(
  kage: KageProcess,
  base: BaselineProcess,
  o: { connections: number; warmupSec: number; durationSec: number },
): Promise<GetResult> {
  await httpsExpect(kage.target, 'POST', '/api/v1/namespaces/default/configmaps', [201, 409], { body: configMapBody(GET_NAME) });
  const kb = await httpsExpect(kage.target, 'GET', GET_PATH, [200]);
  const bb = await httpsExpect(base.target, 'GET', '/fixed', [200]);
  const common = { method: 'GET' as const, connections: o.connections, warmupSec: o.warmupSec, durationSec: o.durationSec };
  const kageRes = await runLoad({
    ...common,
    url: `${kage.url}${GET_PATH}`,
    headers: { Authorization: `Bearer ${kage.target.token}`, Accept: 'application/json' },
  });
  const baseRes = await runLoad({
    ...common,
    url: `https://127.0.0.1:${base.port}/fixed`,
    headers: { Accept: 'application/json' },
  });
  return { kage: kageRes, baseline: baseRes, kageBodyBytes: kb.body.length, baselineBodyBytes: bb.body.length };
}
