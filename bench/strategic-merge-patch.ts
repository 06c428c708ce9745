// How long a strategic merge patch takes on a large Deployment (10 containers × 20 env vars).
// A plain script, not a test: node --import tsx bench/strategic-merge-patch.ts
import { applyStrategicMergePatch } from '../server/patch/strategic-merge.js';
import { patchMetaFromTable, type PatchMetaTableNode } from '../server/patch/patch-meta.js';

const container: PatchMetaTableNode = {
  fields: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort' },
    env: { patchStrategy: 'merge', patchMergeKey: 'name' },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath' },
  },
};
const meta = patchMetaFromTable({
  metadata: { fields: { finalizers: { patchStrategy: 'merge' } } },
  spec: { fields: { strategy: { patchStrategy: 'retainKeys' }, template: { fields: { spec: { fields: {
    containers: { patchStrategy: 'merge', patchMergeKey: 'name', items: container },
    volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
  } } } } } },
});

const CONTAINERS = 10;
const ENV = 20;
const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'big', namespace: 'default', labels: { app: 'big' }, finalizers: ['a', 'b'] },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'big' } },
    template: {
      metadata: { labels: { app: 'big' } },
      spec: {
        containers: Array.from({ length: CONTAINERS }, (_, c) => ({
          name: `c${c}`, image: `img${c}:1`,
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

const patches: Record<string, unknown> = {
  'image of every container': { spec: { template: { spec: { containers: Array.from({ length: CONTAINERS }, (_, c) => ({ name: `c${c}`, image: `img${c}:2` })) } } } },
  'one env var in every container': {
    spec: { template: { spec: { containers: Array.from({ length: CONTAINERS }, (_, c) => ({ name: `c${c}`, env: [{ name: 'VAR_7', value: 'changed' }, { name: 'NEW', value: 'n' }] })) } } },
  },
  'kubectl apply style ($setElementOrder at both levels)': {
    spec: { template: { spec: {
      '$setElementOrder/containers': Array.from({ length: CONTAINERS }, (_, c) => ({ name: `c${CONTAINERS - 1 - c}` })),
      containers: Array.from({ length: CONTAINERS }, (_, i) => CONTAINERS - 1 - i).map((c) => ({
        name: `c${c}`, image: `img${c}:3`,
        '$setElementOrder/env': Array.from({ length: ENV }, (_, e) => ({ name: `VAR_${ENV - 1 - e}` })),
        env: [{ name: 'VAR_3', value: 'x' }],
      })),
    } } },
  },
  'empty patch': {},
};

function measure(patch: unknown, iterations: number): { median: number; p99: number } {
  for (let i = 0; i < 500; i++) applyStrategicMergePatch(deployment, patch, meta);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    applyStrategicMergePatch(deployment, patch, meta);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

console.log(`Deployment with ${CONTAINERS} containers × ${ENV} env vars (${JSON.stringify(deployment).length} bytes of JSON)`);
for (const [name, patch] of Object.entries(patches)) {
  const { median, p99 } = measure(patch, 5000);
  console.log(`${name.padEnd(56)} median ${median.toFixed(3)} ms   p99 ${p99.toFixed(3)} ms`);
}
