// apps/v1 rows: deployments.
import type { KubeObject, StatusCause } from '../../api/types.js';
import {
  labelSelectorFromObject,
  validateLabelSelectorObject,
  type LabelSelectorObject,
  type LabelSelectorRequirementObject,
} from '../../selectors/labels.js';
import { FIELD_IMMUTABLE, goQuote, goStringMap, goStringSlice, type GoRendered, invalid, notSupported, required } from './fielderrors.js';
import { defaultPodSpec, validatePodSpec } from './core-pods.js';
import {
  ageColumn,
  col,
  containerCells,
  ensure,
  get,
  isObject,
  nameColumn,
  num,
  row,
  scaleSubresource,
  setDefault,
  statusOf,
  strMap,
  text,
} from './helpers.js';

/** A metav1.LabelSelector rendered as Go's %#v prints it in validation messages. */
export function goLabelSelector(sel: LabelSelectorObject): GoRendered {
  const exprs = sel.matchExpressions;
  const renderExpr = (e: LabelSelectorRequirementObject): string =>
    `v1.LabelSelectorRequirement{Key:${goQuote(String(e.key ?? ''))}, Operator:${goQuote(String(e.operator ?? ''))}, Values:${goStringSlice(e.values).go}}`;
  const exprsGo = exprs == null ? '[]v1.LabelSelectorRequirement(nil)' : `[]v1.LabelSelectorRequirement{${exprs.map(renderExpr).join(', ')}}`;
  return { go: `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels).go}, MatchExpressions:${exprsGo}}` };
}

function defaultDeployment(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensure(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensure(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodSpec(ensure(spec, 'template.spec'));
  ensure(spec, 'template.metadata');
}

const STRATEGY_TYPES = ['Recreate', 'RollingUpdate'];

function nonNegative(causes: StatusCause[], path: string, v: unknown): void {
  const n = num(v);
  if (n !== undefined && n < 0) causes.push(invalid(path, n, 'must be greater than or equal to 0'));
}

function validateDeployment(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  nonNegative(causes, 'spec.replicas', spec.replicas);

  const selector = isObject(spec.selector) ? (spec.selector as LabelSelectorObject) : undefined;
  let selectorOk = false;
  if (!selector) {
    causes.push(required('spec.selector'));
  } else {
    const selCauses = validateLabelSelectorObject(selector, 'spec.selector');
    causes.push(...selCauses);
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      causes.push(invalid('spec.selector', goLabelSelector(selector), 'empty selector is invalid for deployment'));
    } else {
      selectorOk = selCauses.length === 0;
    }
  }

  const templateLabels = strMap(get(spec, 'template.metadata.labels'));
  if (selector && selectorOk) {
    let matches = true;
    try {
      matches = labelSelectorFromObject(selector).matches(templateLabels ?? {});
    } catch {
      matches = true; // already reported through the selector's own causes
    }
    if (!matches) {
      causes.push(invalid('spec.template.metadata.labels', goStringMap(templateLabels), '`selector` does not match template `labels`'));
    }
  }
  causes.push(...validatePodSpec(get(spec, 'template.spec'), 'spec.template.spec'));
  const restartPolicy = get(spec, 'template.spec.restartPolicy');
  if (typeof restartPolicy === 'string' && restartPolicy !== 'Always') {
    causes.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  }

  const strategyType = get(spec, 'strategy.type');
  if (typeof strategyType === 'string' && !STRATEGY_TYPES.includes(strategyType)) {
    causes.push(notSupported('spec.strategy.type', strategyType, STRATEGY_TYPES));
  }
  nonNegative(causes, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(causes, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  const deadline = num(spec.progressDeadlineSeconds);
  if (deadline !== undefined) {
    nonNegative(causes, 'spec.progressDeadlineSeconds', deadline);
    if (deadline <= (num(spec.minReadySeconds) ?? 0)) {
      causes.push(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
    }
  }

  // apps/v1 does not let an update change the selector.
  if (old && JSON.stringify(get(old, 'spec.selector') ?? null) !== JSON.stringify(spec.selector ?? null)) {
    const value = selector ? goLabelSelector(selector) : null;
    causes.push(invalid('spec.selector', value, FIELD_IMMUTABLE));
  }
  return causes;
}

function selectorString(o: KubeObject): string {
  const sel = get(o, 'spec.selector');
  try {
    return labelSelectorFromObject(isObject(sel) ? (sel as LabelSelectorObject) : undefined).toString();
  } catch {
    return '<invalid>';
  }
}

const int = (v: unknown): number => num(v) ?? 0;

const deployments = row({
  group: 'apps',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [scaleSubresource(), statusOf('Deployment')],
  generation: true,
  columns: [
    nameColumn(),
    col('Ready', 'string', text('Number of the pod with ready state'), (o) => `${int(get(o, 'status.readyReplicas'))}/${int(get(o, 'spec.replicas'))}`),
    col('Up-to-date', 'string', 'DeploymentStatus.updatedReplicas', (o) => int(get(o, 'status.updatedReplicas'))),
    col('Available', 'string', 'DeploymentStatus.availableReplicas', (o) => int(get(o, 'status.availableReplicas'))),
    ageColumn(),
    col('Containers', 'string', text('Names of each container in the template.'), (o) => containerCells(get(o, 'spec.template.spec.containers')).names, {
      priority: 1,
    }),
    col('Images', 'string', text('Images referenced by each container in the template.'), (o) => containerCells(get(o, 'spec.template.spec.containers')).images, {
      priority: 1,
    }),
    col('Selector', 'string', 'DeploymentSpec.selector', selectorString, { priority: 1 }),
  ],
  defaults: defaultDeployment,
  validate: validateDeployment,
});

export const appsResources = [deployments];
