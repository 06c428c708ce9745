// `npm run bench`: starts kage and a plain Node https baseline on 127.0.0.1, measures the figures of the
// performance issue, stops everything it started, and prints a table (or JSON with --json).
//
//   --json     print the results as JSON on stdout (progress still goes to stderr)
//   --quick    shorter runs (for trying the bench out; figures are then rougher)
//   --aggregator-only   only the aggregator figures (proxy vs direct, /apis with a hung backend)
//
// Environment: KAGE_BENCH_MAIN=<path to main.js> (default dist/bundle/main.js),
//              KAGE_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (extra node flags for kage),
//              KAGE_BENCH_SAMPLE=<path to the sample-apiserver's main.js> (default: next to KAGE_BENCH_MAIN's dist/),
//              KAGE_BENCH_SAMPLE_NODE_ARGS (extra node flags for the sample extension API servers).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { aggregatorRows, measureAggregator, type AggregatorSettings } from './aggregator.js';
import { launchBaseline, type BaselineProcess } from './baseline-server.js';
import { measureCreates, ensureNamespace } from './creates.js';
import { measureGet } from './get.js';
import { launchKage, REPO_ROOT, kageMain, type KageProcess } from './kage-process.js';
import { measureList } from './list.js';
import { measureOpenAPI, openapiRows } from './openapi.js';
import { measurePatches, patchRows } from './patch.js';
import { printTable, type Row } from './report.js';
import { measureRss } from './rss.js';
import { measureStartup } from './startup.js';
import { httpsExpect, killAllChildren, removeTempDirs, stopChild } from './util.js';
import { measureWatchFanout } from './watch-fanout.js';

const args = new Set(process.argv.slice(2));
const asJson = args.has('--json');
const quick = args.has('--quick');
const aggregatorOnly = args.has('--aggregator-only');

const S = {
  startupRuns: quick ? 3 : 5,
  connections: 32,
  warmupSec: 2,
  durationSec: quick ? 3 : 10,
  createCount: quick ? 2000 : 10_000,
  createWarmupSec: 1,
  listRuns: quick ? 5 : 10,
  watchers: 100,
  watchWrites: quick ? 50 : 200,
  watchWarmupWrites: 5,
  watchGapMs: 5,
  watchDrainMs: 3000,
  /** sequential PATCHes (each after a GET of the same object) per kind of patch, after a warm-up */
  patch: { requests: 300, warmup: quick ? 30 : 100 },
  /** sequential GETs of /openapi/v3/apis/apps/v1 (and of the same bytes from the baseline), after a warm-up */
  openapi: { requests: 300, warmup: quick ? 30 : 100 },
  aggregator: {
    connections: 32,
    warmupSec: 2,
    durationSec: quick ? 3 : 10,
    rounds: quick ? 1 : 3,
    sequentialSec: quick ? 1 : 2,
    discoveryAPIServices: 50,
    discoveryRequests: quick ? 1000 : 2500,
    discoveryWarmupSec: 1,
  } satisfies AggregatorSettings,
  /** the whole run is cut off (and everything killed) after this */
  deadlineMs: 240_000,
};

const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

function sh(cmd: string, argv: string[]): string {
  try {
    return execFileSync(cmd, argv, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  let autocannon = '';
  try {
    autocannon = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // not installed: runLoad will fail with a clear error
  }
  return {
    kage: pkg.version,
    git: sh('git', ['describe', '--always', '--dirty', '--tags']) || 'unknown',
    node: process.version,
    autocannon,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadavgAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    server: kageMain(),
  };
}

const deadline = setTimeout(() => {
  process.stderr.write(`[bench] deadline of ${S.deadlineMs / 1000} s passed: stopping everything\n`);
  killAllChildren();
  removeTempDirs();
  process.exit(3);
}, S.deadlineMs);
deadline.unref();

process.on('exit', () => {
  killAllChildren();
  removeTempDirs();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllChildren();
    removeTempDirs();
    process.exit(130);
  });
}

/** The figures of the performance issue (everything but the aggregator's), against one running kage. */
async function coreFigures(
  kage: KageProcess,
  base: BaselineProcess,
  startup: Awaited<ReturnType<typeof measureStartup>>,
  rss: Awaited<ReturnType<typeof measureRss>>,
): Promise<{ results: Record<string, unknown>; rows: Row[] }> {
  log(`GET c=${S.connections}: ${S.warmupSec} s warm-up + ${S.durationSec} s, kage then baseline`);
  const get = await measureGet(kage, base, { connections: S.connections, warmupSec: S.warmupSec, durationSec: S.durationSec });
  log(`  kage ${get.kage.rps.toFixed(0)} req/s p50 ${get.kage.p50.toFixed(2)} p99 ${get.kage.p99.toFixed(2)} ms (non-2xx ${get.kage.non2xx}, errors ${get.kage.errors}, body ${get.kageBodyBytes} B); baseline ${get.baseline.rps.toFixed(0)} req/s (body ${get.baselineBodyBytes} B)`);

  log(`create ${S.createCount} ConfigMaps c=${S.connections}`);
  const creates = await measureCreates(kage, base, { namespace: 'bench-list', count: S.createCount, connections: S.connections, warmupSec: S.createWarmupSec });
  log(`  kage ${creates.kage.rps.toFixed(0)}/s (ok ${creates.kage.ok}, non-2xx ${creates.kage.non2xx} ${JSON.stringify(creates.kage.statusCodes)}); baseline ${creates.baseline.rps.toFixed(0)}/s`);

  log(`LIST ${S.createCount} ConfigMaps × ${S.listRuns}`);
  const list = await measureList(kage, base, { namespace: 'bench-list', runs: S.listRuns, expectItems: creates.kage.ok + 1 }); // + kube-root-ca.crt, in every namespace
  log(`  kage ${list.kageMs.map((x) => x.toFixed(0)).join(' ')} ms; baseline ${list.baselineMs.map((x) => x.toFixed(0)).join(' ')} ms; ${list.bodyBytes} bytes`);

  log(`watch fan-out: ${S.watchers} watchers, ${S.watchWrites} writes ${S.watchGapMs} ms apart`);
  await ensureNamespace(kage.target, 'bench-watch');
  const rvReply = await httpsExpect(kage.target, 'GET', '/api/v1/namespaces/bench-watch/configmaps?limit=1', [200]);
  const rv = (JSON.parse(rvReply.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const wo = { watchers: S.watchers, writes: S.watchWrites, warmupWrites: S.watchWarmupWrites, gapMs: S.watchGapMs, drainMs: S.watchDrainMs };
  const watchKage = await measureWatchFanout(
    { target: kage.target, watchPath: `/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=${rv}`, writePath: '/api/v1/namespaces/bench-watch/configmaps' },
    wo,
  );
  const watchBase = await measureWatchFanout({ target: base.target, watchPath: '/watch', writePath: '/write' }, wo);
  log(`  kage p50 ${watchKage.p50.toFixed(2)} p99 ${watchKage.p99.toFixed(2)} ms, missed ${watchKage.missed}; baseline p50 ${watchBase.p50.toFixed(2)} p99 ${watchBase.p99.toFixed(2)} ms, missed ${watchBase.missed}`);

  const { dataDirs: _dirs, ...startupFigures } = startup;
  const results = { startup: startupFigures, rss, get, creates, list, watch: { kage: watchKage, baseline: watchBase } };
  const MiB = 2 ** 20;
  const rows: Row[] = [
    { figure: 'start → /readyz (fresh dir)', kage: startup.freshMedian, unit: 'ms', target: { op: '<', value: 300 }, baseline: startup.baselineMedian, anchor: '3.7–4.4 s' },
    { figure: 'start → /readyz (existing dir)', kage: startup.existingMedian, unit: 'ms', target: { op: '<', value: 300 }, baseline: startup.baselineMedian, anchor: '3.7–4.4 s' },
    { figure: '  of which: loading modules', kage: startup.moduleLoadMedian, unit: 'ms', baseline: startup.baselineModuleLoadMedian, anchor: '' },
    { figure: 'idle RSS', kage: rss.kageBytes / MiB, unit: 'MiB', target: { op: '<', value: 80 }, baseline: rss.baselineBytes / MiB, anchor: '276 MB' },
    { figure: `GET configmap c=${S.connections}`, kage: get.kage.rps, unit: 'req/s', target: { op: '≥', value: 5000 }, baseline: get.baseline.rps, anchor: '3,043 req/s' },
    { figure: '  GET p50', kage: get.kage.p50, unit: 'ms', baseline: get.baseline.p50, anchor: '9.6 ms' },
    { figure: '  GET p99', kage: get.kage.p99, unit: 'ms', baseline: get.baseline.p99, anchor: '36 ms' },
    { figure: `create configmap c=${S.connections}`, kage: creates.kage.rps, unit: '/s', target: { op: '≥', value: 1560 }, baseline: creates.baseline.rps, anchor: '1,560 /s' },
    { figure: `LIST ${list.items.toLocaleString('en-US')} cms (${(list.bodyBytes / 1e6).toFixed(1)} MB)`, kage: list.kageMedian, unit: 'ms', target: { op: '<', value: 150 }, baseline: list.baselineMedian, anchor: '135 ms (4.6 MB)' },
    { figure: `write → ${S.watchers} watchers p50`, kage: watchKage.p50, unit: 'ms', baseline: watchBase.p50, anchor: '6.5 ms' },
    { figure: `write → ${S.watchers} watchers p99`, kage: watchKage.p99, unit: 'ms', target: { op: '<', value: 20 }, baseline: watchBase.p99, anchor: '17 ms' },
    { figure: '  missed watch events', kage: watchKage.missed, unit: '', target: { op: '=', value: 0 }, baseline: watchBase.missed, anchor: 'none', noRatio: true },
  ];
  return { results, rows };
}

/** Strategic merge patch and server-side apply of a 10-container Deployment, and the warm OpenAPI v3 document. */
async function patchAndOpenAPIFigures(kage: KageProcess, base: BaselineProcess): Promise<{ results: Record<string, unknown>; rows: Row[] }> {
  log(`patch: ${S.patch.requests} strategic merge patches, then ${S.patch.requests} server-side applies, of a Deployment with 10 containers, each after a GET of it`);
  const patch = await measurePatches(kage, S.patch);
  for (const [what, f] of [['strategic merge patch', patch.strategic], ['server-side apply', patch.apply]] as const) {
    if (!f.available) log(`  ${what}: not served (HTTP ${f.status})`);
    else log(`  ${what}: round trip p50 ${f.patchMedian.toFixed(2)} p99 ${f.patchP99.toFixed(2)} ms; GET p50 ${f.getMedian.toFixed(2)} p99 ${f.getP99.toFixed(2)} ms; server time p50 ${f.serverMedian.toFixed(2)} ms (${f.objectBytes} B)`);
  }
  log(`OpenAPI: ${S.openapi.requests} sequential GETs of /openapi/v3/apis/apps/v1, then of the same bytes from the baseline`);
  const openapi = await measureOpenAPI(kage, base, S.openapi);
  log(`  first (cold) ${openapi.firstMs.toFixed(1)} ms; warm p50 ${openapi.median.toFixed(2)} p99 ${openapi.p99.toFixed(2)} ms (${openapi.bytes} B); baseline p50 ${openapi.baselineMedian.toFixed(2)} p99 ${openapi.baselineP99.toFixed(2)} ms`);
  return { results: { patch, openapi }, rows: [...patchRows(patch), ...openapiRows(openapi)] };
}

async function main(): Promise<void> {
  const started = Date.now();
  const v = versions();
  log(`kage ${v.kage} (${v.git}), node ${v.node}, autocannon ${v.autocannon}, ${v.cpu}, load average ${v.loadavgAtStart}`);

  let before: { startup: Awaited<ReturnType<typeof measureStartup>>; rss: Awaited<ReturnType<typeof measureRss>> } | undefined;
  if (!aggregatorOnly) {
    log(`startup: ${S.startupRuns} fresh, ${S.startupRuns} existing data dir, ${S.startupRuns} baseline`);
    const startup = await measureStartup(S.startupRuns);
    log(`  kage fresh ${startup.freshMs.map((x) => x.toFixed(0)).join(' ')} ms; existing ${startup.existingMs.map((x) => x.toFixed(0)).join(' ')} ms; baseline ${startup.baselineMs.map((x) => x.toFixed(0)).join(' ')} ms`);
    log(`  "${startup.listeningLine}"`);
    log(`  module loading alone (kage --version, spawn → exit): ${startup.moduleLoadMedian.toFixed(0)} ms; node -e "require('node:https')": ${startup.baselineModuleLoadMedian.toFixed(0)} ms`);

    log('idle RSS');
    const rss = await measureRss(startup.dataDirs[1] ?? startup.dataDirs[0]!);
    log(`  kage ${(rss.kageBytes / 2 ** 20).toFixed(1)} MiB (at ready ${(rss.kageAtReadyBytes / 2 ** 20).toFixed(1)}), baseline ${(rss.baselineBytes / 2 ** 20).toFixed(1)} MiB`);
    before = { startup, rss };
  }

  let kage = await launchKage();
  const base = before ? await launchBaseline(join(kage.dataDir, 'pki')) : undefined;
  try {
    const rows: Row[] = [];
    let core: Record<string, unknown> = {};
    if (before && base) {
      const c = await coreFigures(kage, base, before.startup, before.rss);
      core = c.results;
      rows.push(...c.rows);
      const p = await patchAndOpenAPIFigures(kage, base);
      core = { ...core, ...p.results };
      rows.push(...p.rows);
      // The baseline server is done: it stays out of the aggregator figures' way.
      await stopChild(base.child);
      // The aggregator figures get a kage of their own, as --aggregator-only does: the core figures leave ~20,000
      // objects behind, whose heap makes every later request of that process ~5 % dearer (GC, caches), which is
      // a figure of its own, not the proxy's.
      await stopChild(kage.child);
      kage = await launchKage();
    }

    const aggregator = await measureAggregator(kage, S.aggregator, log);
    rows.push(...aggregatorRows(aggregator, S.aggregator.connections));

    v.loadavgAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');
    const results = { versions: v, settings: S, ...core, aggregator, seconds: (Date.now() - started) / 1000 };
    if (asJson) {
      process.stdout.write(`${JSON.stringify({ ...results, rows }, null, 2)}\n`);
    } else {
      printTable(rows, v, quick, (Date.now() - started) / 1000);
    }
  } finally {
    await Promise.all([stopChild(kage.child), ...(base ? [stopChild(base.child)] : [])]);
  }
}

main()
  .then(() => {
    killAllChildren();
    removeTempDirs();
    process.exit(0);
  })
  .catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    killAllChildren();
    removeTempDirs();
    process.exit(1);
  });
