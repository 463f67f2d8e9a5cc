import { coreToEventsV1 } from '../builtin';
import type { ServedType } from '../served-type';
import { StatusError } from '../status';
import type { KubeObject } from '../storage';
import { compileSelectors } from './filter';

const served = (group: string, kind: string): ServedType => ({ group, kind }) as ServedType;
const query = (fieldSelector: string): URLSearchParams => new URLSearchParams({ fieldSelector });

/** A core/v1 event as stored; events.k8s.io/v1 clients are shown (and filter) its events.k8s.io/v1 form. */
const stored = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'e', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default' },
  reason: 'BackOff',
  reportingComponent: 'kubelet',
  source: {},
  type: 'Warning',
} as unknown as KubeObject;

describe('compileSelectors', () => {
  it('filters events.k8s.io/v1 events by their own field names', () => {
    const filter = compileSelectors(served('events.k8s.io', 'Event'), query('regarding.name=web-0,reportingController=kubelet,type=Warning'));
    expect(filter?.(coreToEventsV1(stored) as unknown as KubeObject)).toBe(true);
    const other = compileSelectors(served('events.k8s.io', 'Event'), query('regarding.name=web-1'));
    expect(other?.(coreToEventsV1(stored) as unknown as KubeObject)).toBe(false);
  });

  it('filters core/v1 events by the core/v1 names, and refuses the other ones with a 400', () => {
    expect(compileSelectors(served('', 'Event'), query('involvedObject.name=web-0,source=kubelet'))?.(stored)).toBe(true);
    expect(() => compileSelectors(served('events.k8s.io', 'Event'), query('involvedObject.name=web-0'))).toThrow(
      new StatusError(400, 'BadRequest', 'field label not supported: involvedObject.name'),
    );
  });

  it('filters services by spec.type and spec.clusterIP', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: 'None' } } as unknown as KubeObject;
    expect(compileSelectors(served('', 'Service'), query('spec.type=ClusterIP,spec.clusterIP=None'))?.(svc)).toBe(true);
    expect(compileSelectors(served('', 'Service'), query('spec.clusterIP!=None'))?.(svc)).toBe(false);
  });
});
