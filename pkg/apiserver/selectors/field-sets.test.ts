import { SelectorError } from './errors';
import { parseFieldSelector } from './field-selector';
import {
  EVENT_FIELDS,
  EVENTS_V1_FIELDS,
  METADATA_FIELDS,
  NAMESPACE_FIELDS,
  NODE_FIELDS,
  POD_FIELDS,
  REPLICA_SET_FIELDS,
  SECRET_FIELDS,
  SERVICE_FIELDS,
  selectableFieldsFor,
  type SelectableFields,
} from './field-sets';

function unsupported(selector: string, fields: SelectableFields): string {
  try {
    parseFieldSelector(selector, fields);
  } catch (e) {
    if (e instanceof SelectorError && e.code === 'UNSUPPORTED_FIELD') return e.message;
    throw e;
  }
  throw new Error(`expected ${selector} to be refused`);
}

const select = (selector: string, fields: SelectableFields, object: unknown): boolean =>
  parseFieldSelector(selector, fields).matches(fields.fields(object));

const reference = { kind: 'Pod', namespace: 'baz', name: 'foo', uid: 'long uid string', apiVersion: 'v1', resourceVersion: '0' };

describe('selectableFieldsFor', () => {
  it('finds the table of each kind with its own field labels, by group and kind', () => {
    expect(selectableFieldsFor({ group: '', kind: 'Pod' })).toBe(POD_FIELDS);
    expect(selectableFieldsFor({ group: '', kind: 'Event' })).toBe(EVENT_FIELDS);
    expect(selectableFieldsFor({ group: 'events.k8s.io', kind: 'Event' })).toBe(EVENTS_V1_FIELDS);
    expect(selectableFieldsFor({ group: '', kind: 'Service' })).toBe(SERVICE_FIELDS);
    expect(selectableFieldsFor({ group: '', kind: 'Secret' })).toBe(SECRET_FIELDS);
    expect(selectableFieldsFor({ group: '', kind: 'Namespace' })).toBe(NAMESPACE_FIELDS);
    expect(selectableFieldsFor({ group: 'apps', kind: 'ReplicaSet' })).toBe(REPLICA_SET_FIELDS);
  });

  it('gives metadata.name and metadata.namespace to every other kind', () => {
    for (const gk of [
      { group: '', kind: 'ConfigMap' },
      { group: '', kind: 'Endpoints' },
      { group: '', kind: 'ServiceAccount' },
      { group: 'coordination.k8s.io', kind: 'Lease' },
      { group: 'apps', kind: 'Deployment' },
      { group: 'apps', kind: 'DaemonSet' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'events.k8s.io', kind: 'Service' },
    ]) {
      expect(selectableFieldsFor(gk)).toBe(METADATA_FIELDS);
    }
    const cm = { metadata: { name: 'c', namespace: 'default' } };
    expect(select('metadata.name=c,metadata.namespace=default', METADATA_FIELDS, cm)).toBe(true);
    // A cluster-scoped object's namespace is empty.
    expect(select('metadata.namespace=', METADATA_FIELDS, { metadata: { name: 'crd' } })).toBe(true);
  });
});

describe('core/v1 Event', () => {
  it('has the field set of EventToSelectableFields', () => {
    const event = { metadata: { name: 'f0118', namespace: 'default' }, involvedObject: reference, reason: 'ForTesting', source: { component: 'test' }, type: 'Normal' };
    expect(EVENT_FIELDS.fields(event)).toEqual({
      'metadata.name': 'f0118',
      'metadata.namespace': 'default',
      'involvedObject.kind': 'Pod',
      'involvedObject.namespace': 'baz',
      'involvedObject.name': 'foo',
      'involvedObject.uid': 'long uid string',
      'involvedObject.apiVersion': 'v1',
      'involvedObject.resourceVersion': '0',
      'involvedObject.fieldPath': '',
      reason: 'ForTesting',
      reportingComponent: '',
      source: 'test',
      type: 'Normal',
    });
  });

  it('takes the source from the reporting component when the event has no source component', () => {
    const event = { metadata: { name: 'e', namespace: 'default' }, involvedObject: reference, source: {}, reportingComponent: 'test' };
    expect(EVENT_FIELDS.fields(event)).toMatchObject({ reportingComponent: 'test', source: 'test' });
    expect(select('source=test,reportingComponent=test', EVENT_FIELDS, event)).toBe(true);
  });

  it('refuses the events.k8s.io/v1 names', () => {
    expect(unsupported('regarding.name=foo', EVENT_FIELDS)).toBe('field label not supported: regarding.name');
    expect(unsupported('reportingController=x', EVENT_FIELDS)).toBe('field label not supported: reportingController');
  });
});

describe('events.k8s.io/v1 Event', () => {
  const event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'default' },
    regarding: { ...reference, fieldPath: 'spec.containers{app}' },
    reason: 'Failed',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    type: 'Warning',
  };

  it('renames regarding.* and reportingController to the core/v1 labels it is matched on', () => {
    const sel = parseFieldSelector('regarding.kind=Pod,regarding.name=foo,reportingController=kubelet,type=Warning', EVENTS_V1_FIELDS);
    expect(sel.fields).toEqual(['involvedObject.kind', 'involvedObject.name', 'reportingComponent', 'type']);
    expect(sel.matches(EVENTS_V1_FIELDS.fields(event))).toBe(true);
  });

  it('selects on every regarding field, reason, type, source and metadata', () => {
    for (const selector of [
      'regarding.namespace=baz',
      'regarding.uid=long uid string',
      'regarding.apiVersion=v1',
      'regarding.resourceVersion=0',
      'regarding.fieldPath=spec.containers{app}',
      'reason=Failed',
      'type!=Normal',
      'source=kubelet', // no source component: the reporting controller
      'metadata.name=e,metadata.namespace=default',
    ]) {
      expect([selector, select(selector, EVENTS_V1_FIELDS, event)]).toEqual([selector, true]);
    }
    expect(select('regarding.name=bar', EVENTS_V1_FIELDS, event)).toBe(false);
    expect(select('source=other', EVENTS_V1_FIELDS, { ...event, deprecatedSource: { component: 'other' } })).toBe(true);
  });

  it('refuses the core/v1 names and the fields the server does not index', () => {
    for (const label of ['involvedObject.name', 'reportingComponent', 'reportingInstance', 'note', 'action', 'spec.x']) {
      expect(unsupported(`${label}=x`, EVENTS_V1_FIELDS)).toBe(`field label not supported: ${label}`);
    }
  });
});

describe('Service', () => {
  const svc = (name: string, clusterIP: string, type: string) => ({ metadata: { name, namespace: 'default' }, spec: { clusterIP, type } });

  it('selects on spec.clusterIP and spec.type (headless services, by type)', () => {
    const notHeadless = parseFieldSelector('spec.clusterIP!=None', SERVICE_FIELDS);
    expect(notHeadless.matches(SERVICE_FIELDS.fields(svc('a', '10.96.0.10', 'ClusterIP')))).toBe(true);
    expect(notHeadless.matches(SERVICE_FIELDS.fields(svc('b', 'None', 'ClusterIP')))).toBe(false);
    expect(select('spec.type=NodePort,metadata.namespace=default', SERVICE_FIELDS, svc('c', '10.96.0.11', 'NodePort'))).toBe(true);
    expect(select('spec.type=NodePort', SERVICE_FIELDS, svc('d', '10.96.0.12', 'ClusterIP'))).toBe(false);
    expect(SERVICE_FIELDS.fields({ metadata: { name: 'e' } })).toEqual({
      'metadata.name': 'e',
      'metadata.namespace': '',
      'spec.clusterIP': '',
      'spec.type': '',
    });
  });

  it('refuses other spec fields with the core/v1 message', () => {
    expect(unsupported('spec.externalName=x', SERVICE_FIELDS)).toBe('field label not supported: spec.externalName');
  });
});

describe('the other built-in kinds', () => {
  it('matches pods by their first pod IP and their node', () => {
    const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', hostNetwork: true }, status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }] } };
    expect(select('status.podIP=10.0.0.7,spec.nodeName=n1,spec.hostNetwork=true,status.phase=Running', POD_FIELDS, pod)).toBe(true);
    expect(POD_FIELDS.fields({ metadata: { name: 'q' } })).toMatchObject({ 'spec.hostNetwork': 'false', 'status.podIP': '', 'spec.nodeName': '' });
  });

  it('matches namespaces by phase, but not by the `name` field the server cannot be asked for', () => {
    const ns = { metadata: { name: 'kube-system' }, status: { phase: 'Active' } };
    expect(select('metadata.name=kube-system,status.phase=Active', NAMESPACE_FIELDS, ns)).toBe(true);
    expect(unsupported('name=kube-system', NAMESPACE_FIELDS)).toBe('field label not supported: name');
    expect(unsupported('metadata.namespace=x', NAMESPACE_FIELDS)).toBe('field label not supported: metadata.namespace');
  });

  it('matches secrets by type, nodes by unschedulable and replica sets by status.replicas', () => {
    expect(select('type=kubernetes.io/tls,metadata.namespace=default', SECRET_FIELDS, { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls' })).toBe(true);
    expect(select('spec.unschedulable=true', NODE_FIELDS, { metadata: { name: 'n' }, spec: { unschedulable: true } })).toBe(true);
    expect(select('status.replicas=3', REPLICA_SET_FIELDS, { metadata: { name: 'r', namespace: 'default' }, status: { replicas: 3 } })).toBe(true);
    expect(select('status.replicas=0', REPLICA_SET_FIELDS, { metadata: { name: 'r', namespace: 'default' } })).toBe(true);
  });
});
