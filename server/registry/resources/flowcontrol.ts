// flowcontrol.apiserver.k8s.io/v1 rows: flowschemas and prioritylevelconfigurations (API Priority and
// Fairness). kage does no request queuing; the objects are stored so that servers built on k8s.io/apiserver,
// which list and watch them at start, become ready. The mandatory ones (exempt, catch-all) and the suggested
// ones are created when missing at start, as kube-apiserver's APF bootstrap does.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../names.js';
import { forbidden, goQuote, goStringSlice, invalid, notSupported, path, required } from './fielderrors.js';
import { ageColumn, arr, col, ensure, get, isObject, nameColumn, num, objs, row, setDefault, str, text, type Json } from './helpers.js';

const GROUP = 'flowcontrol.apiserver.k8s.io';

/** Annotation the bootstrap puts on the objects it keeps up to date. */
export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

const MAX_MATCHING_PRECEDENCE = 10000;
const MAX_QUEUES = 10_000_000;
const MAX_HASH_BITS = 60;

const DISTINGUISHER_METHODS = ['ByNamespace', 'ByUser'];
const SUBJECT_KINDS = ['Group', 'ServiceAccount', 'User'];
const PRIORITY_LEVEL_TYPES = ['Exempt', 'Limited'];
const LIMIT_RESPONSE_TYPES = ['Queue', 'Reject'];
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];

function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

// ---------------------------------------------------------------------------------------------------------------
// The mandatory configuration objects (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap), as v1 serves them.

const MATCH_EVERYTHING = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
};

function groupSubjects(...names: string[]): Json[] {
  return names.map((name) => ({ kind: 'Group', group: { name } }));
}

const MANDATORY_FLOW_SCHEMA_SPECS: Record<string, Json> = {
  exempt: {
    priorityLevelConfiguration: { name: 'exempt' },
    matchingPrecedence: 1,
    rules: [{ subjects: groupSubjects('system:masters'), ...MATCH_EVERYTHING }],
  },
  'catch-all': {
    priorityLevelConfiguration: { name: 'catch-all' },
    matchingPrecedence: 10000,
    distinguisherMethod: { type: 'ByUser' },
    rules: [{ subjects: groupSubjects('system:unauthenticated', 'system:authenticated'), ...MATCH_EVERYTHING }],
  },
};

const MANDATORY_PRIORITY_LEVEL_SPECS: Record<string, Json> = {
  exempt: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  'catch-all': {
    type: 'Limited',
    limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' }, lendablePercent: 0 },
  },
};

// The suggested configuration kube-apiserver also creates at start (and keeps while the objects carry the
// auto-update annotation), so `kubectl get flowschemas,prioritylevelconfigurations` lists what a real cluster does.

function userSubjects(...names: string[]): Json[] {
  return names.map((name) => ({ kind: 'User', user: { name } }));
}

function kubeSystemServiceAccounts(...names: string[]): Json[] {
  return names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));
}

function resourceRule(verbs: string[], apiGroups: string[], resources: string[], clusterScope: boolean): Json {
  return clusterScope
    ? { verbs, apiGroups, resources, clusterScope, namespaces: ['*'] }
    : { verbs, apiGroups, resources, namespaces: ['*'] };
}

function suggestedFlowSchema(priorityLevel: string, matchingPrecedence: number, distinguisher: string | undefined, rule: Json): Json {
  return {
    priorityLevelConfiguration: { name: priorityLevel },
    matchingPrecedence,
    ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
    rules: [rule],
  };
}

const WRITE_VERBS = ['get', 'create', 'update'];
const CONTROL_PLANE = { kubeControllerManager: 'system:kube-controller-manager', kubeScheduler: 'system:kube-scheduler' };

const SUGGESTED_FLOW_SCHEMA_SPECS: Record<string, Json> = {
  'system-nodes': suggestedFlowSchema('system', 500, 'ByUser', { subjects: groupSubjects('system:nodes'), ...MATCH_EVERYTHING }),
  'system-node-high': suggestedFlowSchema('node-high', 400, 'ByUser', {
    subjects: groupSubjects('system:nodes'),
    resourceRules: [resourceRule(['*'], [''], ['nodes', 'nodes/status'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], false)],
  }),
  probes: suggestedFlowSchema('exempt', 2, undefined, {
    subjects: groupSubjects('system:unauthenticated', 'system:authenticated'),
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
  }),
  'system-leader-election': suggestedFlowSchema('leader-election', 100, 'ByUser', {
    subjects: [...userSubjects(CONTROL_PLANE.kubeControllerManager, CONTROL_PLANE.kubeScheduler), ...kubeSystemServiceAccounts('*')],
    resourceRules: [resourceRule(WRITE_VERBS, ['coordination.k8s.io'], ['leases'], false)],
  }),
  'workload-leader-election': suggestedFlowSchema('leader-election', 200, 'ByUser', {
    subjects: kubeSystemServiceAccounts('*'),
    resourceRules: [resourceRule(WRITE_VERBS, [''], ['endpoints', 'configmaps'], false), resourceRule(WRITE_VERBS, ['coordination.k8s.io'], ['leases'], false)],
  }),
  'endpoint-controller': suggestedFlowSchema('workload-high', 150, 'ByUser', {
    subjects: [...userSubjects(CONTROL_PLANE.kubeControllerManager), ...kubeSystemServiceAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [resourceRule(WRITE_VERBS, [''], ['endpoints'], false)],
  }),
  'kube-controller-manager': suggestedFlowSchema('workload-high', 800, 'ByNamespace', { subjects: userSubjects(CONTROL_PLANE.kubeControllerManager), ...MATCH_EVERYTHING }),
  'kube-scheduler': suggestedFlowSchema('workload-high', 800, 'ByNamespace', { subjects: userSubjects(CONTROL_PLANE.kubeScheduler), ...MATCH_EVERYTHING }),
  'kube-system-service-accounts': suggestedFlowSchema('workload-high', 900, 'ByNamespace', { subjects: kubeSystemServiceAccounts('*'), ...MATCH_EVERYTHING }),
  'service-accounts': suggestedFlowSchema('workload-low', 9000, 'ByUser', { subjects: groupSubjects('system:serviceaccounts'), ...MATCH_EVERYTHING }),
  'global-default': suggestedFlowSchema('global-default', 9900, 'ByUser', { subjects: groupSubjects('system:unauthenticated', 'system:authenticated'), ...MATCH_EVERYTHING }),
};

function queued(nominalConcurrencyShares: number, lendablePercent: number, queues: number, handSize: number): Json {
  return {
    type: 'Limited',
    limited: { nominalConcurrencyShares, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } }, lendablePercent },
  };
}

const SUGGESTED_PRIORITY_LEVEL_SPECS: Record<string, Json> = {
  system: queued(30, 33, 64, 6),
  'node-high': queued(40, 25, 64, 6),
  'leader-election': queued(10, 0, 16, 4),
  'workload-high': queued(40, 50, 128, 6),
  'workload-low': queued(100, 90, 128, 6),
  'global-default': queued(20, 50, 128, 6),
};

/** The bootstrap objects of a kind: named specs, each with the auto-update annotation. */
function bootstrap(kind: string, ...specs: Array<Record<string, Json>>): KubeObject[] {
  return specs.flatMap((named) => Object.entries(named).map(([name, spec]) => ({
    apiVersion: `${GROUP}/v1`,
    kind,
    metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } },
    spec: structuredClone(spec),
  })));
}

/** Deep equality of JSON values regardless of key order (apiequality.Semantic, roughly). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return a === b;
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults (pkg/apis/flowcontrol/v1/defaults.go).

function defaultFlowSchema(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  if (!num(spec['matchingPrecedence'])) spec['matchingPrecedence'] = 1000;
}

function defaultPriorityLevel(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  const exempt = spec['exempt'];
  if (isObject(exempt)) {
    setDefault(exempt, 'nominalConcurrencyShares', 0);
    setDefault(exempt, 'lendablePercent', 0);
  }
  const limited = spec['limited'];
  if (isObject(limited)) {
    setDefault(limited, 'nominalConcurrencyShares', 30);
    setDefault(limited, 'lendablePercent', 0);
    const queuing = get(limited, 'limitResponse.queuing');
    if (isObject(queuing)) {
      if (!num(queuing['handSize'])) queuing['handSize'] = 8;
      if (!num(queuing['queues'])) queuing['queues'] = 64;
      if (!num(queuing['queueLengthLimit'])) queuing['queueLengthLimit'] = 50;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (pkg/apis/flowcontrol/validation).

function validateSubject(s: Json, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const kind = str(s['kind']) ?? '';
  const needs = (field: string, what: string): void => {
    const v = s[field];
    if (!isObject(v)) causes.push(required(`${base}.${field}`, `${field} is required when subject kind is '${what}'`));
    else if (!str(v['name'])) causes.push(required(`${base}.${field}.name`));
  };
  const forbids = (field: string, kindName: string): void => {
    if (s[field] !== undefined && s[field] !== null) causes.push(forbidden(`${base}.${field}`, `${field} is forbidden when subject kind is not '${kindName}'`));
  };
  switch (kind) {
    case 'ServiceAccount': {
      const sa = s['serviceAccount'];
      if (!isObject(sa)) {
        causes.push(required(`${base}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      } else {
        const name = str(sa['name']) ?? '';
        if (name === '') causes.push(required(`${base}.serviceAccount.name`));
        else if (name !== '*') for (const m of isDNS1123Subdomain(name)) causes.push(invalid(`${base}.serviceAccount.name`, name, m));
        const ns = str(sa['namespace']) ?? '';
        if (ns === '') causes.push(required(`${base}.serviceAccount.namespace`, 'must specify namespace for service account'));
        else for (const m of isDNS1123Label(ns)) causes.push(invalid(`${base}.serviceAccount.namespace`, ns, m));
      }
      forbids('user', 'User');
      forbids('group', 'Group');
      break;
    }
    case 'User':
      needs('user', 'User');
      forbids('serviceAccount', 'ServiceAccount');
      forbids('group', 'Group');
      break;
    case 'Group':
      needs('group', 'Group');
      forbids('serviceAccount', 'ServiceAccount');
      forbids('user', 'User');
      break;
    default:
      causes.push(notSupported(`${base}.kind`, kind, SUBJECT_KINDS));
  }
  return causes;
}

function validateVerbs(verbs: string[], field: string): StatusCause[] {
  if (verbs.length === 0) return [required(field, 'verbs must contain at least one value')];
  if (verbs.includes('*')) return verbs.length > 1 ? [invalid(field, goStringSlice(verbs), "if '*' is present, must not specify other verbs")] : [];
  if (!verbs.every((v) => VERBS.includes(v))) return [notSupported(field, goStringSlice(verbs), VERBS)];
  return [];
}

function validateNonResourceURL(p: string, field: string): StatusCause | undefined {
  if (p === '') return invalid(field, p, 'must not be empty');
  if (p === '/') return undefined;
  if (!p.startsWith('/')) return invalid(field, p, 'must start with slash');
  if (p.includes(' ')) return invalid(field, p, 'must not contain white-space');
  if (p.includes('//')) return invalid(field, p, 'must not contain double slash');
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !p.endsWith('/*'))) return invalid(field, p, 'wildcard can only do suffix matching');
  return undefined;
}

function validateRules(rules: Json[]): StatusCause[] {
  const causes: StatusCause[] = [];
  rules.forEach((r, i) => {
    const base = path('spec', 'rules', i);
    const subjects = objs(r['subjects']);
    if (subjects.length === 0) causes.push(required(`${base}.subjects`, 'subjects must contain at least one value'));
    subjects.forEach((s, j) => causes.push(...validateSubject(s, path(base, 'subjects', j))));
    const resourceRules = objs(r['resourceRules']);
    const nonResourceRules = objs(r['nonResourceRules']);
    if (resourceRules.length === 0 && nonResourceRules.length === 0) {
      causes.push(required(base, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    }
    resourceRules.forEach((rr, j) => {
      const b = path(base, 'resourceRules', j);
      causes.push(...validateVerbs(strings(rr['verbs']), `${b}.verbs`));
      const groups = strings(rr['apiGroups']);
      if (groups.length === 0) causes.push(required(`${b}.apiGroups`, 'resource rules must supply at least one api group'));
      else if (groups.length > 1 && groups.includes('*')) causes.push(invalid(`${b}.apiGroups`, goStringSlice(groups), "if '*' is present, must not specify other api groups"));
      const resources = strings(rr['resources']);
      if (resources.length === 0) causes.push(required(`${b}.resources`, 'resource rules must supply at least one resource'));
      else if (resources.length > 1 && resources.includes('*')) causes.push(invalid(`${b}.resources`, goStringSlice(resources), "if '*' is present, must not specify other resources"));
      const namespaces = strings(rr['namespaces']);
      if (namespaces.length === 0 && rr['clusterScope'] !== true) {
        causes.push(required(`${b}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
      } else if (namespaces.includes('*')) {
        if (namespaces.length > 1) causes.push(invalid(`${b}.namespaces`, goStringSlice(namespaces), "if '*' is present, must not specify other namespaces"));
      } else {
        namespaces.forEach((ns, k) => {
          for (const m of isDNS1123Label(ns)) {
            causes.push(invalid(path(`${b}.namespaces`, k), ns, `each member of this list must be '*' or a DNS-1123 label; ${m}`));
          }
        });
      }
    });
    nonResourceRules.forEach((nr, j) => {
      const b = path(base, 'nonResourceRules', j);
      causes.push(...validateVerbs(strings(nr['verbs']), `${b}.verbs`));
      const urls = strings(nr['nonResourceURLs']);
      if (urls.length === 0) causes.push(required(`${b}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
      else if (urls.includes('*')) {
        if (urls.length > 1) causes.push(invalid(`${b}.nonResourceURLs`, goStringSlice(urls), "if '*' is present, must not specify other non-resource URLs"));
      } else {
        urls.forEach((u, k) => {
          const c = validateNonResourceURL(u, path(`${b}.nonResourceURLs`, k));
          if (c) causes.push(c);
        });
      }
    });
  });
  return causes;
}

function validateConditions(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  objs(get(obj, 'status.conditions')).forEach((c, i) => {
    const type = str(c['type']) ?? '';
    if (seen.has(type)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goQuote(type)}`, field: path('status', 'conditions', i, 'type') });
    seen.add(type);
    if (type === '') causes.push(required(path('status', 'conditions', i, 'type'), 'must not be empty'));
  });
  return causes;
}

function validateFlowSchema(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name ?? '';
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const precedence = num(spec['matchingPrecedence']) ?? 0;
  if (precedence <= 0) causes.push(invalid('spec.matchingPrecedence', precedence, 'must be a positive value'));
  if (precedence > MAX_MATCHING_PRECEDENCE) {
    causes.push(invalid('spec.matchingPrecedence', precedence, `must not be greater than ${MAX_MATCHING_PRECEDENCE}`));
  }
  if (precedence === 1 && name !== 'exempt') {
    causes.push(invalid('spec.matchingPrecedence', precedence, "only the schema named 'exempt' may have matchingPrecedence 1"));
  }
  const dm = spec['distinguisherMethod'];
  if (isObject(dm)) {
    const type = str(dm['type']) ?? '';
    if (!DISTINGUISHER_METHODS.includes(type)) {
      causes.push(notSupported('spec.distinguisherMethod.type', { go: `flowcontrol.FlowDistinguisherMethod{Type:${goQuote(type)}}` }, DISTINGUISHER_METHODS));
    }
  }
  const pl = str(get(spec, 'priorityLevelConfiguration.name')) ?? '';
  if (pl === '') causes.push(required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  else for (const m of isDNS1123Subdomain(pl)) causes.push(invalid('spec.priorityLevelConfiguration.name', pl, m));
  causes.push(...validateRules(objs(spec['rules'])));
  const fixed = MANDATORY_FLOW_SCHEMA_SPECS[name];
  if (fixed && !sameJson(spec, fixed)) causes.push(invalid('spec', { go: 'flowcontrol.FlowSchemaSpec{...}' }, `spec of '${name}' must equal the fixed value`));
  causes.push(...validateConditions(obj));
  return causes;
}

function validateQueuing(q: Json, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const limit = num(q['queueLengthLimit']) ?? 0;
  if (limit <= 0) causes.push(invalid(`${base}.queueLengthLimit`, limit, 'must be positive'));
  const queues = num(q['queues']) ?? 0;
  if (queues <= 0) causes.push(invalid(`${base}.queues`, queues, 'must be positive'));
  else if (queues > MAX_QUEUES) causes.push(invalid(`${base}.queues`, queues, `must not be greater than ${MAX_QUEUES}`));
  const hand = num(q['handSize']) ?? 0;
  if (hand <= 0) causes.push(invalid(`${base}.handSize`, hand, 'must be positive'));
  else if (hand > queues) causes.push(invalid(`${base}.handSize`, hand, `should not be greater than queues (${queues})`));
  else if (Math.ceil(Math.log2(queues) * hand) > MAX_HASH_BITS) {
    causes.push(invalid(`${base}.handSize`, hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
  }
  return causes;
}

function validateLimited(l: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const base = 'spec.limited';
  const ncs = num(l['nominalConcurrencyShares']) ?? 0;
  if (ncs < 0) causes.push(invalid(`${base}.nominalConcurrencyShares`, ncs, 'must be a non-negative integer'));
  const lr = isObject(l['limitResponse']) ? l['limitResponse'] : {};
  const type = str(lr['type']) ?? '';
  const queuing = lr['queuing'];
  if (type === 'Reject') {
    if (queuing !== undefined && queuing !== null) causes.push(forbidden(`${base}.limitResponse.queuing`, 'must be nil if limited.limitResponse.type is not Limited'));
  } else if (type === 'Queue') {
    if (!isObject(queuing)) causes.push(required(`${base}.limitResponse.queuing`, 'must not be empty if limited.limitResponse.type is Limited'));
    else causes.push(...validateQueuing(queuing, `${base}.limitResponse.queuing`));
  } else {
    causes.push(notSupported(`${base}.limitResponse.type`, type, LIMIT_RESPONSE_TYPES));
  }
  const lendable = num(l['lendablePercent']);
  if (lendable !== undefined && (lendable < 0 || lendable > 100)) causes.push(invalid(`${base}.lendablePercent`, lendable, 'must be between 0 and 100, inclusive'));
  const borrowing = num(l['borrowingLimitPercent']);
  if (borrowing !== undefined && borrowing < 0) causes.push(invalid(`${base}.borrowingLimitPercent`, borrowing, 'if specified, must be a non-negative integer'));
  return causes;
}

function validatePriorityLevel(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name ?? '';
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const type = str(spec['type']) ?? '';
  if ((name === 'exempt') !== (type === 'Exempt')) causes.push(invalid('spec.type', type, "type must be 'Exempt' if and only if name is 'exempt'"));
  const has = (k: string) => spec[k] !== undefined && spec[k] !== null;
  switch (type) {
    case 'Exempt': {
      if (has('limited')) causes.push(forbidden('spec.limited', 'must be nil if the type is not Limited'));
      const e = spec['exempt'];
      if (isObject(e)) {
        const ncs = num(e['nominalConcurrencyShares']);
        if (ncs !== undefined && ncs < 0) causes.push(invalid('spec.exempt.nominalConcurrencyShares', ncs, 'must be a non-negative integer'));
        const lp = num(e['lendablePercent']);
        if (lp !== undefined && (lp < 0 || lp > 100)) causes.push(invalid('spec.exempt.lendablePercent', lp, 'must be between 0 and 100, inclusive'));
      }
      break;
    }
    case 'Limited':
      if (has('exempt')) causes.push(forbidden('spec.exempt', 'must be nil if the type is Limited'));
      if (!isObject(spec['limited'])) causes.push(required('spec.limited', 'must not be empty when type is Limited'));
      else causes.push(...validateLimited(spec['limited']));
      break;
    default:
      causes.push(notSupported('spec.type', type, PRIORITY_LEVEL_TYPES));
  }
  const fixed = MANDATORY_PRIORITY_LEVEL_SPECS[name];
  if (fixed && !sameJson(spec, fixed)) {
    causes.push(invalid('spec', { go: 'flowcontrol.PriorityLevelConfigurationSpec{...}' }, `spec of '${name}' must equal the fixed value`));
  }
  causes.push(...validateConditions(obj));
  return causes;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns (printers.go: printFlowSchema, printPriorityLevelConfiguration), descriptions from the v1 API docs.

/** "False" when the referenced priority level exists, as the APF controller records it; "?" before it has. */
function missingPriorityLevelCell(o: KubeObject): string {
  const c = objs(get(o, 'status.conditions')).find((x) => x['type'] === 'Dangling');
  return c ? str(c['status']) ?? '' : '?';
}

function queuingCell(o: KubeObject, field: string): number | string {
  const v = num(get(o, `spec.limited.limitResponse.queuing.${field}`));
  return isObject(get(o, 'spec.limited')) && isObject(get(o, 'spec.limited.limitResponse.queuing')) ? v ?? 0 : '<none>';
}

const flowschemas = row({
  group: GROUP,
  kind: 'FlowSchema',
  plural: 'flowschemas',
  namespaced: false,
  subresources: ['status'],
  generation: true,
  columns: [
    nameColumn(),
    col('PriorityLevel', 'string', text('name is the name of the priority level configuration being referenced Required.'),
      (o) => str(get(o, 'spec.priorityLevelConfiguration.name')) ?? ''),
    col('MatchingPrecedence', 'string', text('matchingPrecedence is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
      (o) => num(get(o, 'spec.matchingPrecedence')) ?? 0),
    col('DistinguisherMethod', 'string', text('distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.'),
      (o) => (isObject(get(o, 'spec.distinguisherMethod')) ? str(get(o, 'spec.distinguisherMethod.type')) ?? '' : '<none>')),
    ageColumn(),
    col('MissingPL', 'string', text('references a broken or non-existent PriorityLevelConfiguration'), missingPriorityLevelCell),
  ],
  defaults: defaultFlowSchema,
  validate: validateFlowSchema,
  seed: bootstrap('FlowSchema', MANDATORY_FLOW_SCHEMA_SPECS, SUGGESTED_FLOW_SCHEMA_SPECS),
});

const prioritylevelconfigurations = row({
  group: GROUP,
  kind: 'PriorityLevelConfiguration',
  plural: 'prioritylevelconfigurations',
  namespaced: false,
  subresources: ['status'],
  generation: true,
  columns: [
    nameColumn(),
    col('Type', 'string', text('type indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
      (o) => str(get(o, 'spec.type')) ?? ''),
    col('NominalConcurrencyShares', 'string', text('nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server\'s concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a "jail" for this priority level that is used to hold some request(s)'),
      (o) => (isObject(get(o, 'spec.limited')) ? num(get(o, 'spec.limited.nominalConcurrencyShares')) ?? 0 : '<none>')),
    col('Queues', 'string', text('queues is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.'),
      (o) => queuingCell(o, 'queues')),
    col('HandSize', 'string', text('handSize is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request\'s flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.'),
      (o) => queuingCell(o, 'handSize')),
    col('QueueLengthLimit', 'string', text('queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.'),
      (o) => queuingCell(o, 'queueLengthLimit')),
    ageColumn(),
  ],
  defaults: defaultPriorityLevel,
  validate: validatePriorityLevel,
  seed: bootstrap('PriorityLevelConfiguration', MANDATORY_PRIORITY_LEVEL_SPECS, SUGGESTED_PRIORITY_LEVEL_SPECS),
});

export const flowcontrolResources = [flowschemas, prioritylevelconfigurations];
