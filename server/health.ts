// /healthz, /livez and /readyz: "ok", or the list of checks with ?verbose, as the real server prints them.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HealthCheck = { name: string; check: () => boolean };

const ENDPOINTS = new Set(['healthz', 'livez', 'readyz']);

/** Answers health paths; returns false for any other path. */
export function serveHealth(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, checks: HealthCheck[]): boolean {
  const segs = path.split('/').filter(Boolean);
  const endpoint = segs[0];
  if (!endpoint || !ENDPOINTS.has(endpoint) || segs.length > 2) return false;
  const excluded = new Set(query.getAll('exclude'));
  const selected = segs.length === 2 ? checks.filter((c) => c.name === segs[1]) : checks.filter((c) => !excluded.has(c.name));
  if (segs.length === 2 && selected.length === 0) {
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('404 page not found\n');
    return true;
  }
  const results = selected.map((c) => ({ name: c.name, ok: safe(c.check) }));
  const ok = results.every((r) => r.ok);
  let body: string;
  if (query.has('verbose') || !ok) {
    body = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`)).join('\n');
    body += ok ? `\n${endpoint} check passed\n` : `\n${endpoint} check failed\n`;
  } else {
    body = 'ok';
  }
  res.statusCode = ok ? 200 : 500;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function safe(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
