/** The recorder against a transport double; the integration tests read the same events back from the real server. */
import { Client, KubeApiError, type RestRequest, type RestTransport } from '../../../pkg/kube';
import { testLogger } from '../testing/env';
import { EventSink } from './recorder';

class RecordingTransport implements RestTransport {
  readonly requests: RestRequest[] = [];
  failPatchWith404 = false;

  async request<T>(request: RestRequest): Promise<T> {
    this.requests.push(request);
    if (request.method === 'PATCH' && this.failPatchWith404) throw new KubeApiError(404, 'NotFound', 'gone');
    return (request.body ?? {}) as T;
  }

  watch(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '7' } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n1' } };

async function drain(sink: EventSink, transport: RecordingTransport, count: number): Promise<void> {
  const stop = new AbortController();
  const running = sink.start(stop.signal);
  while (transport.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  stop.abort();
  await running;
}

describe('EventSink', () => {
  it('creates an event, then counts repeats by patching count and lastTimestamp', async () => {
    const transport = new RecordingTransport();
    let now = Date.parse('2024-01-01T00:00:00Z');
    const sink = new EventSink({ client: new Client(transport), log: testLogger(), now: () => now });
    const recorder = sink.recorder('default-scheduler');
    recorder.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
    await drain(sink, transport, 1);
    now += 5000;
    recorder.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
    recorder.event(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await drain(sink, transport, 3);

    const [create, patch, nodeEvent] = transport.requests;
    expect(create).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/default/events' });
    const body = create!.body as { metadata: { name: string }; [k: string]: unknown };
    expect(body.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
    expect(body).toMatchObject({
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '7' },
      reason: 'FailedScheduling',
      type: 'Warning',
      count: 1,
      source: { component: 'default-scheduler' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:00Z',
    });
    expect(patch).toMatchObject({ method: 'PATCH', path: `/api/v1/namespaces/default/events/${body.metadata.name}`, body: { count: 2, lastTimestamp: '2024-01-01T00:00:05Z' } });
    // Cluster-scoped objects' events go to "default".
    expect(nodeEvent).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/default/events' });
  });

  it('starts a new event when the old one is gone, and drops events past the queue limit', async () => {
    const transport = new RecordingTransport();
    const sink = new EventSink({ client: new Client(transport), log: testLogger(), now: () => 0, maxQueue: 2 });
    const recorder = sink.recorder('x');
    recorder.event(pod, 'Normal', 'R', 'm');
    await drain(sink, transport, 1);
    transport.failPatchWith404 = true;
    recorder.event(pod, 'Normal', 'R', 'm');
    recorder.event(pod, 'Normal', 'R2', 'm');
    recorder.event(pod, 'Normal', 'R3', 'm'); // over the limit of 2 queued
    await drain(sink, transport, 4);
    expect(transport.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'POST', 'POST']);
    expect((transport.requests[3]!.body as { reason: string }).reason).toBe('R2');
  });
});
