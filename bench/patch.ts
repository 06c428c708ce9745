// Patch figures: a strategic merge patch, and a server-side apply, of a Deployment with 10 containers (× 20 env
// vars, a port, a volume mount and resources each: ~14 kB of JSON), each changing one container's image back and
// forth. "Server time" is the patch's HTTP round trip minus that of a GET of the same object over the same
// keep-alive connection, the two interleaved one after the other so that both see the same conditions: what the
// patch costs beyond reading and sending the object (decode, patch, validate, encode, store).
//
// Server-side apply sends what kubectl and client-go send: the applied configuration as JSON (which is YAML) with
// Content-Type application/apply-patch+yaml and fieldManager=bench, to a Deployment only that manager has written
// (so no conflicts). A server without it answers 415: the figure is then reported as unavailable, not failed.
import { Agent } from 'node:https';
import { ensureNamespace } from './creates.js';
import type { KageProcess } from './kage-process.js';
import type { Row } from './report.js';
import { httpsCall, httpsExpect, median, percentile, type HttpsTarget } from './util.js';

export const PATCH_NAMESPACE = 'bench-patch';
export const CONTAINERS = 10;
const ENV = 20;

export interface PatchFigure {
  /** false: the server does not do this kind of patch (see status) */
  available: boolean;
  /** the status of the first refused request when unavailable */
  status?: number;
  requests: number;
  /** medians and p99s of the round trips, ms */
  patchMedian: number;
  patchP99: number;
  getMedian: number;
  getP99: number;
  /** patchMedian − getMedian */
  serverMedian: number;
  /** bytes of the object as the server answers it */
  objectBytes: number;
}

export interface PatchResult {
  strategic: PatchFigure;
  apply: PatchFigure;
}

/** The Deployment: 10 containers c0…c9, image img<c>:1. */
export function bigDeployment(name: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: PATCH_NAMESPACE, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: Array.from({ length: CONTAINERS }, (_, c) => ({
            name: `c${c}`,
            image: `img${c}:1`,
            ports: [{ containerPort: 8000 + c, protocol: 'TCP' }],
            env: Array.from({ length: ENV }, (_, e) => ({ name: `VAR_${e}`, value: `value-${c}-${e}` })),
            volumeMounts: [{ name: 'data', mountPath: `/data/${c}` }],
            resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
          })),
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

/** The image the i-th patch sets on container c3 (alternating, so that every patch changes something). */
const imageFor = (i: number): string => `img3:${i % 2 === 0 ? 2 : 1}`;
const TARGET = 3;

function imageOf(body: Buffer): string | undefined {
  const obj = JSON.parse(body.toString('utf8')) as { spec?: { template?: { spec?: { containers?: Array<{ name: string; image: string }> } } } };
  return obj.spec?.template?.spec?.containers?.find((c) => c.name === `c${TARGET}`)?.image;
}

interface Variant {
  name: string;
  contentType: string;
  query: string;
  /** the body of the i-th patch */
  body(i: number): string;
  /** makes the object (or finds out that this kind of patch is not served: returns the status) */
  setUp(t: HttpsTarget, path: string, agent: Agent): Promise<number | undefined>;
}

const strategic: Variant = {
  name: 'bench-smp',
  contentType: 'application/strategic-merge-patch+json',
  query: '',
  body: (i) => JSON.stringify({ spec: { template: { spec: { containers: [{ name: `c${TARGET}`, image: imageFor(i) }] } } } }),
  async setUp(t, path, agent) {
    await httpsExpect(t, 'DELETE', path, [200, 404], { agent });
    await httpsExpect(t, 'POST', `/apis/apps/v1/namespaces/${PATCH_NAMESPACE}/deployments`, [201], { body: JSON.stringify(bigDeployment('bench-smp')), agent });
    return undefined;
  },
};

function applyConfig(i: number): string {
  const d = bigDeployment('bench-ssa') as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
  d.spec.template.spec.containers[TARGET]!.image = imageFor(i);
  return JSON.stringify(d);
}

const apply: Variant = {
  name: 'bench-ssa',
  contentType: 'application/apply-patch+yaml',
  query: '?fieldManager=bench',
  body: applyConfig,
  async setUp(t, path, agent) {
    await httpsExpect(t, 'DELETE', path, [200, 404], { agent });
    // The first apply creates the object (201), as `kubectl apply --server-side` does.
    const r = await httpsCall(t, 'PATCH', `${path}?fieldManager=bench`, { body: applyConfig(1), agent, headers: { 'Content-Type': 'application/apply-patch+yaml' } });
    if (r.status === 201 || r.status === 200) return undefined;
    if (r.status === 415 || r.status === 404 || r.status === 405 || r.status === 501) return r.status;
    throw new Error(`server-side apply of ${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  },
};

async function measureVariant(t: HttpsTarget, v: Variant, o: { requests: number; warmup: number }): Promise<PatchFigure> {
  const path = `/apis/apps/v1/namespaces/${PATCH_NAMESPACE}/deployments/${v.name}`;
  // One connection for everything, kept alive: the GETs and the patches share it.
  const agent = new Agent({ ca: t.ca, keepAlive: true, maxSockets: 1 });
  try {
    const refused = await v.setUp(t, path, agent);
    if (refused !== undefined) {
      return { available: false, status: refused, requests: 0, patchMedian: NaN, patchP99: NaN, getMedian: NaN, getP99: NaN, serverMedian: NaN, objectBytes: 0 };
    }
    const headers = { 'Content-Type': v.contentType };
    const gets: number[] = [];
    const patches: number[] = [];
    let objectBytes = 0;
    for (let i = 0; i < o.warmup + o.requests; i++) {
      const g = await httpsCall(t, 'GET', path, { agent });
      if (g.status !== 200) throw new Error(`GET ${path}: HTTP ${g.status}: ${g.body.toString('utf8').slice(0, 300)}`);
      const p = await httpsCall(t, 'PATCH', `${path}${v.query}`, { body: v.body(i), agent, headers });
      if (p.status !== 200) throw new Error(`PATCH ${path} (${v.contentType}) #${i}: HTTP ${p.status}: ${p.body.toString('utf8').slice(0, 300)}`);
      // Every patch must really change the image (a no-op patch would be cheaper than the figure is about).
      const image = imageOf(p.body);
      if (image !== imageFor(i)) throw new Error(`PATCH ${path} (${v.contentType}) #${i}: image of c${TARGET} is ${image}, expected ${imageFor(i)}`);
      if (i >= o.warmup) {
        gets.push(g.ms);
        patches.push(p.ms);
      }
      objectBytes = g.body.length;
    }
    const patchMedian = median(patches);
    const getMedian = median(gets);
    return {
      available: true,
      requests: o.requests,
      patchMedian,
      patchP99: percentile(patches, 99),
      getMedian,
      getP99: percentile(gets, 99),
      serverMedian: patchMedian - getMedian,
      objectBytes,
    };
  } finally {
    agent.destroy();
  }
}

export async function measurePatches(kage: KageProcess, o: { requests: number; warmup: number }): Promise<PatchResult> {
  await ensureNamespace(kage.target, PATCH_NAMESPACE);
  const s = await measureVariant(kage.target, strategic, o);
  const a = await measureVariant(kage.target, apply, o);
  return { strategic: s, apply: a };
}

export function patchRows(r: PatchResult): Row[] {
  const rows: Row[] = [];
  const one = (f: PatchFigure, what: string, first: boolean): void => {
    const kb = (f.objectBytes / 1000).toFixed(0);
    const row: Row = {
      figure: `${what}, Deployment ×${CONTAINERS} containers${f.available ? ` (${kb} kB)` : ''}: server time p50`,
      kage: f.serverMedian, unit: 'ms', target: { op: '<', value: 2 }, baseline: NaN, noBaseline: true, anchor: '',
    };
    if (first) {
      row.section = 'patch and OpenAPI — baseline column: a GET of the same object over the same connection (patches: interleaved, and subtracted for the server time); the same OpenAPI bytes from the plain Node https server';
    }
    if (!f.available) row.unavailable = `n/a (${f.status})`;
    rows.push(row);
    if (f.available) {
      rows.push({ figure: '  round trip p50', kage: f.patchMedian, unit: 'ms', baseline: f.getMedian, anchor: '' });
      rows.push({ figure: '  round trip p99', kage: f.patchP99, unit: 'ms', baseline: f.getP99, anchor: '' });
    }
  };
  one(r.strategic, 'strategic merge patch', true);
  one(r.apply, 'server-side apply', false);
  return rows;
}
