/**
 * What each resource can be selected by with `?fieldSelector=`: the field label conversion the server registers
 * for the kind (which labels it accepts, its error text for the others) and the values its registry strategy
 * computes for an object (GetAttrs / ToSelectableFields).
 */
import { goQuote } from './validation';

export interface SelectableFields {
  /** The label to match on (`spec.host` becomes `spec.nodeName`), or the server's error for an unsupported one. */
  convert(label: string): string | { error: string };
  /** The object's selectable fields; a field the object lacks is `''`. */
  fields(obj: unknown): Record<string, string>;
}

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The string at a dotted path, or `''`: the zero value the server's typed field would have. */
function str(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) cur = asObj(cur)[part];
  if (typeof cur === 'string') return cur;
  return typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '';
}

const int = (obj: unknown, path: string): string => {
  const v = str(obj, path);
  return v === '' ? '0' : v;
};

const bool = (obj: unknown, path: string): string => (str(obj, path) === 'true' ? 'true' : 'false');

const meta = (obj: unknown): Record<string, string> => ({
  'metadata.name': str(obj, 'metadata.name'),
  'metadata.namespace': str(obj, 'metadata.namespace'),
});

/** A conversion accepting `labels` (plus aliases); others get `message(label)`. */
function accepting(labels: readonly string[], message: (label: string) => string, aliases: Readonly<Record<string, string>> = {}) {
  const ok = new Set(labels);
  return (label: string): string | { error: string } => {
    if (ok.has(label)) return label;
    if (Object.hasOwn(aliases, label)) return aliases[label];
    return { error: message(label) };
  };
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

/** Every kind without its own conversion: DefaultMetaV1FieldSelectorConversion. Also right for custom resources. */
export const METADATA_FIELDS: SelectableFields = {
  convert: accepting(
    ['metadata.name', 'metadata.namespace'],
    (label) => `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
  ),
  fields: meta,
};

export const POD_FIELDS: SelectableFields = {
  convert: accepting(
    ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
      'status.nominatedNodeName'],
    notSupported,
    { 'spec.host': 'spec.nodeName' }, // old v1 clients
  ),
  fields: (pod) => {
    const podIPs = asObj(asObj(pod).status).podIPs;
    const first = Array.isArray(podIPs) && podIPs.length > 0 ? str(podIPs[0], 'ip') : str(pod, 'status.podIP');
    // status.podIPs is accepted by the conversion but not in the field set, so it only ever equals ''.
    return {
      ...meta(pod),
      'spec.nodeName': str(pod, 'spec.nodeName'),
      'spec.restartPolicy': str(pod, 'spec.restartPolicy'),
      'spec.schedulerName': str(pod, 'spec.schedulerName'),
      'spec.serviceAccountName': str(pod, 'spec.serviceAccountName'),
      'spec.hostNetwork': bool(pod, 'spec.hostNetwork'),
      'status.phase': str(pod, 'status.phase'),
      'status.podIP': first,
      'status.nominatedNodeName': str(pod, 'status.nominatedNodeName'),
    };
  },
};

const OBJECT_REFERENCE_KEYS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];
const EVENT_LABELS = [...OBJECT_REFERENCE_KEYS.map((k) => `involvedObject.${k}`), 'reason', 'reportingComponent', 'source', 'type'];

/**
 * An event's field set (EventToSelectableFields), always over the core/v1 field names, given where those fields
 * live in the object at hand: `source` is the source component, or the reporting controller when that is empty.
 */
function eventFields(event: unknown, at: { involvedObject: string; reportingComponent: string; source: string }): Record<string, string> {
  const reporting = str(event, at.reportingComponent);
  return {
    ...meta(event),
    ...Object.fromEntries(OBJECT_REFERENCE_KEYS.map((k) => [`involvedObject.${k}`, str(event, `${at.involvedObject}.${k}`)])),
    reason: str(event, 'reason'),
    reportingComponent: reporting,
    source: str(event, `${at.source}.component`) || reporting,
    type: str(event, 'type'),
  };
}

/** core/v1 events. */
export const EVENT_FIELDS: SelectableFields = {
  convert: accepting([...EVENT_LABELS, 'metadata.namespace', 'metadata.name'], notSupported),
  fields: (event) => eventFields(event, { involvedObject: 'involvedObject', reportingComponent: 'reportingComponent', source: 'source' }),
};

/** events.k8s.io/v1 label -> the core/v1 label it selects (the events are stored, and matched, as core/v1 events). */
const EVENTS_V1_LABELS: Readonly<Record<string, string>> = {
  reason: 'reason',
  ...Object.fromEntries(OBJECT_REFERENCE_KEYS.map((k) => [`regarding.${k}`, `involvedObject.${k}`])),
  reportingController: 'reportingComponent',
  source: 'source', // no such field in events.k8s.io/v1 any more, still accepted
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

/**
 * events.k8s.io/v1 events (AddFieldLabelConversionsForEvent of events/v1): `regarding.*` and `reportingController`
 * are accepted and renamed to the core/v1 labels; `involvedObject.*`, `reportingComponent`, `reportingInstance`
 * and the rest are not. The field set is the core/v1 one, read from the events.k8s.io/v1 form of the object.
 */
export const EVENTS_V1_FIELDS: SelectableFields = {
  convert: (label) => (Object.hasOwn(EVENTS_V1_LABELS, label) ? EVENTS_V1_LABELS[label] : { error: notSupported(label) }),
  fields: (event) => eventFields(event, { involvedObject: 'regarding', reportingComponent: 'reportingController', source: 'deprecatedSource' }),
};

export const NODE_FIELDS: SelectableFields = {
  convert: accepting(['metadata.name', 'spec.unschedulable'], notSupported),
  fields: (node) => ({ 'metadata.name': str(node, 'metadata.name'), 'spec.unschedulable': bool(node, 'spec.unschedulable') }),
};

/** The field set also has `name` (a historical bug kept by the server), but the conversion rejects that label. */
export const NAMESPACE_FIELDS: SelectableFields = {
  convert: accepting(['status.phase', 'metadata.name'], notSupported),
  fields: (ns) => ({ 'metadata.name': str(ns, 'metadata.name'), 'status.phase': str(ns, 'status.phase') }),
};

export const SECRET_FIELDS: SelectableFields = {
  convert: accepting(['type', 'metadata.namespace', 'metadata.name'], notSupported),
  fields: (secret) => ({ ...meta(secret), type: str(secret, 'type') }),
};

export const SERVICE_FIELDS: SelectableFields = {
  convert: accepting(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'], notSupported),
  fields: (svc) => ({ ...meta(svc), 'spec.clusterIP': str(svc, 'spec.clusterIP'), 'spec.type': str(svc, 'spec.type') }),
};

export const REPLICATION_CONTROLLER_FIELDS: SelectableFields = {
  convert: accepting(['metadata.name', 'metadata.namespace', 'status.replicas'], notSupported),
  fields: (rc) => ({ ...meta(rc), 'status.replicas': int(rc, 'status.replicas') }),
};

export const REPLICA_SET_FIELDS: SelectableFields = {
  convert: accepting(['metadata.name', 'metadata.namespace', 'status.replicas'], notSupported),
  fields: (rs) => ({ ...meta(rs), 'status.replicas': int(rs, 'status.replicas') }),
};

export const JOB_FIELDS: SelectableFields = {
  convert: accepting(['metadata.name', 'metadata.namespace', 'status.successful'], (l) => `field label ${goQuote(l)} not supported for batchv1.Job`),
  fields: (job) => ({ ...meta(job), 'status.successful': int(job, 'status.succeeded') }),
};

export const CSR_FIELDS: SelectableFields = {
  convert: accepting(['metadata.name', 'spec.signerName'], notSupported),
  fields: (csr) => ({ 'metadata.name': str(csr, 'metadata.name'), 'spec.signerName': str(csr, 'spec.signerName') }),
};

const BY_KIND: Readonly<Record<string, SelectableFields>> = {
  '/Pod': POD_FIELDS,
  '/Event': EVENT_FIELDS,
  'events.k8s.io/Event': EVENTS_V1_FIELDS,
  '/Node': NODE_FIELDS,
  '/Namespace': NAMESPACE_FIELDS,
  '/Secret': SECRET_FIELDS,
  '/Service': SERVICE_FIELDS,
  '/ReplicationController': REPLICATION_CONTROLLER_FIELDS,
  'apps/ReplicaSet': REPLICA_SET_FIELDS,
  'batch/Job': JOB_FIELDS,
  'certificates.k8s.io/CertificateSigningRequest': CSR_FIELDS,
};

/** The selectable fields of `group`/`kind`; kinds without their own table get metadata.name and metadata.namespace. */
export function selectableFieldsFor(gk: { group: string; kind: string }): SelectableFields {
  const key = `${gk.group}/${gk.kind}`;
  return Object.hasOwn(BY_KIND, key) ? BY_KIND[key] : METADATA_FIELDS;
}
