// core/v1 pods: the row, plus pod-spec defaulting and validation shared with workload templates.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1123Label } from '../names.js';
import { humanDuration, parseTimestamp } from '../../table/duration.js';
import { duplicate, invalid, notSupported, required } from './fielderrors.js';
import {
  ageColumn,
  arr,
  col,
  ensure,
  field,
  get,
  isObject,
  type Json,
  nameColumn,
  num,
  objs,
  row,
  setDefault,
  str,
  text,
} from './helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// Defaults.

/** Always for ":latest" or untagged images, IfNotPresent otherwise (images pinned by digest included). */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Json): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (typeof c.image === 'string') setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  for (const p of objs(c.ports)) setDefault(p, 'protocol', 'TCP');
  // Limits without requests: the requests default to the limits.
  const resources = isObject(c.resources) ? c.resources : undefined;
  if (resources && isObject(resources.limits)) {
    const requests = ensure(resources, 'requests');
    for (const [k, v] of Object.entries(resources.limits)) setDefault(requests, k, v);
  }
}

/** The defaults Kubernetes fills in a PodSpec (pods and workload templates alike). */
export function defaultPodSpec(spec: Json): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'enableServiceLinks', true);
  for (const c of objs(spec.containers)) defaultContainer(c);
  for (const c of objs(spec.initContainers)) defaultContainer(c);
}

/** The pod's QoS class, from its containers' cpu/memory requests and limits. */
export function podQOSClass(spec: Json): string {
  const containers = [...objs(spec.containers), ...objs(spec.initContainers)];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = (get(c, 'resources.requests') ?? {}) as Record<string, unknown>;
    const limits = (get(c, 'resources.limits') ?? {}) as Record<string, unknown>;
    const set = (m: Record<string, unknown>, k: string): boolean => m[k] !== undefined && m[k] !== null && String(m[k]) !== '0';
    for (const k of ['cpu', 'memory']) {
      if (set(requests, k) || set(limits, k)) any = true;
      if (!set(limits, k)) guaranteed = false;
      else if (set(requests, k) && String(requests[k]) !== String(limits[k])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultPod(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  defaultPodSpec(spec);
  // The ServiceAccount admission plugin names the default account when none is given.
  if (!spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccountName = 'default';
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string') spec.serviceAccountName = spec.serviceAccount;
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  const status = ensure(obj, 'status');
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', podQOSClass(spec));
}

// ---------------------------------------------------------------------------------------------------------------
// Validation.

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

function validateContainers(list: unknown, fieldPath: string, requireOne: boolean, names: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = arr(list);
  if (requireOne && containers.length === 0) causes.push(required(fieldPath));
  containers.forEach((c, i) => {
    const p = `${fieldPath}[${i}]`;
    const name = isObject(c) ? str(c.name) ?? '' : '';
    if (name === '') causes.push(required(`${p}.name`));
    else {
      for (const msg of isDNS1123Label(name)) causes.push(invalid(`${p}.name`, name, msg));
      if (names.has(name)) causes.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
    const image = isObject(c) ? str(c.image) ?? '' : '';
    if (image === '') causes.push(required(`${p}.image`));
  });
  return causes;
}

/** The basic shape of a PodSpec: containers named (DNS labels, unique) with images, a known restart policy. */
export function validatePodSpec(spec: unknown, fieldPath: string): StatusCause[] {
  const s = isObject(spec) ? spec : {};
  const names = new Set<string>();
  const causes = [
    ...validateContainers(s.containers, `${fieldPath}.containers`, true, names),
    ...validateContainers(s.initContainers, `${fieldPath}.initContainers`, false, names),
  ];
  const rp = s.restartPolicy;
  if (typeof rp === 'string' && !RESTART_POLICIES.includes(rp)) {
    causes.push(notSupported(`${fieldPath}.restartPolicy`, rp, RESTART_POLICIES));
  }
  return causes;
}

function validatePod(obj: KubeObject): StatusCause[] {
  return validatePodSpec(obj.spec, 'spec');
}

// ---------------------------------------------------------------------------------------------------------------
// kubectl get pods: READY, STATUS and RESTARTS as printers.go computes them.

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: number | undefined;
}

function later(a: number | undefined, b: unknown): number | undefined {
  const t = parseTimestamp(b);
  if (t === undefined) return a;
  return a === undefined || t > a ? t : a;
}

function conditionTrue(conditions: Json[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

export function summarizePod(pod: KubeObject): PodSummary {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const status = isObject(pod.status) ? pod.status : {};
  const conditions = objs(status.conditions);
  const initSpecs = objs(spec.initContainers);
  const restartableInit = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)));
  const total = objs(spec.containers).length + restartableInit.size;
  let ready = 0;
  const phase = str(status.phase) ?? '';
  let reason = str(status.reason) || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  let initializing = false;
  const initStatuses = objs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const count = num(cs.restartCount) ?? 0;
    const finished = get(cs, 'lastState.terminated.finishedAt');
    restarts += count;
    lastRestart = later(lastRestart, finished);
    const sidecar = restartableInit.has(str(cs.name));
    if (sidecar) {
      sidecarRestarts += count;
      lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const terminated = get(cs, 'state.terminated');
    const waiting = get(cs, 'state.waiting');
    if (isObject(terminated) && (num(terminated.exitCode) ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (isObject(terminated)) {
      const r = str(terminated.reason);
      const signal = num(terminated.signal) ?? 0;
      reason = r ? `Init:${r}` : signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${num(terminated.exitCode) ?? 0}`;
    } else if (isObject(waiting) && str(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = objs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += num(cs.restartCount) ?? 0;
      lastRestart = later(lastRestart, get(cs, 'lastState.terminated.finishedAt'));
      const waiting = get(cs, 'state.waiting');
      const terminated = get(cs, 'state.terminated');
      if (isObject(waiting) && str(waiting.reason)) reason = waiting.reason as string;
      else if (isObject(terminated) && str(terminated.reason)) reason = terminated.reason as string;
      else if (isObject(terminated)) {
        const signal = num(terminated.signal) ?? 0;
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(terminated.exitCode) ?? 0}`;
      } else if (cs.ready === true && isObject(get(cs, 'state.running'))) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }
  return { ready, total, reason, restarts, lastRestart };
}

function podIP(pod: KubeObject): string | undefined {
  const ips = objs(get(pod, 'status.podIPs'));
  return str(ips[0]?.ip) || str(get(pod, 'status.podIP')) || undefined;
}

function readinessGates(pod: KubeObject): string {
  const gates = objs(get(pod, 'spec.readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = objs(get(pod, 'status.conditions'));
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

const orNone = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : '<none>');

export const pods = row({
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status'],
  columns: [
    nameColumn(),
    col('Ready', 'string', text('The aggregate readiness state of this pod for accepting traffic.'), (o) => {
      const s = summarizePod(o);
      return `${s.ready}/${s.total}`;
    }),
    col('Status', 'string', text('The aggregate status of the containers in this pod.'), (o) => summarizePod(o).reason),
    col(
      'Restarts',
      'string',
      text('The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      (o, now) => {
        const s = summarizePod(o);
        if (s.restarts !== 0 && s.lastRestart !== undefined) return `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)`;
        return String(s.restarts);
      },
    ),
    ageColumn(),
    col('IP', 'string', 'PodStatus.podIP', (o) => podIP(o) ?? '<none>', { priority: 1 }),
    col('Node', 'string', 'PodSpec.nodeName', (o) => orNone(get(o, 'spec.nodeName')), { priority: 1 }),
    col('Nominated Node', 'string', 'PodStatus.nominatedNodeName', (o) => orNone(get(o, 'status.nominatedNodeName')), {
      priority: 1,
    }),
    col('Readiness Gates', 'string', 'PodSpec.readinessGates', readinessGates, { priority: 1 }),
  ],
  fieldSelectors: {
    'spec.nodeName': field('spec.nodeName'),
    // Old clients' name for spec.nodeName.
    'spec.host': field('spec.nodeName'),
    'spec.restartPolicy': field('spec.restartPolicy'),
    'spec.schedulerName': field('spec.schedulerName'),
    'spec.serviceAccountName': field('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(get(o, 'spec.hostNetwork') === true),
    'status.phase': field('status.phase'),
    'status.podIP': (o) => podIP(o) ?? '',
    'status.nominatedNodeName': field('status.nominatedNodeName'),
  },
  defaults: defaultPod,
  validate: validatePod,
});
