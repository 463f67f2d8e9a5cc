import { SelectorError } from './errors';
import { parseFieldSelector } from './field-selector';
import { JOB_FIELDS, METADATA_FIELDS, NODE_FIELDS, POD_FIELDS, selectableFieldsFor } from './field-sets';

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a SelectorError');
}

const pod = (name: string, node: string | undefined, phase: string) => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName: node, restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase, podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
});

describe('parseFieldSelector', () => {
  it('parses =, == and !=, ANDed', () => {
    const sel = parseFieldSelector('metadata.name=x,spec.nodeName!=,status.phase==Running');
    expect(sel.terms).toEqual([
      { field: 'metadata.name', operator: '=', value: 'x' },
      { field: 'spec.nodeName', operator: '!=', value: '' },
      { field: 'status.phase', operator: '=', value: 'Running' },
    ]);
    expect(sel.fields).toEqual(['metadata.name', 'spec.nodeName', 'status.phase']);
    expect(sel.matches({ 'metadata.name': 'x', 'spec.nodeName': 'n1', 'status.phase': 'Running' })).toBe(true);
    expect(sel.matches({ 'metadata.name': 'x', 'status.phase': 'Running' })).toBe(false);
  });

  it('selects everything when empty, and skips empty terms', () => {
    expect(parseFieldSelector('').empty).toBe(true);
    expect(parseFieldSelector(',,').matches({})).toBe(true);
  });

  it('unescapes \\, \\= and \\\\ in values and escapes them back when printed', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    expect(sel.terms[0].value).toBe('a,b=c\\d');
    expect(sel.toString()).toBe('metadata.name=a\\,b\\=c\\\\d');
  });

  it('reports bad terms as the server does, the first in sorted order', () => {
    expect(failure(() => parseFieldSelector('zzz,aaa'))).toEqual({
      code: 'INVALID_FIELD_SELECTOR',
      message: "invalid selector: 'zzz,aaa'; can't understand 'aaa'",
    });
    expect(failure(() => parseFieldSelector('a=b=c')).message).toBe('invalid field selector: unescaped character in value: 61');
    expect(failure(() => parseFieldSelector('a=b\\x')).message).toBe('invalid field selector: invalid escape sequence: \\x');
    expect(failure(() => parseFieldSelector('a=b\\')).message).toBe('invalid field selector: invalid escape sequence: \\');
  });
});

describe('field selectors per resource', () => {
  it('matches pods by their selectable fields', () => {
    const unscheduled = parseFieldSelector('spec.nodeName=,status.phase=Pending', POD_FIELDS);
    expect(unscheduled.matches(POD_FIELDS.fields(pod('a', undefined, 'Pending')))).toBe(true);
    expect(unscheduled.matches(POD_FIELDS.fields(pod('b', 'n1', 'Pending')))).toBe(false);
    const onNode = parseFieldSelector('spec.host=n1,status.podIP=10.0.0.5,spec.hostNetwork=false', POD_FIELDS);
    expect(onNode.terms[0].field).toBe('spec.nodeName');
    expect(onNode.matches(POD_FIELDS.fields(pod('b', 'n1', 'Running')))).toBe(true);
  });

  it('names an unsupported field with the message of the kind', () => {
    expect(failure(() => parseFieldSelector('spec.foo=1', POD_FIELDS))).toEqual({
      code: 'UNSUPPORTED_FIELD',
      message: 'field label not supported: spec.foo',
    });
    expect(failure(() => parseFieldSelector('data.x=1', METADATA_FIELDS)).message).toBe(
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(failure(() => parseFieldSelector('metadata.namespace=x', NODE_FIELDS)).message).toBe(
      'field label not supported: metadata.namespace',
    );
    expect(failure(() => parseFieldSelector('status.succeeded=1', JOB_FIELDS)).message).toBe(
      'field label "status.succeeded" not supported for batchv1.Job',
    );
  });

  it('has a table for the kinds with their own fields', () => {
    const event = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' },
      reason: 'Failed',
      type: 'Warning',
      source: { component: 'kubelet' },
    };
    const events = selectableFieldsFor({ group: '', kind: 'Event' });
    expect(parseFieldSelector('involvedObject.name=p,type=Warning,source=kubelet', events).matches(events.fields(event))).toBe(true);
    const secrets = selectableFieldsFor({ group: '', kind: 'Secret' });
    expect(parseFieldSelector('type=kubernetes.io/tls', secrets).matches(secrets.fields({ type: 'kubernetes.io/tls' }))).toBe(true);
    const nodes = selectableFieldsFor({ group: '', kind: 'Node' });
    expect(parseFieldSelector('spec.unschedulable=false', nodes).matches(nodes.fields({ metadata: { name: 'n' } }))).toBe(true);
    expect(selectableFieldsFor({ group: '', kind: 'ConfigMap' })).toBe(METADATA_FIELDS);
    expect(selectableFieldsFor({ group: 'devices.kubeedge.io', kind: 'Device' })).toBe(METADATA_FIELDS);
    const rs = selectableFieldsFor({ group: 'apps', kind: 'ReplicaSet' });
    expect(parseFieldSelector('status.replicas=0', rs).matches(rs.fields({ metadata: { name: 'r' } }))).toBe(true);
  });
});
