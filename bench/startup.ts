// Figure 1: spawn → first 200 from /readyz, for kage (fresh and existing data dir) and for a plain
// `node -e` https server. Each run is a new process; the median of `runs` is reported.
import { join } from 'node:path';
import { launchBaseline } from './baseline-server.js';
import { performance } from 'node:perf_hooks';
import { kageMain, launchKage, REPO_ROOT } from './kage-process.js';
import { median, spawnTracked } from './util.js';

export interface StartupResult {
  freshMs: number[];
  existingMs: number[];
  baselineMs: number[];
  freshMedian: number;
  existingMedian: number;
  baselineMedian: number;
  /** ms from spawn to the "kage listening on" line, median over fresh runs */
  listeningLineMedian: number;
  listeningLine: string;
  /** spawn → exit of `node main.js --version`: loading kage's module graph and nothing else (median) */
  moduleLoadMedian: number;
  /** spawn → exit of `node -e "require('node:https')"` (median) */
  baselineModuleLoadMedian: number;
  /** data dirs made by the fresh runs (kept for later figures: their pki/ has a key and certificate) */
  dataDirs: string[];
}

/** ms from spawn to exit of a process that should exit 0 by itself. */
function timeToExit(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT });
  child.stdout?.resume();
  child.stderr?.resume();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}`));
    });
  });
}

export async function measureStartup(runs: number): Promise<StartupResult> {
  // One unmeasured start of each first, so the file cache holds node, dist/ and node_modules alike.
  const warm = await launchKage();
  await warm.stop();
  const warmBase = await launchBaseline(join(warm.dataDir, 'pki'));
  await warmBase.stop();

  const freshMs: number[] = [];
  const lineMs: number[] = [];
  const dataDirs: string[] = [];
  let listeningLine = '';
  for (let i = 0; i < runs; i++) {
    const k = await launchKage();
    freshMs.push(k.readyMs);
    lineMs.push(k.listeningLineMs);
    listeningLine ||= k.listeningLine;
    dataDirs.push(k.dataDir);
    await k.stop();
  }
  const existingMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const k = await launchKage({ dataDir: dataDirs[i]! });
    existingMs.push(k.readyMs);
    await k.stop();
  }
  const baselineMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await launchBaseline(join(dataDirs[0]!, 'pki'));
    baselineMs.push(b.readyMs);
    await b.stop();
  }
  // Where kage's start goes: `--version` loads the whole module graph (static imports) and exits.
  const loadMs: number[] = [];
  const baseLoadMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    loadMs.push(await timeToExit([kageMain(), '--version']));
    baseLoadMs.push(await timeToExit(['-e', "require('node:https')"]));
  }
  return {
    moduleLoadMedian: median(loadMs),
    baselineModuleLoadMedian: median(baseLoadMs),
    freshMs,
    existingMs,
    baselineMs,
    freshMedian: median(freshMs),
    existingMedian: median(existingMs),
    baselineMedian: median(baselineMs),
    listeningLineMedian: median(lineMs.filter(Number.isFinite)),
    listeningLine,
    dataDirs,
  };
}
