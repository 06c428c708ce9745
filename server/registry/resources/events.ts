// events.k8s.io/v1 rows: events (the same events as core/v1, in their newer shape).
import type { KubeObject, StatusCause } from '../../api/types.js';
import { parseTimestamp } from '../../table/duration.js';
import { invalid, required } from './fielderrors.js';
import { eventColumns, eventsV1Fields, eventsV1View, validateEventCommon } from './event-columns.js';
import { get, isObject, num, row, str } from './helpers.js';

/** events.k8s.io/v1 validates more strictly than core/v1 (ValidateEventCreate for the new API). */
function validateEventV1(obj: KubeObject): StatusCause[] {
  const view = eventsV1View(obj);
  const causes = validateEventCommon(obj, view);
  const series = obj.series;
  if (isObject(series)) {
    if ((num(series.count) ?? 0) < 2) causes.push(invalid('series.count', '', 'should be at least 2'));
    if (parseTimestamp(series.lastObservedTime) === undefined) causes.push(required('series.lastObservedTime'));
  }
  if (parseTimestamp(obj.eventTime) === undefined) causes.push(required('eventTime'));
  const type = str(obj.type) ?? '';
  if (type !== 'Normal' && type !== 'Warning') causes.push(invalid('type', '', `has invalid value: ${type}`));
  if (obj.deprecatedFirstTimestamp) causes.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (obj.deprecatedLastTimestamp) causes.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (num(obj.deprecatedCount)) causes.push(invalid('count', '', 'needs to be unset'));
  if (str(get(obj, 'deprecatedSource.component')) || str(get(obj, 'deprecatedSource.host'))) {
    causes.push(invalid('source', '', 'needs to be unset'));
  }
  return causes;
}

const events = row({
  group: 'events.k8s.io',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  columns: eventColumns(eventsV1View),
  fieldSelectors: eventsV1Fields(),
  validate: validateEventV1,
});

export const eventsResources = [events];
