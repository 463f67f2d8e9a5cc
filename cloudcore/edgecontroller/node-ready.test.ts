/**
 * An edge node's readiness as the controller manager's nodelifecycle sees it when its status and lease come through
 * EdgeController: it stays Ready while it reports, goes Unknown (unreachable) when it stops, and is Ready again, and
 * untainted, as soon as it registers and reports after a restart. Times are scaled down: reports every 300 ms against
 * a 2 s grace period (edged: 10 s against 40 s).
 */
import { setMaxListeners } from 'node:events';
import type { Node, NodeStatus } from '../../edgecore/edged/api';
import { RESOURCES } from '../../pkg/kube';
import { jsonContent, newMessage, Operation, type Message, type OperationName } from '../../pkg/message';
import { ModuleRuntime } from '../../pkg/modules';
import { startEnv, waitFor, type TestEnv } from '../controllermanager/testing/env';
import { createEdgeController, EDGE_NODE_LABEL } from './index';

jest.setTimeout(60_000);

const NODE = 'edge-ready';
const GRACE_MS = 2000;

let env: TestEnv;
let runtime: ModuleRuntime;
const answers: Message[] = [];

beforeAll(async () => {
  setMaxListeners(0);
  env = await startEnv({ manager: { nodeMonitorGracePeriodMs: GRACE_MS } });
  runtime = new ModuleRuntime({ log: env.log });
  runtime.register({
    name: 'cloudhub',
    group: 'cloudhub',
    async run(ctx) {
      for await (const message of ctx.receive()) answers.push(message);
    },
  });
  runtime.register(createEdgeController({ client: env.client }));
  runtime.start();
});

afterAll(async () => {
  await runtime?.stop(5_000);
  await env?.stop();
});

function report(operation: OperationName, rest: string, content: unknown, sync = false): Message {
  const message = newMessage({ source: 'edged', group: 'resource', operation, resource: `node/${NODE}/${rest}`, ...jsonContent(content) });
  message.header!.sync = sync;
  return message;
}

function status(): NodeStatus {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    capacity: { cpu: '2', memory: '2Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now, lastTransitionTime: now },
    ],
  };
}

/** What edged does at start: register (sync, with its status), then report status and renew the lease. */
async function startEdge(): Promise<{ stop(): void }> {
  const register = report('insert', `default/node/${NODE}`, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { [EDGE_NODE_LABEL]: '' } }, status: status() }, true);
  await runtime.send('edgecontroller', register);
  await waitFor('registration answer', () => answers.find((m) => m.header!.parentId === register.header!.id), 5_000, 20);
  expect(answers.find((m) => m.header!.parentId === register.header!.id)!.route!.operation).toBe(Operation.OPERATION_RESPONSE);
  const tick = async (): Promise<void> => {
    await runtime.send('edgecontroller', report('update', `default/nodestatus/${NODE}`, { status: status() }));
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    await runtime.send('edgecontroller', report('update', `kube-node-lease/lease/${NODE}`, { spec: { holderIdentity: NODE, leaseDurationSeconds: 40, renewTime } }));
  };
  await tick();
  const timer = setInterval(() => void tick(), 300);
  return { stop: () => clearInterval(timer) };
}

const nodes = () => env.client.resource<Node>(RESOURCES.nodes);
const readyOf = (node: Node): string | undefined => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const taintKeys = (node: Node): string[] => ((node.spec?.taints ?? []) as { key: string }[]).map((t) => t.key);

test('stays Ready while reporting, goes Unknown when silent, and is Ready again right after a restart', async () => {
  let edge = await startEdge();
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1500));
  let node = await nodes().get(NODE);
  expect(readyOf(node)).toBe('True');
  expect(taintKeys(node)).toEqual([]);

  edge.stop();
  await waitFor('node unreachable', async () => {
    const n = await nodes().get(NODE);
    return readyOf(n) === 'Unknown' && taintKeys(n).includes('node.kubernetes.io/unreachable');
  });

  const restartedAt = Date.now();
  edge = await startEdge();
  node = await waitFor(
    'node Ready and untainted',
    async () => {
      const n = await nodes().get(NODE);
      return readyOf(n) === 'True' && taintKeys(n).length === 0 ? n : undefined;
    },
    5_000,
    20,
  );
  const readyAfterMs = Date.now() - restartedAt;
  expect(readyAfterMs).toBeLessThan(2_000);
  expect(node.status?.conditions?.map((c) => c.type)).toEqual(['Ready', 'MemoryPressure']);

  // And it stays so well past the grace period.
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1000));
  node = await nodes().get(NODE);
  edge.stop();
  expect(readyOf(node)).toBe('True');
  expect(taintKeys(node)).toEqual([]);
});
