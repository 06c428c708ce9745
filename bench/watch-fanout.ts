// Figure 5: one write reaching 100 open watchers. 100 watch streams are opened over HTTPS (one connection
// each), then writes are sent one at a time a few ms apart; for every watcher the latency is the time from
// just before the write was sent to the arrival of the event line naming the written object.
// The 100 streams are read in this process, so the reading is kept lean: only the name is looked for.
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { configMapBody, configMapName } from './objects.js';
import { httpsExpect, keepAliveAgent, percentile, sleep, type HttpsTarget } from './util.js';

export interface WatchTarget {
  target: HttpsTarget;
  /** path of a watch request, from the current state on */
  watchPath: string;
  /** path a write (POST of a new ConfigMap) goes to */
  writePath: string;
}

export interface WatchResult {
  watchers: number;
  writes: number;
  delivered: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
  /** median over writes of the time to the write's own HTTP response */
  writeAckP50: number;
}

const PREFIX = 'bw-';
const MARK = `"name":"${PREFIX}`;

interface Stream {
  req: ClientRequest;
  status: number;
}

export async function measureWatchFanout(
  w: WatchTarget,
  o: { watchers: number; writes: number; warmupWrites: number; gapMs: number; drainMs: number },
): Promise<WatchResult> {
  const total = o.warmupWrites + o.writes;
  const sentAt = new Float64Array(total).fill(NaN);
  // latency[w * total + i] = ms for watcher w to see write i (NaN = not seen)
  const latency = new Float64Array(o.watchers * total).fill(NaN);
  const seenCount = new Int32Array(total);
  const streams: Stream[] = [];

  const open = (idx: number): Promise<Stream> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (w.target.token) headers['Authorization'] = `Bearer ${w.target.token}`;
      const req = request({ host: w.target.host, port: w.target.port, path: w.watchPath, method: 'GET', ca: w.target.ca, headers, agent: false });
      const s: Stream = { req, status: 0 };
      req.on('response', (res) => {
        s.status = res.statusCode ?? 0;
        if (s.status !== 200) {
          res.resume();
          reject(new Error(`watch ${w.watchPath}: HTTP ${s.status}`));
          return;
        }
        res.setEncoding('latin1');
        let carry = '';
        const base = idx * total;
        res.on('data', (chunk: string) => {
          const now = performance.now();
          const text = carry.length ? carry + chunk : chunk;
          let from = 0;
          for (;;) {
            const nl = text.indexOf('\n', from);
            if (nl < 0) break;
            const at = text.indexOf(MARK, from);
            if (at >= 0 && at < nl) {
              const i = Number(text.slice(at + MARK.length, at + MARK.length + 5));
              if (i >= 0 && i < total && Number.isNaN(latency[base + i]!)) {
                latency[base + i] = now - sentAt[i]!;
                seenCount[i]!++;
              }
            }
            from = nl + 1;
          }
          carry = from < text.length ? text.slice(from) : '';
        });
        res.on('error', () => undefined);
        resolve(s);
      });
      req.on('error', (err) => {
        if (s.status === 0) reject(err);
      });
      req.end();
    });

  try {
    for (let i = 0; i < o.watchers; i += 20) {
      const batch = await Promise.allSettled(Array.from({ length: Math.min(20, o.watchers - i) }, (_, j) => open(i + j)));
      for (const b of batch) if (b.status === 'fulfilled') streams.push(b.value);
      const failed = batch.find((b): b is PromiseRejectedResult => b.status === 'rejected');
      if (failed) throw failed.reason;
    }

    const agent = keepAliveAgent(w.target.ca, 1);
    const ackMs: number[] = [];
    const write = async (i: number): Promise<void> => {
      const body = configMapBody(configMapName(PREFIX, i));
      sentAt[i] = performance.now();
      const r = await httpsExpect(w.target, 'POST', w.writePath, [201], { agent, body });
      if (i >= o.warmupWrites) ackMs.push(r.ms);
    };
    try {
      // Warm-up writes: each must reach every watcher before the next, so the streams are known to be
      // registered (and warm) before the measured writes begin.
      for (let i = 0; i < o.warmupWrites; i++) {
        await write(i);
        const until = performance.now() + 5000;
        while (seenCount[i]! < o.watchers && performance.now() < until) await sleep(2);
        if (seenCount[i]! < o.watchers) throw new Error(`warm-up write ${i} reached ${seenCount[i]} of ${o.watchers} watchers`);
      }
      for (let i = o.warmupWrites; i < total; i++) {
        await write(i);
        await sleep(o.gapMs);
      }
      const until = performance.now() + o.drainMs;
      while (performance.now() < until) {
        let done = true;
        for (let i = o.warmupWrites; i < total; i++) if (seenCount[i]! < o.watchers) done = false;
        if (done) break;
        await sleep(10);
      }
    } finally {
      agent.destroy();
    }

    const lat: number[] = [];
    for (let s = 0; s < o.watchers; s++) {
      for (let i = o.warmupWrites; i < total; i++) {
        const v = latency[s * total + i]!;
        if (!Number.isNaN(v)) lat.push(v);
      }
    }
    const expected = o.watchers * o.writes;
    return {
      watchers: o.watchers,
      writes: o.writes,
      delivered: lat.length,
      missed: expected - lat.length,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: percentile(lat, 100),
      writeAckP50: percentile(ackMs, 50),
    };
  } finally {
    for (const s of streams) s.req.destroy();
  }
}
