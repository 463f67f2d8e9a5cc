/**
 * KubeNodeLookup against the real embedded API server: bindings learnt from the pods EdgeController sends down are
 * answered without a read, a delete sent down forgets them (the next question reads the API server again), and only
 * EdgeController's own pod changes teach it anything.
 */
import { createClient, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import { newMessage, type OperationName } from '../../pkg/message';
import { KubeNodeLookup } from './kube-lookup';

const plane = new TestControlPlane(testLogger());
let client: Client;

beforeAll(async () => {
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'real', namespace: 'default' }, spec: { nodeName: 'edge-a', containers: [{ name: 'c', image: 'busybox' }] } };
  await client.resource(RESOURCES.pods).create(pod as KubeObject);
}, 60_000);

afterAll(() => plane.stop());

const sent = (operation: OperationName, resource: string, source = 'edgecontroller') =>
  newMessage({ source, group: 'resource', operation, resource, resourceVersion: '7' });

it('answers from the pods sent down, and reads the API server once a delete went down', async () => {
  const lookup = new KubeNodeLookup(client, { ttlMs: 60_000 });
  // "ghost" is not in the API server: only the message can make it bound.
  lookup.noteDownstream(sent('insert', 'node/edge-a/default/pod/ghost'));
  expect(await lookup.podNode('default', 'ghost')).toBe('edge-a');
  lookup.noteDownstream(sent('delete', 'node/edge-a/default/pod/ghost'));
  expect(await lookup.podNode('default', 'ghost')).toBeNull();
  // A pod sent to another node later is bound there.
  lookup.noteDownstream(sent('update', 'node/edge-b/default/pod/ghost'));
  expect(await lookup.podNode('default', 'ghost')).toBe('edge-b');
  expect(await lookup.podNode('default', 'real')).toBe('edge-a');
});

it('learns nothing from other modules, answers, or objects that are not pods', async () => {
  const lookup = new KubeNodeLookup(client, { ttlMs: 60_000 });
  lookup.noteDownstream(sent('insert', 'node/edge-x/default/pod/real', 'devicecontroller'));
  const answer = sent('insert', 'node/edge-x/default/pod/other');
  answer.header!.parentId = 'some-request';
  lookup.noteDownstream(answer);
  lookup.noteDownstream(sent('insert', 'node/edge-x/default/configmap/real'));
  expect(await lookup.podNode('default', 'real')).toBe('edge-a');
  expect(await lookup.podNode('default', 'other')).toBeNull();
});
