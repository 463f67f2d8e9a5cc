/**
 * Node authorization and the Node annotation against the real embedded API server: a node writes and reads what is
 * its own, and a second node with a perfectly valid certificate is refused when it reaches for the first node's things.
 */
import { deviceCrd } from '../../pkg/apiserver/schema/testdata/device-crd';
import { createClient, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import type { Message } from '../../pkg/message';
import type { TestEdge } from './testing/edge';
import { Harness } from './testing/harness';
import { up } from './testing/messages';
import { TestPki } from './testing/pki';
import { eventually, eventuallyAsync } from './testing/wait';

const plane = new TestControlPlane(testLogger());
let client: Client;
let harness: Harness;
let nodeA: TestEdge;
let nodeB: TestEdge;

const pod = (namespace: string, name: string, nodeName: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } }) as KubeObject;

beforeAll(async () => {
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
  await client.resource({ apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions' }).create(deviceCrd() as KubeObject);
  for (const name of ['team-a', 'team-b']) await client.resource(RESOURCES.namespaces).create({ metadata: { name } });
  await client.resource(RESOURCES.nodes).create({ metadata: { name: 'auth-a' } });
  await client.resource(RESOURCES.pods).create(pod('team-a', 'pa', 'auth-a'));
  await client.resource(RESOURCES.pods).create(pod('team-b', 'pb', 'auth-b'));
  const device = { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device', metadata: { name: 'dev-a', namespace: 'team-a' }, spec: { nodeName: 'auth-a' } };
  // The CRD is served once its controller has picked it up.
  await eventuallyAsync(
    () => client.resource(RESOURCES.devices).create(device as KubeObject).then(() => true, () => false),
    10_000,
    'the Device CRD to be served',
  );
  harness = await Harness.start(await TestPki.create(), { client, modules: ['edgecontroller', 'devicecontroller', 'synccontroller'] });
  nodeA = await harness.connected('auth-a');
  nodeB = await harness.connected('auth-b');
}, 30_000);
afterAll(async () => {
  await harness?.stop();
  await plane.dispose();
});

async function verdict(edge: TestEdge, message: Message): Promise<string> {
  edge.sendMessage(message);
  return (await edge.ackFor(message)).error;
}

describe('node authorization', () => {
  it('lets a node write and read what is its own', async () => {
    const own = [
      up('null/nodestatus/auth-a', { status: {} }),
      up('kube-node-lease/lease/auth-a', { spec: { holderIdentity: 'auth-a' } }),
      up('team-a/podstatus/pa', { status: { phase: 'Running' } }),
      up('team-a/event/pa.1', { involvedObject: { kind: 'Pod', namespace: 'team-a', name: 'pa' } }, 'insert'),
      up('default/event/auth-a.1', { involvedObject: { kind: 'Node', name: 'auth-a' } }, 'insert'),
      up('team-a/secret/s1', {}, 'query'),
      up('team-a/configmap/c1', {}, 'query'),
      up('team-a/device/dev-a', {}, 'update'),
    ];
    for (const message of own) expect([message.route!.resource, await verdict(nodeA, message)]).toEqual([message.route!.resource, '']);
    const twin = up('device/team-a/dev-a/twin/edge_updated', { twin: {} }, 'update', 'twin');
    expect(await verdict(nodeA, twin)).toBe('');
    await harness.module('devicecontroller').next((m) => m.header!.id === twin.header!.id);
    const forwarded = harness.module('edgecontroller').messages.filter((m) => own.some((o) => o.header!.id === m.header!.id));
    expect(forwarded.map((m) => m.route!.resource)).toEqual(own.map((m) => `node/auth-a/${m.route!.resource}`));
    // Several devices' reports in one message name no single device: DeviceController checks each entry's binding.
    const batch = up('device/batch/report', { reports: [{ namespace: 'team-a', name: 'dev-a', twin: { twin: {} } }] }, 'update', 'twin');
    expect(await verdict(nodeA, batch)).toBe('');
    const delivered = await harness.module('devicecontroller').next((m) => m.header!.id === batch.header!.id);
    expect(delivered.route!.resource).toBe('node/auth-a/device/batch/report');
  });

  it("refuses a second node's writes and reads of the first node's objects, logging and counting each", async () => {
    const refusals: [Message, RegExp][] = [
      [up('null/nodestatus/auth-a'), /^forbidden: node auth-b may not write nodestatus of node "auth-a", only its own$/],
      [up('null/node/auth-a', {}, 'query'), /may not read node of node "auth-a"/],
      [up('kube-node-lease/lease/auth-a'), /may only write its own lease kube-node-lease\/auth-b, not kube-node-lease\/auth-a/],
      [up('team-a/podstatus/pa'), /^forbidden: pod team-a\/pa is bound to another node, so node auth-b may not write it$/],
      [up('team-a/podpatch/pa', {}, 'patch'), /pod team-a\/pa is bound to another node/],
      [up('team-a/event/pa.2', { involvedObject: { kind: 'Pod', namespace: 'team-a', name: 'pa' } }, 'insert'), /^forbidden: Pod team-a\/pa is bound to another node, so node auth-b may not report events about it$/],
      [up('default/event/auth-a.2', { involvedObject: { kind: 'Node', name: 'auth-a' } }, 'insert'), /may not report events about Node auth-a/],
      [up('team-b/pod/sneaky', { spec: { nodeName: 'auth-a' } }, 'insert'), /may only create pods with spec\.nodeName auth-b, not "auth-a"/],
      [up('device/team-a/dev-a/twin/edge_updated', {}, 'update', 'twin'), /device team-a\/dev-a is bound to another node/],
      [up('team-a/secret/s1', {}, 'query'), /may only read secrets in namespaces where it has pods, and team-a is not one/],
      [up('team-b/configmap/c', {}, 'update'), /edge nodes may not write configmaps/],
      [up('team-b/podstatus/gone'), /pod team-b\/gone does not exist/],
    ];
    for (const [message, expected] of refusals) expect(await verdict(nodeB, message)).toMatch(expected);
    // Its own things still pass.
    expect(await verdict(nodeB, up('team-b/podstatus/pb'))).toBe('');
    expect(await verdict(nodeB, up('team-b/secret/s', {}, 'query'))).toBe('');

    const ids = new Set(refusals.map(([m]) => m.header!.id));
    const leaked = [...harness.module('edgecontroller').messages, ...harness.module('devicecontroller').messages].filter((m) => ids.has(m.header!.id));
    expect(leaked).toEqual([]);
    const logged = harness.logs.filter((line) => line['node'] === 'auth-b' && String(line['msg']).startsWith('refused: '));
    expect(logged).toHaveLength(refusals.length);
    expect(logged[0]).toMatchObject({ level: 40, resource: 'null/nodestatus/auth-a', operation: 'update', reason: 'other_node' });
    expect(await harness.metric('cloudhub_refused_messages_total', { reason: 'other_node' })).toBe(9);
    expect(await harness.metric('cloudhub_refused_messages_total', { reason: 'not_bound' })).toBe(1);
    expect(await harness.metric('cloudhub_refused_messages_total', { reason: 'unsupported' })).toBe(1);
    expect(await harness.metric('cloudhub_refused_messages_total', { reason: 'not_found' })).toBe(1);

    // Confirming the deletion of a pod that is already gone changes nothing: allowed (edgecontroller answers done).
    expect(await verdict(nodeB, up('team-b/pod/gone', { metadata: { uid: 'u' } }, 'delete'))).toBe('');
    expect(await verdict(nodeB, up('team-a/pod/pa', { metadata: { uid: 'u' } }, 'delete'))).toMatch(/pod team-a\/pa is bound to another node/);
  });
});

describe('the cloudcore annotation', () => {
  const annotation = async (name: string) => (await client.resource(RESOURCES.nodes).get(name)).metadata?.annotations?.['cloudcore'];

  it('is set on connect when the Node exists', async () => {
    await eventuallyAsync(async () => (await annotation('auth-a')) === 'cloudcore-test', 3000, 'auth-a annotated');
  });

  it('is set once the node reports its status when the Node did not exist at connect time', async () => {
    const edge = await harness.connected('auth-late');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.resource(RESOURCES.nodes).create({ metadata: { name: 'auth-late' } });
    expect(await annotation('auth-late')).toBeUndefined();
    expect(await verdict(edge, up('null/nodestatus/auth-late', { status: {} }))).toBe('');
    await eventuallyAsync(async () => (await annotation('auth-late')) === 'cloudcore-test', 3000, 'auth-late annotated');
    edge.close();
    await eventually(() => !harness.cloudhub.connectedNodes().includes('auth-late'));
  });
});
