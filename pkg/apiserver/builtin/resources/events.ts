/**
 * Events: core/v1 events, and events.k8s.io/v1 events as a view of the same stored objects (`note` is `message`,
 * `regarding` is `involvedObject`, ...). Validation is the real one: lenient for core/v1, strict for events.k8s.io.
 */
import { invalid, required } from '../../schema/errors';
import { isDns1123Subdomain } from '../../schema/names';
import { Event, EventList } from '../openapi/core-resources';
import { EventsEvent, EventsEventList } from '../openapi/groups';
import { typeSchema } from '../openapi/type-schema';
import { column, wide } from '../tables/columns';
import type { BuiltinDefinition, Cause, KObject, TablePrinter, TopObject } from '../types';
import { since, timestampMs } from '../util/age';
import { canonicalMicroTime, canonicalTime } from '../util/time';
import { isObject, num, obj, str } from '../util/json';
import { immutable } from '../validation/causes';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { isQualifiedName } from '../validation/strings';
import { STANDARD_VERBS } from './common';

/** events.k8s.io/v1 field -> core/v1 field. */
const RENAMES: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(o: TopObject, pairs: readonly (readonly [string, string])[], apiVersion: string): TopObject {
  const out: TopObject = { ...structuredClone(o), apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (o[from] !== undefined) out[to] = structuredClone(o[from]);
  }
  return out;
}

export const eventsV1ToCore = (e: TopObject): TopObject => rename(e, RENAMES, 'v1');
export const coreToEventsV1 = (e: TopObject): TopObject => rename(e, RENAMES.map(([a, b]) => [b, a] as const), 'events.k8s.io/v1');

const LIMIT_128 = 128;
const NOTE_LIMIT = 1024;

/** `legacyValidateEvent` + (strict) `ValidateEventCreate`, on the core/v1 form. */
function validateEvent(e: KObject, strict: boolean): Cause[] {
  const errs: Cause[] = [];
  const namespace = str(obj(e.metadata).namespace);
  const involvedNs = str(obj(e.involvedObject).namespace);
  const controllerField = strict ? 'reportingController' : 'reportingComponent';
  if (timestampMs(e.eventTime) === undefined) {
    if (involvedNs === '' ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs) {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    const controller = str(e.reportingComponent);
    if (!controller) errs.push(required(controllerField));
    errs.push(...isQualifiedName(controller).map((m) => invalid(controllerField, controller, m)));
    if (!str(e.reportingInstance)) errs.push(required('reportingInstance'));
    if (str(e.reportingInstance).length > LIMIT_128) errs.push(invalid('reportingInstance', '', `can have at most ${LIMIT_128} characters`));
    if (!str(e.action)) errs.push(required('action'));
    if (str(e.action).length > LIMIT_128) errs.push(invalid('action', '', `can have at most ${LIMIT_128} characters`));
    if (!str(e.reason)) errs.push(required('reason'));
    if (str(e.reason).length > LIMIT_128) errs.push(invalid('reason', '', `can have at most ${LIMIT_128} characters`));
    if (str(e.message).length > NOTE_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  errs.push(...isDns1123Subdomain(namespace).map((m) => invalid('namespace', namespace, m)));
  if (!strict) return errs;
  errs.push(...seriesErrors(e));
  if (timestampMs(e.eventTime) === undefined) errs.push(required('eventTime'));
  if (str(e.type) !== 'Normal' && str(e.type) !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${str(e.type)}`));
  if (timestampMs(e.firstTimestamp) !== undefined) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (timestampMs(e.lastTimestamp) !== undefined) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (num(e.count) !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  if (str(obj(e.source).component) || str(obj(e.source).host)) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

function seriesErrors(e: KObject): Cause[] {
  if (!isObject(e.series)) return [];
  const errs: Cause[] = [];
  if (num(e.series.count) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (timestampMs(e.series.lastObservedTime) === undefined) errs.push(required('series.lastObservedTime'));
  return errs;
}

/** Strict update rules (events.k8s.io): what happened cannot be rewritten. */
function validateStrictUpdate(e: KObject, old: KObject): Cause[] {
  const errs: Cause[] = [];
  if (JSON.stringify(e.series ?? null) !== JSON.stringify(old.series ?? null)) errs.push(...seriesErrors(e));
  for (const f of ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'action', 'reportingComponent', 'reportingInstance', 'related']) {
    errs.push(...immutable(e[f], old[f], f));
  }
  return errs;
}

function eventSource(e: KObject): string {
  const component = str(obj(e.source).component) || str(e.reportingComponent);
  const host = str(obj(e.source).host) || str(e.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

/** `printEvent` over the core/v1 form. */
function eventCells(e: KObject, nowMs: number): unknown[] {
  const first = timestampMs(e.firstTimestamp) !== undefined ? since(e.firstTimestamp, nowMs) : since(e.eventTime, nowMs);
  let last = timestampMs(e.lastTimestamp) !== undefined ? since(e.lastTimestamp, nowMs) : first;
  let count = num(e.count);
  if (isObject(e.series)) {
    last = since(e.series.lastObservedTime, nowMs);
    count = num(e.series.count);
  } else if (count === 0) {
    count = 1;
  }
  const involved = obj(e.involvedObject);
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  return [last, str(e.type), str(e.reason), target, str(involved.fieldPath), eventSource(e), str(e.message).trim(), first, count, str(obj(e.metadata).name)];
}

const EVENT_COLUMNS = [
  column('Last Seen', 'string', 'Time since the last occurrence.'),
  column('Type', 'string', 'Normal or Warning.'),
  column('Reason', 'string', 'Short reason.'),
  column('Object', 'string', 'The object the event is about.'),
  wide('Subobject', 'string', 'The part of the object, such as a container.'),
  wide('Source', 'string', 'Who reported the event.'),
  column('Message', 'string', 'Human readable description.'),
  wide('First Seen', 'string', 'Time since the first occurrence.'),
  wide('Count', 'string', 'Times the event occurred.'),
  column('Name', 'string', 'Name of the event.', { priority: 1, format: 'name' }),
];

const coreTable: TablePrinter = { columns: EVENT_COLUMNS, cells: (e, nowMs = Date.now()) => eventCells(e, nowMs) };

export const coreEvents: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults(e) {
    // Go zero values that always serialize on core/v1 events.
    if (!isObject(e.involvedObject)) e.involvedObject = {};
    if (!isObject(e.source)) e.source = {};
    for (const f of ['reportingComponent', 'reportingInstance']) if (typeof e[f] !== 'string') e[f] = '';
    for (const f of ['eventTime', 'firstTimestamp', 'lastTimestamp']) if (e[f] === undefined) e[f] = null;
    canonicalEventTimes(e, ['firstTimestamp', 'lastTimestamp']);
  },
  // Only path-segment rules for names: core/v1 events skip ObjectMeta name validation.
  validate: (e, old) => [...validateMetadata(e, old, { namespaced: true, name: NAME_RULES.pathSegment }), ...validateEvent(e, false)],
  table: coreTable,
  openapi: typeSchema(Event, EventList),
};

const asCore = (e: KObject): KObject => eventsV1ToCore(e as TopObject);

/**
 * The times of an event as the server writes them back: seconds for Time, microseconds for MicroTime. The two
 * Time fields are named differently in the two views.
 */
function canonicalEventTimes(e: KObject, timeFields: readonly string[]): void {
  for (const f of timeFields) if (typeof e[f] === 'string') e[f] = canonicalTime(e[f]);
  if (typeof e.eventTime === 'string') e.eventTime = canonicalMicroTime(e.eventTime);
  if (isObject(e.series) && typeof e.series.lastObservedTime === 'string') e.series.lastObservedTime = canonicalMicroTime(e.series.lastObservedTime);
}

export const eventsV1: BuiltinDefinition = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  storageResource: { group: '', plural: 'events' },
  toStorage: eventsV1ToCore,
  fromStorage: coreToEventsV1,
  defaults(e) {
    canonicalEventTimes(e, ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp']);
  },
  validate(e, old) {
    const core = asCore(e);
    const errs = validateMetadata(e, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    errs.push(...validateEvent(core, true));
    if (old !== undefined) errs.push(...validateStrictUpdate(core, asCore(old)));
    return errs;
  },
  table: { columns: EVENT_COLUMNS, cells: (e, nowMs = Date.now()) => eventCells(asCore(e), nowMs) },
  openapi: typeSchema(EventsEvent, EventsEventList),
};
