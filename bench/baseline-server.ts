// The baseline: a plain Node `https` server (no framework, no storage), started with `node -e` as its own
// process, answering the same shapes of request as the kage figures need:
//   GET  /readyz      "ok"
//   GET  /fixed       a fixed ~500-byte JSON body (a ConfigMap-shaped object)
//   PUT  /list-body   remembers the request body; GET /list returns it (the LIST baseline: same bytes)
//   POST /create      parses the JSON body, stamps a resourceVersion, keeps it in a Map, answers 201 with it
//   GET  /watch       a chunked stream; POST /write sends `{"type":"ADDED","object":…}\n` to every open stream
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, pollReady, spawnTracked, stopChild, type HttpsTarget } from './util.js';

/** The server, as plain JavaScript for `node -e` (kept free of TypeScript so it starts as fast as node can). */
export const BASELINE_SOURCE = String.raw`
const https = require('node:https');
const fs = require('node:fs');
const pad = 'x'.repeat(500);
let fixedObj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'bench-get', namespace: 'default',
  uid: '6f1c1d5e-0000-4000-8000-000000000000', resourceVersion: '12', creationTimestamp: '2026-01-01T00:00:00Z' },
  data: { key: '' } };
fixedObj.data.key = pad.slice(0, 500 - JSON.stringify(fixedObj).length);
const fixed = Buffer.from(JSON.stringify(fixedObj));
let listBody = Buffer.from('{}');
let rv = 100;
const objects = new Map();
const watchers = new Set();
function readBody(req, cb) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => cb(Buffer.concat(chunks)));
}
function json(res, code, buf) {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}
const server = https.createServer({ key: fs.readFileSync(process.env.BASE_KEY), cert: fs.readFileSync(process.env.BASE_CERT) }, (req, res) => {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (req.method === 'GET' && path === '/fixed') return json(res, 200, fixed);
  if (req.method === 'GET' && path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('ok');
  }
  if (req.method === 'GET' && path === '/list') return json(res, 200, listBody);
  if (req.method === 'PUT' && path === '/list-body') return readBody(req, (b) => { listBody = b; json(res, 200, Buffer.from('{}')); });
  if (req.method === 'POST' && (path === '/create' || path === '/write')) {
    return readBody(req, (b) => {
      let obj;
      try { obj = JSON.parse(b.toString('utf8')); } catch { return json(res, 400, Buffer.from('{"error":"bad json"}')); }
      const md = obj.metadata || (obj.metadata = {});
      if (objects.has(md.name)) return json(res, 409, Buffer.from('{"error":"exists"}'));
      md.resourceVersion = String(++rv);
      const text = JSON.stringify(obj);
      objects.set(md.name, text);
      if (path === '/write') {
        const line = '{"type":"ADDED","object":' + text + '}\n';
        for (const w of watchers) w.write(line);
      }
      json(res, 201, Buffer.from(text));
    });
  }
  if (req.method === 'GET' && path === '/watch') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    watchers.add(res);
    res.on('close', () => watchers.delete(res));
    return;
  }
  json(res, 404, Buffer.from('{"error":"not found"}'));
});
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
server.listen(Number(process.env.BASE_PORT), '127.0.0.1');
process.on('SIGTERM', () => { for (const w of watchers) w.end(); server.close(() => process.exit(0)); server.closeAllConnections(); });
`;

export interface BaselineProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  readyMs: number;
  target: HttpsTarget;
  stop(): Promise<void>;
}

/** Starts the baseline with kage's serving certificate and key (same key type, same CA as kage). */
export async function launchBaseline(pkiDir: string): Promise<BaselineProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnTracked(process.execPath, ['-e', BASELINE_SOURCE], {
    env: {
      ...process.env,
      BASE_PORT: String(port),
      BASE_KEY: join(pkiDir, 'apiserver.key'),
      BASE_CERT: join(pkiDir, 'apiserver.crt'),
    },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < 10_000) stderr += d;
  });
  child.stdout?.resume();
  let readyAt: number;
  try {
    readyAt = await pollReady(port, child);
  } catch (err) {
    await stopChild(child, 1000);
    throw new Error(`baseline server did not start: ${(err as Error).message}\n${stderr}`);
  }
  return {
    child,
    pid: child.pid!,
    port,
    readyMs: readyAt - started,
    target: { host: '127.0.0.1', port, ca: readFileSync(join(pkiDir, 'ca.crt'), 'utf8') },
    stop: () => stopChild(child),
  };
}
