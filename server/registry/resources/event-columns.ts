// Events are printed the same way whether they come as core/v1 or events.k8s.io/v1 objects (one internal type on a
// real server); a small view maps either shape onto the fields the columns and selectors read.
import type { KubeObject, StatusCause } from '../../api/types.js';
import type { FieldGetter, TableColumn } from '../types.js';
import { isQualifiedName } from '../names.js';
import { humanDuration, parseTimestamp } from '../../table/duration.js';
import { invalid, required } from './fielderrors.js';
import { col, get, isObject, type Json, nameColumn, num, str } from './helpers.js';

export interface EventView {
  involved: Json;
  reason: string;
  message: string;
  type: string;
  component: string;
  host: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: Json | undefined;
}

const s = (v: unknown): string => str(v) ?? '';
const o = (v: unknown): Json => (isObject(v) ? v : {});

/** core/v1 Event. */
export function coreEventView(e: KubeObject): EventView {
  return {
    involved: o(e.involvedObject),
    reason: s(e.reason),
    message: s(e.message),
    type: s(e.type),
    component: s(get(e, 'source.component')),
    host: s(get(e, 'source.host')),
    reportingController: s(e.reportingComponent),
    reportingInstance: s(e.reportingInstance),
    action: s(e.action),
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    count: num(e.count) ?? 0,
    series: isObject(e.series) ? e.series : undefined,
  };
}

/** events.k8s.io/v1 Event. */
export function eventsV1View(e: KubeObject): EventView {
  return {
    involved: o(e.regarding),
    reason: s(e.reason),
    message: s(e.note),
    type: s(e.type),
    component: s(get(e, 'deprecatedSource.component')),
    host: s(get(e, 'deprecatedSource.host')),
    reportingController: s(e.reportingController),
    reportingInstance: s(e.reportingInstance),
    action: s(e.action),
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    count: num(e.deprecatedCount) ?? 0,
    series: isObject(e.series) ? e.series : undefined,
  };
}

function since(ts: unknown, now: number): string | undefined {
  const t = parseTimestamp(ts);
  return t === undefined ? undefined : humanDuration(now - t);
}

interface EventTimes {
  first: string;
  last: string;
  count: number;
}

function times(v: EventView, now: number): EventTimes {
  const first = since(v.firstTimestamp, now) ?? since(v.eventTime, now) ?? '<unknown>';
  let last = since(v.lastTimestamp, now) ?? first;
  let count = v.count;
  if (v.series) {
    last = since(v.series.lastObservedTime, now) ?? '<unknown>';
    count = num(v.series.count) ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }
  return { first, last, count };
}

function target(v: EventView): string {
  const kind = s(v.involved.kind).toLowerCase();
  const name = s(v.involved.name);
  return name ? `${kind}/${name}` : kind;
}

function source(v: EventView): string {
  const component = v.component || v.reportingController;
  const instance = v.host || v.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

/** LAST SEEN TYPE REASON OBJECT MESSAGE, and with -o wide SUBOBJECT SOURCE FIRST SEEN COUNT NAME. */
export function eventColumns(view: (e: KubeObject) => EventView): TableColumn[] {
  return [
    col('Last Seen', 'string', 'Event.lastTimestamp', (e, now) => times(view(e), now).last),
    col('Type', 'string', 'Event.type', (e) => view(e).type),
    col('Reason', 'string', 'Event.reason', (e) => view(e).reason),
    col('Object', 'string', 'Event.involvedObject', (e) => target(view(e))),
    col('Subobject', 'string', 'ObjectReference.fieldPath', (e) => s(view(e).involved.fieldPath), { priority: 1 }),
    col('Source', 'string', 'Event.source', (e) => source(view(e)), { priority: 1 }),
    col('Message', 'string', 'Event.message', (e) => view(e).message.trim()),
    col('First Seen', 'string', 'Event.firstTimestamp', (e, now) => times(view(e), now).first, { priority: 1 }),
    col('Count', 'string', 'Event.count', (e, now) => times(view(e), now).count, { priority: 1 }),
    nameColumn(1),
  ];
}

/** The selectable fields of events, under the names core/v1 uses. */
export function coreEventFields(): Record<string, FieldGetter> {
  const v = coreEventView;
  const inv = (k: string): FieldGetter => (e) => s(v(e).involved[k]);
  return {
    'involvedObject.kind': inv('kind'),
    'involvedObject.namespace': inv('namespace'),
    'involvedObject.name': inv('name'),
    'involvedObject.uid': inv('uid'),
    'involvedObject.apiVersion': inv('apiVersion'),
    'involvedObject.resourceVersion': inv('resourceVersion'),
    'involvedObject.fieldPath': inv('fieldPath'),
    reason: (e) => v(e).reason,
    reportingComponent: (e) => v(e).reportingController,
    source: (e) => v(e).component || v(e).reportingController,
    type: (e) => v(e).type,
  };
}

/** The selectable fields of events.k8s.io/v1 events (regarding.*, reportingController, ...). */
export function eventsV1Fields(): Record<string, FieldGetter> {
  const v = eventsV1View;
  const reg = (k: string): FieldGetter => (e) => s(v(e).involved[k]);
  return {
    'regarding.kind': reg('kind'),
    'regarding.namespace': reg('namespace'),
    'regarding.name': reg('name'),
    'regarding.uid': reg('uid'),
    'regarding.apiVersion': reg('apiVersion'),
    'regarding.resourceVersion': reg('resourceVersion'),
    'regarding.fieldPath': reg('fieldPath'),
    reason: (e) => v(e).reason,
    reportingController: (e) => v(e).reportingController,
    source: (e) => v(e).component || v(e).reportingController,
    type: (e) => v(e).type,
  };
}

/**
 * The checks every event passes (legacyValidateEvent). Field paths are those of the core type, as the real server
 * reports them for both APIs.
 */
export function validateEventCommon(e: KubeObject, v: EventView): StatusCause[] {
  const causes: StatusCause[] = [];
  const ns = e.metadata?.namespace ?? '';
  const invNs = s(v.involved.namespace);
  if (parseTimestamp(v.eventTime) === undefined) {
    if (invNs === '' ? ns !== '' && ns !== 'default' : ns !== invNs) {
      causes.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    }
  } else {
    if (invNs === '' && ns !== 'default' && ns !== 'kube-system') {
      causes.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    }
    if (v.reportingController === '') causes.push(required('reportingController'));
    for (const m of isQualifiedName(v.reportingController)) causes.push(invalid('reportingController', v.reportingController, m));
    if (v.reportingInstance === '') causes.push(required('reportingInstance'));
    if (v.reportingInstance.length > 128) causes.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (v.action === '') causes.push(required('action'));
    if (v.action.length > 128) causes.push(invalid('action', '', 'can have at most 128 characters'));
    if (v.reason === '') causes.push(required('reason'));
    if (v.reason.length > 128) causes.push(invalid('reason', '', 'can have at most 128 characters'));
    if (v.message.length > 1024) causes.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  return causes;
}
