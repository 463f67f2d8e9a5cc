/**
 * The bookkeeping between the pod workers and the cloud: which statuses go out when, how pods from the store and from
 * notices are merged, and how events aggregate. The whole path runs with real processes in pkg/testing/system.
 */
import pino from 'pino';
import type { Event, Pod, PodStatus } from './api';
import { EventRecorder } from './event-recorder';
import { PodSources } from './pod-sources';
import { StatusManager } from './status-manager';

const log = pino({ level: 'silent' });

function pod(name: string, uid: string, resourceVersion = '1'): Pod {
  return { metadata: { name, namespace: 'default', uid, resourceVersion }, spec: { containers: [{ name: 'main' }] } };
}

const running: PodStatus = { phase: 'Running' };
const pending: PodStatus = { phase: 'Pending' };

describe('StatusManager', () => {
  function manager() {
    const sent: [string, PodStatus][] = [];
    const statuses = new StatusManager(
      {
        podStatus: async (p, status) => {
          sent.push([p.metadata.name!, status]);
        },
      },
      log,
    );
    return { statuses, sent };
  }

  it('sends only changes while connected', () => {
    const { statuses, sent } = manager();
    statuses.setConnected(true);
    statuses.set(pod('a', 'u1'), pending);
    statuses.set(pod('a', 'u1'), pending);
    statuses.set(pod('a', 'u1'), running);
    expect(sent).toEqual([
      ['a', pending],
      ['a', running],
    ]);
  });

  it('keeps only the newest status offline and sends every status again on reconnect', () => {
    const { statuses, sent } = manager();
    statuses.setConnected(true);
    statuses.set(pod('a', 'u1'), pending);
    statuses.setConnected(false);
    statuses.set(pod('a', 'u1'), running);
    statuses.set(pod('b', 'u2'), pending);
    statuses.set(pod('b', 'u2'), running);
    expect(sent).toHaveLength(1);
    statuses.setConnected(true);
    expect(sent.slice(1)).toEqual([
      ['a', running],
      ['b', running],
    ]);
  });

  it('sends again after a failed send', async () => {
    let fail = true;
    const sent: string[] = [];
    const statuses = new StatusManager(
      {
        podStatus: async (p) => {
          if (fail) throw new Error('link down');
          sent.push(p.metadata.name!);
        },
      },
      log,
    );
    statuses.setConnected(true);
    statuses.set(pod('a', 'u1'), running);
    await new Promise((resolve) => setImmediate(resolve));
    fail = false;
    statuses.setConnected(true);
    expect(sent).toEqual(['a']);
  });

  it('forgets removed pods', () => {
    const { statuses, sent } = manager();
    statuses.set(pod('a', 'u1'), running);
    statuses.forget('u1');
    statuses.setConnected(true);
    expect(sent).toEqual([]);
    expect(statuses.get('u1')).toBeUndefined();
  });
});

describe('PodSources', () => {
  it('ignores a notice older than what was read from the store', () => {
    const sources = new PodSources();
    expect(sources.upsert(pod('a', 'u1', '5'))).toEqual({ kind: 'upsert', pod: pod('a', 'u1', '5') });
    expect(sources.upsert(pod('a', 'u1', '4'))).toBeUndefined();
    expect(sources.get('u1')?.metadata.resourceVersion).toBe('5');
  });

  it('replaces a pod recreated under the same name', () => {
    const sources = new PodSources();
    sources.upsert(pod('a', 'u1', '5'));
    expect(sources.upsert(pod('a', 'u2', '9'))).toMatchObject({ kind: 'upsert', replaced: 'u1' });
    expect(sources.get('u1')).toBeUndefined();
  });

  it('removes by last state or by name, and not twice', () => {
    const sources = new PodSources();
    sources.upsert(pod('a', 'u1'));
    sources.upsert(pod('b', 'u2'));
    expect(sources.remove('default', 'a', undefined)).toMatchObject({ kind: 'remove', uid: 'u1' });
    expect(sources.remove('default', 'b', pod('b', 'u2'))).toMatchObject({ kind: 'remove', uid: 'u2' });
    expect(sources.remove('default', 'a', undefined)).toBeUndefined();
    expect(sources.all()).toEqual([]);
  });
});

describe('EventRecorder', () => {
  it('aggregates the same reason and message about one object into one event with a count', async () => {
    const events: Event[] = [];
    let now = Date.parse('2026-01-01T00:00:00Z');
    const recorder = new EventRecorder({ event: async (e) => void events.push(e) }, 'edge-1', log, () => now);
    const about = { kind: 'Pod' as const, namespace: 'default', name: 'a', uid: 'u1' };
    recorder.record(about, 'Warning', 'BackOff', 'Back-off restarting failed container');
    now += 1000;
    recorder.record(about, 'Warning', 'BackOff', 'Back-off restarting failed container');
    recorder.record(about, 'Normal', 'Started', 'Started container main');
    expect(events.map((e) => [e.metadata.name === events[0]!.metadata.name, e.count, e.reason])).toEqual([
      [true, 1, 'BackOff'],
      [true, 2, 'BackOff'],
      [false, 1, 'Started'],
    ]);
    expect(events[1]).toMatchObject({
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'u1' },
      source: { component: 'kubelet', host: 'edge-1' },
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:01Z',
    });
  });

  it('starts a new series after ten minutes', () => {
    const events: Event[] = [];
    let now = 0;
    const recorder = new EventRecorder({ event: async (e) => void events.push(e) }, 'edge-1', log, () => now);
    const about = { kind: 'Node' as const, name: 'edge-1' };
    recorder.record(about, 'Normal', 'NodeReady', 'ready');
    now += 11 * 60_000;
    recorder.record(about, 'Normal', 'NodeReady', 'ready');
    expect(events[1]!.count).toBe(1);
    expect(events[1]!.metadata.name).not.toBe(events[0]!.metadata.name);
  });
});
