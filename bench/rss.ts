// Figure 2: resident memory (VmRSS) of a freshly started server after a handful of requests, once it has
// settled; kage against the plain Node https baseline.
import { join } from 'node:path';
import { launchBaseline } from './baseline-server.js';
import { launchKage } from './kage-process.js';
import { configMapBody } from './objects.js';
import { httpsCall, httpsExpect, keepAliveAgent, readRss, sleep, type HttpsTarget } from './util.js';

export interface RssResult {
  kageBytes: number;
  baselineBytes: number;
  /** kage's RSS right after /readyz, before the requests */
  kageAtReadyBytes: number;
}

/** Samples every 250 ms until four samples in a row lie within 1 % (or maxMs passes); the last sample. */
async function settledRss(pid: number, maxMs = 6000): Promise<number> {
  const samples: number[] = [];
  const until = Date.now() + maxMs;
  for (;;) {
    samples.push(readRss(pid));
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) <= 0.01 * Math.max(...last)) break;
    if (Date.now() > until) break;
    await sleep(250);
  }
  return samples[samples.length - 1]!;
}

async function kageRequests(t: HttpsTarget): Promise<void> {
  const agent = keepAliveAgent(t.ca, 2);
  try {
    for (const p of ['/readyz', '/version', '/api', '/apis', '/api/v1', '/api/v1/namespaces', '/api/v1/namespaces/default/configmaps']) {
      await httpsExpect(t, 'GET', p, [200], { agent });
    }
    await httpsExpect(t, 'POST', '/api/v1/namespaces/default/configmaps', [201, 409], { agent, body: configMapBody('rss-probe') });
    await httpsExpect(t, 'GET', '/api/v1/namespaces/default/configmaps/rss-probe', [200], { agent });
    await httpsExpect(t, 'DELETE', '/api/v1/namespaces/default/configmaps/rss-probe', [200], { agent });
  } finally {
    agent.destroy();
  }
}

async function baselineRequests(t: HttpsTarget): Promise<void> {
  const agent = keepAliveAgent(t.ca, 2);
  try {
    for (let i = 0; i < 7; i++) await httpsExpect(t, 'GET', i === 0 ? '/readyz' : '/fixed', [200], { agent });
    await httpsExpect(t, 'POST', '/create', [201], { agent, body: configMapBody('rss-probe') });
    await httpsCall(t, 'GET', '/fixed', { agent });
    await httpsCall(t, 'GET', '/fixed', { agent });
  } finally {
    agent.destroy();
  }
}

/** Starts kage on an existing data dir (no key generation) and the baseline, one after the other. */
export async function measureRss(dataDir: string): Promise<RssResult> {
  const k = await launchKage({ dataDir });
  let kageBytes: number;
  let kageAtReadyBytes: number;
  try {
    kageAtReadyBytes = readRss(k.pid);
    await kageRequests(k.target);
    kageBytes = await settledRss(k.pid);
  } finally {
    await k.stop();
  }
  const b = await launchBaseline(join(dataDir, 'pki'));
  let baselineBytes: number;
  try {
    await baselineRequests(b.target);
    baselineBytes = await settledRss(b.pid);
  } finally {
    await b.stop();
  }
  return { kageBytes, baselineBytes, kageAtReadyBytes };
}
