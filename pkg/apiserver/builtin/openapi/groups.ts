/** coordination.k8s.io/v1 Lease and events.k8s.io/v1 Event. */
import { int32, ref, string, struct, value } from './dsl';
import { ObjectReference } from './core-pod';
import { EventSource } from './core-resources';
import { listFields, MicroTime, objectMeta, Time } from './meta';

const COORDINATION = 'io.k8s.api.coordination.v1';

export const LeaseSpec = struct(`${COORDINATION}.LeaseSpec`, 'The state of a lease.', {
  acquireTime: ref(MicroTime, 'When the current holder acquired it.'),
  holderIdentity: string('Identity of the current holder.'),
  leaseDurationSeconds: int32('Seconds a candidate waits after the last renewal before taking over.'),
  leaseTransitions: int32('Changes of holder so far.'),
  preferredHolder: string('Holder a coordinated election prefers.'),
  renewTime: ref(MicroTime, 'When the holder last renewed it.'),
  strategy: string('Coordinated election strategy, such as OldestEmulationVersion.'),
});

export const Lease = struct(
  `${COORDINATION}.Lease`,
  'A lease: heartbeats of edge nodes and leader election.',
  { ...objectMeta(), spec: value(LeaseSpec, 'The lease.') },
  { gvk: [{ group: 'coordination.k8s.io', kind: 'Lease', version: 'v1' }] },
);

export const LeaseList = struct(`${COORDINATION}.LeaseList`, 'A list of leases.', listFields(Lease, 'leases'), {
  gvk: [{ group: 'coordination.k8s.io', kind: 'LeaseList', version: 'v1' }],
});

const EVENTS = 'io.k8s.api.events.v1';

export const EventsEventSeries = struct(`${EVENTS}.EventSeries`, 'A series of repeated events.', {
  count: int32('Occurrences so far.').default(0).required(),
  lastObservedTime: ref(MicroTime, 'Time of the last occurrence.').required(),
});

export const EventsEvent = struct(
  `${EVENTS}.Event`,
  'A report of something that happened in the cluster (the events.k8s.io view of core events).',
  {
    ...objectMeta(),
    action: string('What was done (or failed).'),
    deprecatedCount: int32('core/v1 count, for compatibility.'),
    deprecatedFirstTimestamp: ref(Time, 'core/v1 firstTimestamp, for compatibility.'),
    deprecatedLastTimestamp: ref(Time, 'core/v1 lastTimestamp, for compatibility.'),
    deprecatedSource: value(EventSource, 'core/v1 source, for compatibility.'),
    eventTime: ref(MicroTime, 'When the event was first observed.').required(),
    note: string('Human readable description (at most 1 kB).'),
    reason: string('Short CamelCase reason.'),
    regarding: value(ObjectReference, 'The object the event is about.'),
    related: ref(ObjectReference, 'A second object involved.'),
    reportingController: string('Controller that emitted the event.'),
    reportingInstance: string('ID of the controller instance.'),
    series: ref(EventsEventSeries, 'Data about a series of events.'),
    type: string('Normal or Warning.'),
  },
  { gvk: [{ group: 'events.k8s.io', kind: 'Event', version: 'v1' }] },
);

export const EventsEventList = struct(`${EVENTS}.EventList`, 'A list of events.', listFields(EventsEvent, 'events'), {
  gvk: [{ group: 'events.k8s.io', kind: 'EventList', version: 'v1' }],
});
