// Where each API group and version sits in discovery: the priority table of a real 1.32 cluster and the
// ordering rules kube-apiserver and its aggregator apply to it.

/** The two numbers an APIService carries (spec.groupPriorityMinimum, spec.versionPriority). */
export interface Priority {
  group: number;
  version: number;
}

/** One row of the table: a group version and its priorities. */
export interface PriorityEntry {
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
}

/** The group the aggregator itself serves; it has no APIService and is always listed first. */
export const AGGREGATOR_GROUP = 'apiregistration.k8s.io';

/** Priority of a group version nobody gave one (the aggregated discovery manager's default). */
export const DEFAULT_GROUP_PRIORITY_MINIMUM = 1000;
export const DEFAULT_VERSION_PRIORITY = 15;

// [group, version, groupPriorityMinimum, versionPriority], in the order the real tables list them:
// the generic control-plane table merged with kube-apiserver's own, as of Kubernetes 1.32. Every group
// version a 1.32 server can serve is here, enabled by default or not, so that a group added to kage later
// lands where a real cluster puts it. The aggregator's own group sits above everything (20001) so it stays
// first, which is what the legacy /apis handler does by prepending it.
const TABLE: ReadonlyArray<readonly [string, string, number, number]> = [
  [AGGREGATOR_GROUP, 'v1', 20001, 0],
  ['', 'v1', 18000, 1],
  ['apps', 'v1', 17800, 15],
  ['events.k8s.io', 'v1', 17750, 15],
  ['events.k8s.io', 'v1beta1', 17750, 5],
  ['authentication.k8s.io', 'v1', 17700, 15],
  ['authentication.k8s.io', 'v1beta1', 17700, 9],
  ['authentication.k8s.io', 'v1alpha1', 17700, 1],
  ['authorization.k8s.io', 'v1', 17600, 15],
  ['autoscaling', 'v1', 17500, 15],
  ['autoscaling', 'v2', 17500, 30],
  ['autoscaling', 'v2beta1', 17500, 9],
  ['autoscaling', 'v2beta2', 17500, 1],
  ['batch', 'v1', 17400, 15],
  ['batch', 'v1beta1', 17400, 9],
  ['batch', 'v2alpha1', 17400, 9],
  ['certificates.k8s.io', 'v1', 17300, 15],
  ['certificates.k8s.io', 'v1alpha1', 17300, 1],
  ['networking.k8s.io', 'v1', 17200, 15],
  ['networking.k8s.io', 'v1beta1', 17200, 9],
  ['networking.k8s.io', 'v1alpha1', 17200, 1],
  ['policy', 'v1', 17100, 15],
  ['policy', 'v1beta1', 17100, 9],
  ['rbac.authorization.k8s.io', 'v1', 17000, 15],
  ['storage.k8s.io', 'v1', 16800, 15],
  ['storage.k8s.io', 'v1beta1', 16800, 9],
  ['storage.k8s.io', 'v1alpha1', 16800, 1],
  ['apiextensions.k8s.io', 'v1', 16700, 15],
  ['admissionregistration.k8s.io', 'v1', 16700, 15],
  ['admissionregistration.k8s.io', 'v1beta1', 16700, 12],
  ['admissionregistration.k8s.io', 'v1alpha1', 16700, 9],
  ['scheduling.k8s.io', 'v1', 16600, 15],
  ['coordination.k8s.io', 'v1', 16500, 15],
  ['coordination.k8s.io', 'v1alpha2', 16500, 12],
  ['node.k8s.io', 'v1', 16300, 15],
  ['node.k8s.io', 'v1beta1', 16300, 9],
  ['node.k8s.io', 'v1alpha1', 16300, 1],
  ['discovery.k8s.io', 'v1', 16200, 15],
  ['discovery.k8s.io', 'v1beta1', 16200, 12],
  ['resource.k8s.io', 'v1beta1', 16200, 9],
  ['resource.k8s.io', 'v1alpha3', 16200, 1],
  ['flowcontrol.apiserver.k8s.io', 'v1', 16100, 21],
  ['flowcontrol.apiserver.k8s.io', 'v1beta3', 16100, 18],
  ['flowcontrol.apiserver.k8s.io', 'v1beta2', 16100, 15],
  ['flowcontrol.apiserver.k8s.io', 'v1beta1', 16100, 12],
  ['flowcontrol.apiserver.k8s.io', 'v1alpha1', 16100, 9],
  ['internal.apiserver.k8s.io', 'v1alpha1', 16000, 9],
  ['storagemigration.k8s.io', 'v1alpha1', 15800, 9],
];

/** The built-in priority table, one entry per group version. */
export const BUILTIN_PRIORITIES: readonly PriorityEntry[] = TABLE.map(([group, version, g, v]) => ({
  group,
  version,
  groupPriorityMinimum: g,
  versionPriority: v,
}));

const byGroupVersion = new Map<string, PriorityEntry>(BUILTIN_PRIORITIES.map((e) => [`${e.group}/${e.version}`, e]));
const groupMinimum = new Map<string, number>();
for (const e of BUILTIN_PRIORITIES) {
  groupMinimum.set(e.group, Math.max(groupMinimum.get(e.group) ?? -Infinity, e.groupPriorityMinimum));
}

/**
 * The priorities a real 1.32 cluster gives a group version. A version missing from the table inside a
 * known group keeps the group's place with the default version priority; an unknown group gets the
 * defaults (1000, 15), which put it after every built-in group.
 */
export function priorityOf(group: string, version: string): Priority {
  const e = byGroupVersion.get(`${group}/${version}`);
  if (e) return { group: e.groupPriorityMinimum, version: e.versionPriority };
  return { group: groupMinimum.get(group) ?? DEFAULT_GROUP_PRIORITY_MINIMUM, version: DEFAULT_VERSION_PRIORITY };
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function parseKubeVersion(v: string): { major: number; type: number; minor: number } | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const type = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
  return { major: Number(m[1]), type, minor: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * Kubernetes' version comparison: positive when `a` ranks above `b`. Kube-like versions (v1, v2beta1,
 * v1alpha3) rank above any other string; among them GA > beta > alpha, then the major number, then the
 * minor one (v2 > v1 > v10beta1 > v1beta2 > v1beta1 > v1alpha1). Other strings compare in reverse
 * lexical order, as upstream does.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (!pa && !pb) return b < a ? -1 : 1;
  if (!pa) return -1;
  if (!pb) return 1;
  if (pa.type !== pb.type) return pa.type - pb.type;
  if (pa.major !== pb.major) return pa.major - pb.major;
  return pa.minor - pb.minor;
}

/** A group with its entries in preference order (the first one is the preferred version). */
export interface OrderedGroup<T extends PriorityEntry> {
  group: string;
  /** The highest groupPriorityMinimum among the group's versions: what places the group. */
  groupPriorityMinimum: number;
  versions: T[];
}

/**
 * Orders group versions as discovery lists them: groups by their highest groupPriorityMinimum (descending),
 * ties broken by group name (ascending); inside a group, versions by versionPriority (descending), ties
 * broken by the Kubernetes version order. This is the rule of the aggregated discovery manager and of the
 * aggregator's /apis handler (APIServices sorted by group priority then name, versions by priority then
 * kube-aware version). Entries are kept as given (callers can carry their own payload); a group version
 * listed twice keeps its first entry.
 */
export function orderGroups<T extends PriorityEntry>(entries: readonly T[]): OrderedGroup<T>[] {
  const groups = new Map<string, OrderedGroup<T>>();
  for (const e of entries) {
    let g = groups.get(e.group);
    if (!g) {
      g = { group: e.group, groupPriorityMinimum: e.groupPriorityMinimum, versions: [] };
      groups.set(e.group, g);
    }
    if (g.versions.some((v) => v.version === e.version)) continue;
    g.versions.push(e);
    if (e.groupPriorityMinimum > g.groupPriorityMinimum) g.groupPriorityMinimum = e.groupPriorityMinimum;
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.versions.sort((a, b) => {
      if (a.versionPriority !== b.versionPriority) return b.versionPriority - a.versionPriority;
      return compareKubeAwareVersions(b.version, a.version);
    });
  }
  out.sort((a, b) => {
    if (a.groupPriorityMinimum !== b.groupPriorityMinimum) return b.groupPriorityMinimum - a.groupPriorityMinimum;
    return a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
  });
  return out;
}
