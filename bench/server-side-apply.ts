// How long field management takes in the server, per write (a plain script, not a test):
//   node --import tsx bench/server-side-apply.ts
// - server-side apply of a Deployment with 10 containers (× 20 env vars, a port, a volume mount, resources)
//   onto the live object its manager applied before, changing one image (merge, field sets, prune, compare,
//   managedFields encode: everything apply adds to a PATCH);
// - the Update bookkeeping a create and an update of a ConfigMap, and an update of that Deployment, add.
import type { KubeObject } from '../server/api/types.js';
import { schemaForKind } from '../server/schema/index.js';
import { applyConfiguration } from '../server/apply/apply.js';
import { recordUpdate, type WriteContext } from '../server/apply/managed-fields.js';

const CONTAINERS = 10;
const ENV = 20;

function deployment(image: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'big', namespace: 'default', labels: { app: 'big' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'big' } },
      template: {
        metadata: { labels: { app: 'big' } },
        spec: {
          containers: Array.from({ length: CONTAINERS }, (_, c) => ({
            name: `c${c}`, image: c === 0 ? `img${c}:${image}` : `img${c}:1`,
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

function measure(name: string, iterations: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(500, iterations); i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p99 = times[Math.floor(times.length * 0.99)]!;
  console.log(`${name.padEnd(64)} median ${median.toFixed(3)} ms   p99 ${p99.toFixed(3)} ms`);
}

const depSchema = schemaForKind('apps', 'v1', 'Deployment')!;
const cmSchema = schemaForKind('', 'v1', 'ConfigMap')!;
const depCtx = { schema: depSchema, apiVersion: 'apps/v1', subresource: '', statusSubresource: true, manager: 'bench', force: false };
const cmCtx: WriteContext = { schema: cmSchema, apiVersion: 'v1', subresource: '', statusSubresource: false, manager: 'bench' };

// The live Deployment as the server holds it after the first apply (server metadata added).
const first = applyConfiguration(undefined, deployment(1), depCtx);
const live: KubeObject = { ...first, metadata: { ...first.metadata, uid: 'u', resourceVersion: '2', creationTimestamp: '2026-01-01T00:00:00Z' } };
const configs = [deployment(1), deployment(2)];
console.log(`Deployment with ${CONTAINERS} containers × ${ENV} env vars (${JSON.stringify(live).length} bytes of JSON with managedFields)`);
measure('server-side apply: one image changed (no conflicts)', 3000, (i) => {
  applyConfiguration(live, configs[i % 2]!, depCtx);
});
measure('server-side apply: the same configuration again (nothing changes)', 3000, () => {
  applyConfiguration(live, configs[0]!, depCtx);
});
measure('server-side apply: create', 3000, () => {
  applyConfiguration(undefined, configs[0]!, depCtx);
});

const changed = JSON.parse(JSON.stringify(live)) as KubeObject;
(changed['spec'] as { replicas: number }).replicas = 4;
measure('Update managedFields: Deployment update (replicas)', 3000, () => {
  const next = { ...changed, metadata: { ...changed.metadata } };
  recordUpdate(live, next, { ...depCtx, manager: 'kubectl-scale' });
});

const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' }, data: { a: '1', b: '2', c: '3' } };
measure('Update managedFields: ConfigMap create', 20000, () => {
  recordUpdate(undefined, { ...cm, metadata: { ...cm.metadata } }, cmCtx);
});
const cmLive = { ...cm, metadata: { ...cm.metadata } };
recordUpdate(undefined, cmLive, cmCtx);
const cmNext: KubeObject = { ...cmLive, data: { a: '1', b: 'changed', c: '3', d: '4' } };
measure('Update managedFields: ConfigMap update (one key changed, one added)', 20000, () => {
  recordUpdate(cmLive, { ...cmNext, metadata: { ...cmNext.metadata } }, { ...cmCtx, manager: 'other' });
});
