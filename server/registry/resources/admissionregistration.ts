// admissionregistration.k8s.io/v1 rows: webhook configurations and validating admission policies (and their
// bindings). kage runs no admission yet; these are stored so that extension API servers built on
// k8s.io/apiserver, whose admission plugins list and watch them at start, become ready.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from '../names.js';
import { duplicate, goQuote, goStringSlice, invalid, notSupported, path, required } from './fielderrors.js';
import { ageColumn, arr, col, ensure, get, isObject, nameColumn, num, objs, row, setDefault, str, text, type Json } from './helpers.js';

const GROUP = 'admissionregistration.k8s.io';
const CATEGORIES = ['api-extensions'];

// Supported values, sorted as sets.List() returns them.
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const NO_SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];

function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults (pkg/apis/admissionregistration/v1/defaults.go).

function defaultRule(rule: Json): void {
  setDefault(rule, 'scope', '*');
}

function defaultMatchResources(m: Json): void {
  setDefault(m, 'namespaceSelector', {});
  setDefault(m, 'objectSelector', {});
  setDefault(m, 'matchPolicy', 'Equivalent');
  for (const r of objs(m['resourceRules'])) defaultRule(r);
  for (const r of objs(m['excludeResourceRules'])) defaultRule(r);
}

function defaultWebhooks(obj: KubeObject, mutating: boolean): void {
  for (const hook of objs(obj['webhooks'])) {
    for (const r of objs(hook['rules'])) defaultRule(r);
    setDefault(hook, 'failurePolicy', 'Fail');
    setDefault(hook, 'matchPolicy', 'Equivalent');
    setDefault(hook, 'namespaceSelector', {});
    setDefault(hook, 'objectSelector', {});
    setDefault(hook, 'timeoutSeconds', 10);
    if (mutating) setDefault(hook, 'reinvocationPolicy', 'Never');
    const service = get(hook, 'clientConfig.service');
    if (isObject(service)) setDefault(service, 'port', 443);
  }
}

function defaultPolicy(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  setDefault(spec, 'failurePolicy', 'Fail');
  if (isObject(spec['matchConstraints'])) defaultMatchResources(spec['matchConstraints']);
}

function defaultBinding(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  if (isObject(spec['matchResources'])) defaultMatchResources(spec['matchResources']);
  if (isObject(spec['paramRef'])) setDefault(spec['paramRef'], 'parameterNotFoundAction', 'Deny');
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (pkg/apis/admissionregistration/validation, the checks that need no CEL or selectors).

/** utilvalidation.IsFullyQualifiedName. */
function fullyQualifiedName(field: string, name: string): StatusCause[] {
  if (name === '') return [required(field)];
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [invalid(field, name, errs.join(','))];
  if (name.split('.').length < 3) return [invalid(field, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateRule(rule: Json, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const ops = strings(rule['operations']);
  if (ops.length === 0) causes.push(required(`${base}.operations`));
  if (ops.length > 1 && ops.includes('*')) {
    causes.push(invalid(`${base}.operations`, goStringSlice(ops), "if '*' is present, must not specify other operations"));
  }
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) causes.push(notSupported(path(`${base}.operations`, i), op, OPERATIONS));
  });
  const groups = strings(rule['apiGroups']);
  if (groups.length === 0) causes.push(required(`${base}.apiGroups`));
  if (groups.length > 1 && groups.includes('*')) {
    causes.push(invalid(`${base}.apiGroups`, goStringSlice(groups), "if '*' is present, must not specify other API groups"));
  }
  const versions = strings(rule['apiVersions']);
  if (versions.length === 0) causes.push(required(`${base}.apiVersions`));
  if (versions.length > 1 && versions.includes('*')) {
    causes.push(invalid(`${base}.apiVersions`, goStringSlice(versions), "if '*' is present, must not specify other API versions"));
  }
  versions.forEach((v, i) => {
    if (v === '') causes.push(required(path(`${base}.apiVersions`, i)));
  });
  if (strings(rule['resources']).length === 0) causes.push(required(`${base}.resources`));
  const scope = str(rule['scope']);
  if (scope !== undefined && !SCOPES.includes(scope)) causes.push(notSupported(`${base}.scope`, scope, SCOPES));
  return causes;
}

function validateClientConfig(cc: Json, base: string): StatusCause[] {
  const url = str(cc['url']);
  const service = isObject(cc['service']) ? cc['service'] : undefined;
  if ((url === undefined) === (service === undefined)) return [required(`${base}.clientConfig`, 'exactly one of url or service is required')];
  const causes: StatusCause[] = [];
  const form = '; desired format: https://host[/path]';
  if (url !== undefined) {
    const field = `${base}.clientConfig.url`;
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      return [required(field, `url must be a valid URL: ${(err as Error).message}${form}`)];
    }
    const scheme = u.protocol.replace(/:$/, '');
    if (scheme !== 'https') causes.push(invalid(field, scheme, `'https' is the only allowed URL scheme${form}`));
    if (u.host === '') causes.push(invalid(field, u.host, `host must be specified${form}`));
    if (u.username || u.password) causes.push(invalid(field, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
    if (u.hash.length > 1) causes.push(invalid(field, u.hash.slice(1), 'fragments are not permitted in the URL'));
    if (u.search.length > 1) causes.push(invalid(field, u.search.slice(1), 'query parameters are not permitted in the URL'));
    return causes;
  }
  const svc = service!;
  const field = `${base}.clientConfig.service`;
  if (!str(svc['name'])) causes.push(required(`${field}.name`, 'service name is required'));
  if (!str(svc['namespace'])) causes.push(required(`${field}.namespace`, 'service namespace is required'));
  const port = num(svc['port']) ?? 443;
  const portErrs = isValidPortNum(port);
  if (portErrs.length > 0) causes.push(invalid(`${field}.port`, port, `port is not valid: ${portErrs.join(', ')}`));
  const p = str(svc['path']);
  if (p !== undefined && p !== '' && p !== '/' && !p.startsWith('/')) causes.push(invalid(`${field}.path`, p, "must start with a '/'"));
  return causes;
}

function validateAdmissionReviewVersions(versions: string[], requireRecognized: boolean, field: string): StatusCause[] {
  if (versions.length === 0) return [required(field, `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      causes.push(invalid(path(field, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const m of isDNS1035Label(v)) causes.push(invalid(path(field, i), v, m));
  });
  if (requireRecognized && !versions.some((v) => ADMISSION_REVIEW_VERSIONS.includes(v))) {
    causes.push(invalid(field, goStringSlice(versions), `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  }
  return causes;
}

/** Create-time strictness, relaxed on update for what the stored object already had (validationOptions). */
interface WebhookOptions {
  requireNoSideEffects: boolean;
  requireRecognizedAdmissionReviewVersion: boolean;
  requireUniqueWebhookNames: boolean;
}

function webhookOptions(old: KubeObject | undefined): WebhookOptions {
  if (!old) return { requireNoSideEffects: true, requireRecognizedAdmissionReviewVersion: true, requireUniqueWebhookNames: true };
  const hooks = objs(old['webhooks']);
  const names = hooks.map((h) => str(h['name']) ?? '');
  return {
    requireNoSideEffects: hooks.every((h) => NO_SIDE_EFFECTS.includes(str(h['sideEffects']) ?? '')),
    requireRecognizedAdmissionReviewVersion: hooks.every((h) => {
      const v = strings(h['admissionReviewVersions']);
      return v.length === 0 || v.some((x) => ADMISSION_REVIEW_VERSIONS.includes(x));
    }),
    requireUniqueWebhookNames: new Set(names).size === names.length,
  };
}

function validateWebhooks(obj: KubeObject, old: KubeObject | undefined, mutating: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const opts = webhookOptions(old);
  const names = new Set<string>();
  objs(obj['webhooks']).forEach((hook, i) => {
    const base = path('webhooks', i);
    const name = str(hook['name']) ?? '';
    causes.push(...fullyQualifiedName(`${base}.name`, name));
    objs(hook['rules']).forEach((r, j) => causes.push(...validateRule(r, path(base, 'rules', j))));
    const fp = str(hook['failurePolicy']);
    if (fp !== undefined && !FAILURE_POLICIES.includes(fp)) causes.push(notSupported(`${base}.failurePolicy`, fp, FAILURE_POLICIES));
    const mp = str(hook['matchPolicy']);
    if (mp !== undefined && !MATCH_POLICIES.includes(mp)) causes.push(notSupported(`${base}.matchPolicy`, mp, MATCH_POLICIES));
    const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECTS : SIDE_EFFECTS;
    const se = str(hook['sideEffects']);
    if (se === undefined) causes.push(required(`${base}.sideEffects`, `must specify one of ${allowed.join(', ')}`));
    else if (!allowed.includes(se)) causes.push(notSupported(`${base}.sideEffects`, se, allowed));
    const timeout = num(hook['timeoutSeconds']);
    if (timeout !== undefined && (timeout > 30 || timeout < 1)) {
      causes.push(invalid(`${base}.timeoutSeconds`, timeout, 'the timeout value must be between 1 and 30 seconds'));
    }
    if (mutating) {
      const rp = str(hook['reinvocationPolicy']);
      if (rp !== undefined && !REINVOCATION_POLICIES.includes(rp)) causes.push(notSupported(`${base}.reinvocationPolicy`, rp, REINVOCATION_POLICIES));
    }
    causes.push(...validateClientConfig(isObject(hook['clientConfig']) ? hook['clientConfig'] : {}, base));
    causes.push(...validateAdmissionReviewVersions(strings(hook['admissionReviewVersions']), opts.requireRecognizedAdmissionReviewVersion, `${base}.admissionReviewVersions`));
    if (opts.requireUniqueWebhookNames && name !== '') {
      if (names.has(name)) causes.push(duplicate(`${base}.name`, name));
      else names.add(name);
    }
  });
  return causes;
}

function validateMatchResources(m: Json, base: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const mp = str(m['matchPolicy']);
  if (mp === undefined) causes.push(required(`${base}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(mp)) causes.push(notSupported(`${base}.matchPolicy`, mp, MATCH_POLICIES));
  objs(m['resourceRules']).forEach((r, i) => causes.push(...validateRule(r, path(`${base}.resourceRules`, i))));
  objs(m['excludeResourceRules']).forEach((r, i) => causes.push(...validateRule(r, path(`${base}.excludeResourceRules`, i))));
  return causes;
}

function validatePolicy(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const fp = str(spec['failurePolicy']);
  if (fp === undefined) causes.push(required('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(fp)) causes.push(notSupported('spec.failurePolicy', fp, FAILURE_POLICIES));
  if (isObject(spec['paramKind'])) {
    if (!str(spec['paramKind']['apiVersion'])) causes.push(required('spec.paramKind.apiVersion'));
    if (!str(spec['paramKind']['kind'])) causes.push(required('spec.paramKind.kind'));
  }
  const mc = spec['matchConstraints'];
  if (!isObject(mc)) {
    causes.push(required('spec.matchConstraints'));
  } else {
    causes.push(...validateMatchResources(mc, 'spec.matchConstraints'));
    if (objs(mc['resourceRules']).length === 0) causes.push(required('spec.matchConstraints.resourceRules'));
  }
  const validations = objs(spec['validations']);
  if (validations.length === 0 && objs(spec['auditAnnotations']).length === 0) {
    causes.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  }
  validations.forEach((v, i) => {
    if ((str(v['expression']) ?? '').trim() === '') causes.push(required(path('spec', 'validations', i, 'expression'), 'expression is not specified'));
  });
  return causes;
}

function validateBinding(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const policyName = str(spec['policyName']) ?? '';
  if (policyName === '') causes.push(required('spec.policyName'));
  else for (const m of isDNS1123Subdomain(policyName)) causes.push(invalid('spec.policyName', policyName, m));
  if (isObject(spec['matchResources'])) causes.push(...validateMatchResources(spec['matchResources'], 'spec.matchResources'));
  const actions = strings(spec['validationActions']);
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!VALIDATION_ACTIONS.includes(a)) causes.push(notSupported(path('spec.validationActions', i), a, VALIDATION_ACTIONS));
    if (seen.has(a)) causes.push(duplicate(path('spec.validationActions', i), a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    causes.push(invalid('spec.validationActions', { go: `[]admissionregistration.ValidationAction{${actions.map(goQuote).join(', ')}}` },
      'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) causes.push(required('spec.validationActions', 'at least one validation action is required'));
  return causes;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns (pkg/printers/internalversion/printers.go).

/** metav1.LabelSelector.String() (gogo-protobuf's generated String). */
function labelSelectorString(sel: Json): string {
  const labels = isObject(sel['matchLabels']) ? sel['matchLabels'] : {};
  const ml = Object.keys(labels).sort().map((k) => `${k}: ${String(labels[k])},`).join('');
  const me = objs(sel['matchExpressions'])
    .map((e) => `LabelSelectorRequirement{Key:${str(e['key']) ?? ''},Operator:${str(e['operator']) ?? ''},Values:[${strings(e['values']).join(' ')}],},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${me}},}`;
}

function paramRefCell(o: KubeObject): string {
  const pr = get(o, 'spec.paramRef');
  if (!isObject(pr)) return '<unset>';
  const name = str(pr['name']) ?? '';
  if (name !== '') {
    const ns = str(pr['namespace']) ?? '';
    return ns !== '' ? `${ns}/${name}` : `*/${name}`;
  }
  if (isObject(pr['selector'])) return labelSelectorString(pr['selector']);
  return '<unset>';
}

function paramKindCell(o: KubeObject): string {
  const pk = get(o, 'spec.paramKind');
  if (!isObject(pk)) return '<unset>';
  return `${str(pk['apiVersion']) ?? ''}/${str(pk['kind']) ?? ''}`;
}

const webhooksColumn = col('Webhooks', 'integer', text('Webhooks indicates the number of webhooks registered in this configuration'),
  (o) => objs(o['webhooks']).length);

// ---------------------------------------------------------------------------------------------------------------
// Rows.

const mutatingwebhookconfigurations = row({
  group: GROUP,
  kind: 'MutatingWebhookConfiguration',
  plural: 'mutatingwebhookconfigurations',
  namespaced: false,
  categories: CATEGORIES,
  generation: true,
  columns: [nameColumn(), webhooksColumn, ageColumn()],
  defaults: (obj) => defaultWebhooks(obj, true),
  validate: (obj, old) => validateWebhooks(obj, old, true),
});

const validatingadmissionpolicies = row({
  group: GROUP,
  kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies',
  namespaced: false,
  categories: CATEGORIES,
  subresources: ['status'],
  generation: true,
  columns: [
    nameColumn(),
    col('Validations', 'integer', text('Validations indicates the number of validation rules defined in this configuration'),
      (o) => objs(get(o, 'spec.validations')).length),
    col('ParamKind', 'string', text('ParamKind specifies the kind of resources used to parameterize this policy'), paramKindCell),
    ageColumn(),
  ],
  defaults: defaultPolicy,
  validate: validatePolicy,
});

const validatingadmissionpolicybindings = row({
  group: GROUP,
  kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings',
  namespaced: false,
  categories: CATEGORIES,
  generation: true,
  columns: [
    nameColumn(),
    col('PolicyName', 'string', text('PolicyName indicates the policy definition which the policy binding binded to'),
      (o) => str(get(o, 'spec.policyName')) ?? ''),
    col('ParamRef', 'string', text('ParamRef indicates the param resource which sets the configration param'), paramRefCell),
    ageColumn(),
  ],
  defaults: defaultBinding,
  validate: validateBinding,
});

const validatingwebhookconfigurations = row({
  group: GROUP,
  kind: 'ValidatingWebhookConfiguration',
  plural: 'validatingwebhookconfigurations',
  namespaced: false,
  categories: CATEGORIES,
  generation: true,
  columns: [nameColumn(), webhooksColumn, ageColumn()],
  defaults: (obj) => defaultWebhooks(obj, false),
  validate: (obj, old) => validateWebhooks(obj, old, false),
});

export const admissionregistrationResources = [
  mutatingwebhookconfigurations,
  validatingadmissionpolicies,
  validatingadmissionpolicybindings,
  validatingwebhookconfigurations,
];
