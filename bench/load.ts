// Runs the autocannon load worker (bench/load-worker.ts) as a separate process and returns its figures.
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './load-worker.js';
import { REPO_ROOT } from './kage-process.js';
import { spawnTracked, stopChild } from './util.js';

export type { LoadResult, LoadSpec };

export function runLoad(spec: LoadSpec, timeoutMs = 120_000): Promise<LoadResult> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'load-worker.ts'), JSON.stringify(spec)], {
    cwd: REPO_ROOT,
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (err.length < 20_000) err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child, 1000);
      reject(new Error(`load worker did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`load worker failed (exit ${code}): ${err.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(line) as LoadResult);
    });
  });
}
