// core/v1 replicationcontrollers: stored with their status and scale subresources; no controller runs them.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { formatLabels, labelSelectorFromSet } from '../../selectors/labels.js';
import { forbidden, goStringMap, invalid, notSupported, required } from './fielderrors.js';
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

/**
 * v1 defaults (SetDefaults_ReplicationController): selector and labels from the template's labels when empty,
 * one replica, the pod template's defaults; status.replicas is always written (it has no omitempty).
 */
function defaultReplicationController(obj: KubeObject): void {
  const spec = ensure(obj, 'spec');
  const templateLabels = strMap(get(spec, 'template.metadata.labels'));
  if (templateLabels && Object.keys(templateLabels).length > 0) {
    if (Object.keys(strMap(spec['selector']) ?? {}).length === 0) spec['selector'] = { ...templateLabels };
    if (Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  }
  setDefault(spec, 'replicas', 1);
  if (isObject(spec['template'])) {
    defaultPodSpec(ensure(spec, 'template.spec'));
    ensure(spec, 'template.metadata');
  }
  setDefault(ensure(obj, 'status'), 'replicas', 0);
}

function nonNegative(causes: StatusCause[], path: string, v: unknown): void {
  const n = num(v);
  if (n !== undefined && n < 0) causes.push(invalid(path, n, 'must be greater than or equal to 0'));
}

/** ValidateReplicationControllerSpec, plus the status counters' own rules. */
export function validateReplicationController(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  nonNegative(causes, 'spec.minReadySeconds', spec['minReadySeconds']);
  const selector = strMap(spec['selector']) ?? {};
  const selectorEmpty = Object.keys(selector).length === 0;
  if (selectorEmpty) causes.push(required('spec.selector'));
  nonNegative(causes, 'spec.replicas', spec['replicas']);

  const template = spec['template'];
  if (!isObject(template)) {
    causes.push(required('spec.template'));
  } else {
    const labels = strMap(get(template, 'metadata.labels'));
    if (!selectorEmpty && !labelSelectorFromSet(selector).matches(labels ?? {})) {
      causes.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
    }
    causes.push(...validatePodSpec(template['spec'], 'spec.template.spec'));
    const restartPolicy = get(template, 'spec.restartPolicy');
    if (typeof restartPolicy === 'string' && restartPolicy !== 'Always') {
      causes.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
    }
    if (get(template, 'spec.activeDeadlineSeconds') != null) {
      causes.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
    }
  }

  const status = isObject(obj['status']) ? obj['status'] : {};
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) {
    nonNegative(causes, `status.${f}`, status[f]);
  }
  return causes;
}

const int = (v: unknown): number => num(v) ?? 0;

export const replicationcontrollers = row({
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: [scaleSubresource({ mapSelector: true }), statusOf('ReplicationController')],
  generation: true,
  // printers.go printReplicationController.
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'ReplicationControllerSpec.replicas', (o) => int(get(o, 'spec.replicas'))),
    col('Current', 'integer', 'ReplicationControllerStatus.replicas', (o) => int(get(o, 'status.replicas'))),
    col('Ready', 'integer', 'ReplicationControllerStatus.readyReplicas', (o) => int(get(o, 'status.readyReplicas'))),
    ageColumn(),
    col('Containers', 'string', text('Names of each container in the template.'), (o) => containerCells(get(o, 'spec.template.spec.containers')).names, {
      priority: 1,
    }),
    col('Images', 'string', text('Images referenced by each container in the template.'), (o) => containerCells(get(o, 'spec.template.spec.containers')).images, {
      priority: 1,
    }),
    col('Selector', 'string', 'ReplicationControllerSpec.selector', (o) => formatLabels(strMap(get(o, 'spec.selector'))), { priority: 1 }),
  ],
  // ReplicationControllerToSelectableFields.
  fieldSelectors: { 'status.replicas': (o) => String(int(get(o, 'status.replicas'))) },
  defaults: defaultReplicationController,
  validate: validateReplicationController,
});
