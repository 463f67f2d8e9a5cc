/**
 * EdgeController's upstream against the real embedded API server: reports go in as CloudHub hands them over
 * (`node/<node>/...`), answers come out to a stand-in CloudHub, and the cluster is read back with the client.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Event, Lease, Node, NodeStatus, PodStatus } from '../../edgecore/edged/api';
import { startControlPlane, type ControlPlane } from '../../pkg/controlplane';
import { eventually } from '../../pkg/controlplane/testing/kubectl';
import { createClient, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { createLogger } from '../../pkg/log';
import {
  jsonContent,
  newMessage,
  Operation,
  readErrorContent,
  readJsonContent,
  type Message,
  type OperationName,
} from '../../pkg/message';
import { ModuleRuntime } from '../../pkg/modules';
import { startWithStandInHub } from './testing';
import { EDGE_NODE_LABEL } from './index';

jest.setTimeout(30_000);

const log = createLogger({ level: 'error', name: 'upstream-test', destination: { write: () => undefined } });

let dataDir: string;
let plane: ControlPlane;
let client: Client;
let runtime: ModuleRuntime;
let registry: Registry;
let received: Message[];

type PodObject = KubeObject & { spec?: unknown; status?: PodStatus };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'edgecontroller-upstream-'));
  plane = await startControlPlane({ dataDir, bindAddress: '127.0.0.1', port: 0, log });
  client = createClient(loadKubeConfig({ kubeconfigPath: plane.kubeconfigPath, qps: 500, burst: 1000 }));
  setMaxListeners(0);
  registry = new Registry();
  ({ runtime, received } = startWithStandInHub({ client, registry }, log));
});

afterAll(async () => {
  await runtime.stop(5_000);
  await plane.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A report from `node` as CloudHub passes it on. */
function report(node: string, operation: OperationName, rest: string, content?: unknown): Message {
  return newMessage({
    source: 'edged',
    group: 'resource',
    operation,
    resource: `node/${node}/${rest}`,
    ...(content === undefined ? {} : jsonContent(content)),
  });
}

/** Sends a report as a sync request and waits for its answer. */
async function ask(message: Message): Promise<Message> {
  message.header!.sync = true;
  await runtime.send('edgecontroller', message);
  let answer: Message | undefined;
  await eventually(() => (answer = received.find((m) => m.header!.parentId === message.header!.id)) !== undefined, 10_000, 'an answer');
  return answer!;
}

const tell = (message: Message): Promise<void> => runtime.send('edgecontroller', message);

function errorOf(answer: Message): { message: string; code?: string } {
  expect(answer.route!.operation).toBe(Operation.OPERATION_ERROR);
  return readErrorContent(answer);
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

const readyStatus = (heartbeat: string, extra: Partial<NodeStatus> = {}): NodeStatus => ({
  capacity: { cpu: '2', memory: '2Gi', pods: '110' },
  conditions: [
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: heartbeat, lastTransitionTime: heartbeat },
  ],
  addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
  ...extra,
});

function edgeNode(name: string, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [EDGE_NODE_LABEL]: '', 'kubernetes.io/hostname': name, ...labels } },
    status: readyStatus('2024-01-01T00:00:00Z'),
  };
}

async function registered(name: string, labels: Record<string, string> = {}): Promise<Node> {
  const answer = await ask(report(name, 'insert', `default/node/${name}`, edgeNode(name, labels)));
  expect(answer.route!.operation).toBe(Operation.OPERATION_RESPONSE);
  return readJsonContent(answer) as Node;
}

async function podOn(node: string, name: string): Promise<PodObject> {
  return client.resource<PodObject>(RESOURCES.pods).create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'busybox' }] },
  });
}

const running = (restartCount: number): PodStatus => ({
  phase: 'Running',
  hostIP: '10.0.0.5',
  podIP: '10.88.0.7',
  startTime: '2024-01-01T00:00:00Z',
  conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:01Z' }],
  containerStatuses: [
    {
      name: 'app',
      image: 'docker.io/library/busybox:1.35',
      imageID: 'sha256:abc',
      containerID: 'containerd://c1',
      ready: true,
      started: true,
      restartCount,
      state: { running: { startedAt: '2024-01-01T00:00:01Z' } },
      lastState: {},
    },
  ],
});

describe('node registration', () => {
  test('creates the Node with labels and status, and answers it', async () => {
    const node = await registered('reg-1');
    expect(node.metadata).toMatchObject({ name: 'reg-1', uid: expect.any(String), labels: { [EDGE_NODE_LABEL]: '' } });
    const stored = await client.resource<Node>(RESOURCES.nodes).get('reg-1');
    expect(stored.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True' });
    expect(stored.status?.capacity).toMatchObject({ cpu: '2' });
  });

  test('merges the edge labels into an existing Node and keeps the cloud labels', async () => {
    await client.resource<Node>(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'reg-2', labels: { zone: 'a', tier: 'old' } } });
    const node = await registered('reg-2', { tier: 'edge' });
    expect(node.metadata.labels).toMatchObject({ zone: 'a', tier: 'edge', [EDGE_NODE_LABEL]: '' });
    // The status the edge sent with the registration is written too.
    await eventually(async () => (await client.resource<Node>(RESOURCES.nodes).get('reg-2')).status?.conditions?.[0]?.status === 'True', 5_000, 'status');
  });

  test('a Node named unlike the resource is refused with INVALID', async () => {
    const answer = await ask(report('reg-3', 'insert', 'default/node/reg-3', edgeNode('other')));
    expect(errorOf(answer)).toMatchObject({ code: 'INVALID', message: expect.stringContaining('content.metadata.name') });
  });
});

describe('node status and lease', () => {
  test('a burst of status reports ends with the newest written, coalesced, conditions replaced wholesale', async () => {
    await registered('st-1');
    const before = await metric('edgecontroller_upstream_writes_total', { queue: 'nodestatus', result: 'written' });
    for (let i = 0; i < 30; i++) {
      const heartbeat = new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString().replace('.000Z', 'Z');
      await tell(report('st-1', 'update', 'default/nodestatus/st-1', { status: readyStatus(heartbeat) }));
    }
    await eventually(
      async () => (await client.resource<Node>(RESOURCES.nodes).get('st-1')).status?.conditions?.[0]?.lastHeartbeatTime === '2024-01-01T00:00:29Z',
      10_000,
      'newest status',
    );
    const written = (await metric('edgecontroller_upstream_writes_total', { queue: 'nodestatus', result: 'written' })) - before;
    expect(written).toBeLessThan(30);
    expect(await metric('edgecontroller_upstream_writes_total', { queue: 'nodestatus', result: 'coalesced' })).toBeGreaterThan(0);

    // nodelifecycle's Unknown conditions are replaced by the next report, not merged with it.
    await client.resource<Node>(RESOURCES.nodes).patch(
      'st-1',
      { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }, { type: 'MemoryPressure', status: 'Unknown' }] } },
      { type: 'merge', subresource: 'status' },
    );
    const answer = await ask(report('st-1', 'update', 'default/nodestatus/st-1', { status: readyStatus('2024-01-01T00:01:00Z') }));
    expect(readJsonContent(answer)).toBe('OK');
    const node = await client.resource<Node>(RESOURCES.nodes).get('st-1');
    expect(node.status?.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:01:00Z' })]);
  });

  test('the status of a node that is not registered is an error, not a silent drop', async () => {
    const answer = await ask(report('ghost', 'update', 'default/nodestatus/ghost', { status: readyStatus('2024-01-01T00:00:00Z') }));
    expect(errorOf(answer).message).toContain('not registered');
  });

  test('the lease is created owned by the Node, then renewed', async () => {
    const node = await registered('ls-1');
    await eventually(async () => {
      // The owner uid comes from the edge-node informer: wait until it has the new node.
      const answer = await ask(
        report('ls-1', 'update', 'kube-node-lease/lease/ls-1', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'ls-1', namespace: 'kube-node-lease' },
          spec: { holderIdentity: 'ls-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' },
        }),
      );
      expect(readJsonContent(answer)).toBe('OK');
      const lease = await client.resource<Lease>(RESOURCES.leases).get('ls-1', { namespace: 'kube-node-lease' });
      return lease.metadata.ownerReferences?.[0]?.uid === node.metadata.uid;
    }, 10_000, 'lease owned by its node');
    await ask(report('ls-1', 'update', 'kube-node-lease/lease/ls-1', { spec: { holderIdentity: 'ls-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:10.000000Z' } }));
    const lease = await client.resource<Lease>(RESOURCES.leases).get('ls-1', { namespace: 'kube-node-lease' });
    expect(lease.spec).toMatchObject({ holderIdentity: 'ls-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:10.000000Z' });
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'ls-1', uid: node.metadata.uid }]);
  });
});

describe('pod status', () => {
  test('written only for the pod with the reported uid; cloud conditions kept; a burst ends with the newest', async () => {
    await registered('ps-1');
    const pod = await podOn('ps-1', 'web');
    const uid = pod.metadata!.uid!;
    const pods = client.resource<PodObject>(RESOURCES.pods);
    await pods.patch('web', { status: { conditions: [{ type: 'DisruptionTarget', status: 'False', reason: 'Test' }] } }, { namespace: 'default', type: 'merge', subresource: 'status' });

    const wrong = await ask(report('ps-1', 'update', 'default/podstatus/web', { metadata: { name: 'web', namespace: 'default', uid: 'not-this-pod' }, status: running(9) }));
    expect(readJsonContent(wrong)).toBe('OK');
    expect((await pods.get('web', { namespace: 'default' })).status?.phase).not.toBe('Running');

    for (let i = 0; i < 30; i++) await tell(report('ps-1', 'update', 'default/podstatus/web', { metadata: { name: 'web', namespace: 'default', uid }, status: running(i) }));
    await eventually(async () => (await pods.get('web', { namespace: 'default' })).status?.containerStatuses?.[0]?.restartCount === 29, 10_000, 'newest pod status');
    const stored = await pods.get('web', { namespace: 'default' });
    expect(stored.status).toMatchObject({ phase: 'Running', podIP: '10.88.0.7', hostIP: '10.0.0.5' });
    expect(stored.status?.containerStatuses?.[0]).toMatchObject({ containerID: 'containerd://c1', imageID: 'sha256:abc', state: { running: {} } });
    expect(stored.status?.conditions?.map((c) => c.type).sort()).toEqual(['DisruptionTarget', 'Ready']);

    // The same status again (a reconnect resends everything) is not written.
    const version = stored.metadata?.resourceVersion;
    const again = await ask(report('ps-1', 'update', 'default/podstatus/web', { metadata: { uid }, status: running(29) }));
    expect(readJsonContent(again)).toBe('OK');
    expect((await pods.get('web', { namespace: 'default' })).metadata?.resourceVersion).toBe(version);
  });

  test('concurrent writers conflict and the newest edge status still lands', async () => {
    await registered('ps-2');
    const pod = await podOn('ps-2', 'busy');
    const uid = pod.metadata!.uid!;
    const pods = client.resource<PodObject>(RESOURCES.pods);
    // Another writer keeps changing the pod's labels (its resourceVersion) while statuses are written.
    const noise = (async () => {
      for (let i = 0; i < 20; i++) await pods.patch('busy', { metadata: { labels: { n: String(i) } } }, { namespace: 'default', type: 'merge' });
    })();
    for (let i = 0; i < 20; i++) await tell(report('ps-2', 'update', 'default/podstatus/busy', { metadata: { uid }, status: running(i) }));
    await noise;
    await eventually(async () => (await pods.get('busy', { namespace: 'default' })).status?.containerStatuses?.[0]?.restartCount === 19, 10_000, 'newest status');
  });
});

describe('events', () => {
  test('created, then a repeat updates count and message', async () => {
    await registered('ev-1');
    const event = (count: number): Event => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev-1.pulled', namespace: 'default' },
      involvedObject: { kind: 'Node', name: 'ev-1', uid: 'ev-1' },
      reason: 'Starting',
      message: `edged starting (${count})`,
      type: 'Normal',
      source: { component: 'edged', host: 'ev-1' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: `2024-01-01T00:00:0${count}Z`,
      count,
    });
    expect(readJsonContent(await ask(report('ev-1', 'insert', 'default/event/ev-1.pulled', event(1))))).toBe('OK');
    expect(readJsonContent(await ask(report('ev-1', 'insert', 'default/event/ev-1.pulled', event(2))))).toBe('OK');
    const stored = await client.resource<Event & KubeObject>(RESOURCES.events).get('ev-1.pulled', { namespace: 'default' });
    expect(stored).toMatchObject({ count: 2, message: 'edged starting (2)', lastTimestamp: '2024-01-01T00:00:02Z', reason: 'Starting' });
  });

  test('an event in a namespace that does not exist is an error', async () => {
    const answer = await ask(
      report('ev-1', 'insert', 'nowhere/event/x.1', { metadata: { name: 'x.1' }, involvedObject: { kind: 'Node', name: 'ev-1' }, reason: 'R', message: 'm', type: 'Normal' }),
    );
    expect(errorOf(answer).message).toContain('cannot be stored');
  });
});

describe('pod deletion confirmation', () => {
  test('removes a terminating pod with the reported uid; a replaced or live pod stays', async () => {
    await registered('pd-1');
    const pods = client.resource<PodObject>(RESOURCES.pods);
    const live = await podOn('pd-1', 'live');
    const refused = await ask(report('pd-1', 'delete', 'default/pod/live', { metadata: { uid: live.metadata!.uid } }));
    expect(errorOf(refused).message).toContain('not being deleted');
    await pods.get('live', { namespace: 'default' });

    const dying = await podOn('pd-1', 'dying');
    await pods.delete('dying', { namespace: 'default', gracePeriodSeconds: 30 });
    expect((await pods.get('dying', { namespace: 'default' })).metadata?.deletionTimestamp).toBeDefined();
    await ask(report('pd-1', 'delete', 'default/pod/dying', { metadata: { uid: 'someone-else' } }));
    await pods.get('dying', { namespace: 'default' });

    const answer = await ask(report('pd-1', 'delete', 'default/pod/dying', { metadata: { uid: dying.metadata!.uid } }));
    expect(readJsonContent(answer)).toBe('OK');
    await expect(pods.get('dying', { namespace: 'default' })).rejects.toMatchObject({ code: 404 });
    // Confirming again: already gone is done.
    expect(readJsonContent(await ask(report('pd-1', 'delete', 'default/pod/dying', { metadata: { uid: dying.metadata!.uid } })))).toBe('OK');
  });

  test('a confirmation without the uid is refused', async () => {
    const answer = await ask(report('pd-1', 'delete', 'default/pod/live', { metadata: { name: 'live' } }));
    expect(errorOf(answer)).toMatchObject({ code: 'INVALID', message: expect.stringContaining('content.metadata.uid') });
  });
});

describe('queries', () => {
  test('configmaps and secrets come from the cache; absent ones are NOT_FOUND', async () => {
    await client.resource(RESOURCES.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'q-cm', namespace: 'default' }, data: { a: '1' } } as KubeObject);
    await client.resource(RESOURCES.secrets).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'q-sec', namespace: 'default' }, data: { k: 'dg==' } } as KubeObject);
    await eventually(async () => (await ask(report('q-1', 'query', 'default/configmap/q-cm'))).route!.operation === Operation.OPERATION_RESPONSE, 10_000, 'configmap in cache');
    expect(readJsonContent(await ask(report('q-1', 'query', 'default/configmap/q-cm')))).toMatchObject({ kind: 'ConfigMap', data: { a: '1' } });
    await eventually(async () => (await ask(report('q-1', 'get', 'default/secret/q-sec'))).route!.operation === Operation.OPERATION_RESPONSE, 10_000, 'secret in cache');
    expect(readJsonContent(await ask(report('q-1', 'get', 'default/secret/q-sec')))).toMatchObject({ kind: 'Secret', data: { k: 'dg==' } });
    expect(errorOf(await ask(report('q-1', 'query', 'default/configmap/absent')))).toEqual({ code: 'NOT_FOUND', message: 'configmap default/absent not found' });
    const list = readJsonContent(await ask(report('q-1', 'list', 'default/configmap'))) as KubeObject[];
    expect(list.map((o) => o.metadata?.name)).toContain('q-cm');
    expect(readJsonContent(await ask(report('q-1', 'query', 'kube-public/secret')))).toEqual([]);
  });

  test('a node reads its own Node', async () => {
    await registered('q-2');
    expect(readJsonContent(await ask(report('q-2', 'query', 'default/node/q-2')))).toMatchObject({ kind: 'Node', metadata: { name: 'q-2' } });
  });

  test('a service account token is issued by TokenRequest, or the error says why not', async () => {
    await client.resource({ apiVersion: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount' }).create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace: 'default' },
    });
    const answer = await ask(report('q-1', 'query', 'default/serviceaccounttoken/builder', { spec: { audiences: ['api'], expirationSeconds: 3600 } }));
    if (answer.route!.operation === Operation.OPERATION_RESPONSE) {
      expect(readJsonContent(answer)).toMatchObject({ status: { token: expect.any(String) } });
    } else {
      // The embedded API server has no TokenRequest API (yet).
      expect(errorOf(answer)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('TokenRequest') });
    }
    const missing = await ask(report('q-1', 'query', 'default/serviceaccounttoken/nobody'));
    expect(errorOf(missing)).toEqual({ code: 'NOT_FOUND', message: 'serviceaccount default/nobody not found' });
  });
});

describe('anything else', () => {
  test('a sync request edgecontroller does not handle gets an error naming what it takes', async () => {
    const answer = await ask(report('x-1', 'patch', 'default/podpatch/web', { metadata: {} }));
    expect(errorOf(answer)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('update <ns>/podstatus/<pod>') });
  });

  test('a report that is not sync is counted and logged when refused', async () => {
    const before = await metric('edgecontroller_upstream_reports_total', { type: 'podstatus', result: 'refused' });
    await tell(report('x-1', 'update', 'default/podstatus/web', 'not an object'));
    await eventually(async () => (await metric('edgecontroller_upstream_reports_total', { type: 'podstatus', result: 'refused' })) === before + 1, 5_000, 'refusal counted');
    expect(received.some((m) => m.route!.resource === 'node/x-1/default/podstatus/web')).toBe(false);
  });
});
