/** Message shapes, connection events and option checks. */
import { newMessage, Operation } from '../../pkg/message';
import { connectionEvent, downstreamResource } from './messages';
import { compileSyncOptions, type SyncControllerOptions } from './options';
import { testLogger } from '../../pkg/kube/testing/control-plane';
import type { Client } from '../../pkg/kube';

describe('messages', () => {
  it('names resources as KubeEdge does, null for cluster scope and the lower-case kind as type', () => {
    expect(downstreamResource('edge-1', 'default', 'ConfigMap', 'cm')).toBe('node/edge-1/default/configmap/cm');
    expect(downstreamResource('edge-1', undefined, 'PersistentVolume', 'pv')).toBe('node/edge-1/null/persistentvolume/pv');
  });

  it('reads CONNECTED and DISCONNECTED for node/<node>, and nothing else', () => {
    const event = (operation: Operation, resource: string) => connectionEvent(newMessage({ source: 'cloudhub', group: 'resource', operation, resource }));
    expect(event(Operation.OPERATION_CONNECTED, 'node/edge-1')).toEqual({ type: 'connected', node: 'edge-1' });
    expect(event(Operation.OPERATION_DISCONNECTED, 'node/edge-1')).toEqual({ type: 'disconnected', node: 'edge-1' });
    expect(event(Operation.OPERATION_CONNECTED, 'node/edge-1/default/pod/p')).toBeUndefined();
    expect(event(Operation.OPERATION_UPDATE, 'node/edge-1')).toBeUndefined();
  });
});

describe('options', () => {
  const base: SyncControllerOptions = { client: {} as Client, log: testLogger() };

  it('defaults the period to 5 s, the connected scope, 4 workers', () => {
    expect(compileSyncOptions(base)).toMatchObject({ periodMs: 5000, periodicScope: 'connected', workers: 4, maxSendsPerPass: 500 });
  });

  it('refuses bad values, naming the field and where it comes from', () => {
    expect(() => compileSyncOptions({ ...base, periodMs: 0 })).toThrow(/periodMs must be a positive number .*modules.syncController.period/);
    expect(() => compileSyncOptions({ ...base, periodMs: Number.NaN })).toThrow(/periodMs/);
    expect(() => compileSyncOptions({ ...base, workers: 1.5 })).toThrow(/workers must be an integer >= 1/);
    expect(() => compileSyncOptions({ ...base, periodicScope: 'some' as never })).toThrow(/periodicScope must be "connected" or "all"/);
    expect(() => compileSyncOptions({ ...base, retry: { initialMs: 10, maxMs: 5 } })).toThrow(/retry.maxMs must be >= retry.initialMs/);
    expect(() => compileSyncOptions({ ...base, client: undefined as never })).toThrow(/client is required/);
  });
});
