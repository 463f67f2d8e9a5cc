import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../pkg/controlplane';
import { eventually } from '../../pkg/controlplane/testing/kubectl';
import { createClient, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { createLogger } from '../../pkg/log';
import { newMessage, operationName, readJsonContent, type Message } from '../../pkg/message';
import { ModuleRuntime } from '../../pkg/modules';
import { startWithStandInHub } from './testing';
import { EDGE_NODE_LABEL } from './index';

const log = createLogger({ level: 'error', name: 'edgecontroller-test', destination: { write: () => undefined } });

let dataDir: string;
let plane: ControlPlane;
let client: Client;
let runtime: ModuleRuntime;
let received: Message[];

/** What the stand-in CloudHub got, as "operation resource@resourceVersion". */
const seen = (): string[] => received.map((m) => `${operationName(m.route!.operation)} ${m.route!.resource}@${m.header!.resourceVersion}`);
const rv = (object: KubeObject): string => object.metadata?.resourceVersion ?? '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'edgecontroller-'));
  plane = await startControlPlane({ dataDir, bindAddress: '127.0.0.1', port: 0, log });
  client = createClient(loadKubeConfig({ kubeconfigPath: plane.kubeconfigPath, qps: 200, burst: 400 }));
  for (const [name, labels] of [
    ['edge-1', { [EDGE_NODE_LABEL]: '' }],
    ['edge-2', { [EDGE_NODE_LABEL]: '' }],
    ['cloud-1', {}],
  ] as const) {
    await client.resource(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
  }
});

afterAll(async () => {
  await plane.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  setMaxListeners(0);
  ({ runtime, received } = startWithStandInHub({ client }, log));
});

afterEach(async () => {
  await runtime.stop(5_000);
});

function pod(name: string, nodeName: string, configMap: string, secret: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      containers: [{ name: 'app', image: 'busybox', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: secret, key: 'k' } } }] }],
      volumes: [{ name: 'conf', configMap: { name: configMap } }],
    },
  } as KubeObject;
}

test('a pod on an edge node goes there with what it uses; changes follow; deletes follow removal', async () => {
  const configMaps = client.resource(RESOURCES.configMaps);
  const secrets = client.resource(RESOURCES.secrets);
  const pods = client.resource(RESOURCES.pods);
  const cm = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf-a', namespace: 'default' }, data: { a: '1' } } as KubeObject);
  const secret = await secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec-a', namespace: 'default' }, data: { k: 'dg==' } } as KubeObject);
  await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unused', namespace: 'default' } } as KubeObject);
  const onEdge = await pods.create(pod('web', 'edge-1', 'conf-a', 'sec-a'));
  await pods.create(pod('in-cloud', 'cloud-1', 'conf-a', 'sec-a'));

  await eventually(() => received.length >= 3, 10_000, 'three messages to edge-1');
  expect(seen().sort()).toEqual(
    [
      `insert node/edge-1/default/configmap/conf-a@${rv(cm)}`,
      `insert node/edge-1/default/pod/web@${rv(onEdge)}`,
      `insert node/edge-1/default/secret/sec-a@${rv(secret)}`,
    ].sort(),
  );
  const sentPod = readJsonContent(received.find((m) => m.route!.resource.includes('/pod/'))!) as KubeObject;
  expect(sentPod).toMatchObject({ kind: 'Pod', metadata: { name: 'web', uid: onEdge.metadata?.uid } });

  received.length = 0;
  const changed = await configMaps.patch('conf-a', { data: { a: '2' } }, { namespace: 'default', type: 'merge' });
  await eventually(() => received.length >= 1, 10_000, 'configmap update');
  expect(seen()).toEqual([`update node/edge-1/default/configmap/conf-a@${rv(changed)}`]);

  received.length = 0;
  await pods.delete('web', { namespace: 'default', gracePeriodSeconds: 0 });
  await eventually(() => received.length >= 3, 10_000, 'three deletes');
  expect(seen().map((line) => line.split('@')[0]).sort()).toEqual(
    ['delete node/edge-1/default/configmap/conf-a', 'delete node/edge-1/default/pod/web', 'delete node/edge-1/default/secret/sec-a'].sort(),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seen().some((line) => line.includes('cloud-1') || line.includes('unused'))).toBe(false);
});

test('a reconnecting node is sent again everything it needs', async () => {
  await client.resource(RESOURCES.pods).create(pod('again', 'edge-2', 'conf-b', 'sec-b'));
  await eventually(() => received.some((m) => m.route!.resource === 'node/edge-2/default/pod/again'), 10_000, 'first send');
  received.length = 0;
  await runtime.send(
    'edgecontroller',
    newMessage({ source: 'cloudhub', group: 'resource', operation: 'connected', resource: 'node/edge-2' }),
  );
  await eventually(() => received.some((m) => m.route!.resource === 'node/edge-2/default/pod/again'), 10_000, 'resend on connect');
  // conf-b and sec-b do not exist: nothing is sent for them.
  expect(seen().every((line) => line.includes('/pod/'))).toBe(true);
});
