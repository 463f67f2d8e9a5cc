/**
 * EdgeController: keeps each edge node supplied with the pods bound to it and the configmaps and secrets they use
 * (downstream.ts), and applies what edge nodes report through CloudHub: registration, node and pod status, leases,
 * events, pod deletion confirmations, and queries (upstream.ts, which lists the message formats).
 */
import type { Registry } from 'prom-client';
import type { DaemonModule } from '../../pkg/cli';
import {
  InformerFactory,
  isTombstone,
  RESOURCES,
  runController,
  WorkQueue,
  type Client,
  type EventHandlers,
  type KubeObject,
} from '../../pkg/kube';
import { Operation, splitNodeResource, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import { aborted } from '../../pkg/timing';
import { Downstream, downstreamKey, POD_BY_CONFIGMAP, POD_BY_NODE, POD_BY_SECRET, type Kind } from './downstream';
import { configMapIndexValues, secretIndexValues, type Pod } from './pod-references';
import { Upstream } from './upstream';

export const EDGE_NODE_LABEL = 'node-role.kubernetes.io/edge';

export interface EdgeControllerOptions {
  client: Client;
  registry?: Registry;
  /** Objects reconciled at once. Default 4. */
  workers?: number;
  /** Upstream writes in flight at once per kind of report (node status, pod status, ...). Default 4. */
  upstreamWorkers?: number;
}

export function createEdgeController(options: EdgeControllerOptions): DaemonModule {
  return {
    name: 'edgecontroller',
    group: 'edgecontroller',
    run: (ctx) => runEdgeController(ctx, options),
  };
}

async function runEdgeController(ctx: ModuleContext, options: EdgeControllerOptions): Promise<void> {
  const { log, signal } = ctx;
  const factory = new InformerFactory({ client: options.client, log, registry: options.registry });
  const nodes = factory.forResource({ ...RESOURCES.nodes, labelSelector: EDGE_NODE_LABEL });
  const pods = factory.forResource<Pod>(RESOURCES.pods, {
    indexers: {
      [POD_BY_NODE]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []),
      [POD_BY_CONFIGMAP]: configMapIndexValues,
      [POD_BY_SECRET]: secretIndexValues,
    },
  });
  const configMaps = factory.forResource(RESOURCES.configMaps);
  const secrets = factory.forResource(RESOURCES.secrets);

  const queue = new WorkQueue<string>({ name: 'edgecontroller', registry: options.registry, log });
  const downstream = new Downstream(
    { pods: pods.store, configMaps: configMaps.store, secrets: secrets.store, isEdgeNode: (name) => nodes.store.get(name) !== undefined },
    (message) => ctx.send('cloudhub', message),
    log,
  );

  // Handlers only turn events into keys; a pod's keys include what it uses, so a configmap it stops using is
  // reconciled (and deleted from the node) too.
  const podKeys = (pod: Pod): string[] => [
    downstreamKey('Pod', pod),
    ...configMapIndexValues(pod).map((value) => `ConfigMap:${value}`),
    ...secretIndexValues(pod).map((value) => `Secret:${value}`),
  ];
  pods.addHandler(handlers('Pod', podKeys));
  configMaps.addHandler(handlers('ConfigMap', (object) => [downstreamKey('ConfigMap', object)]));
  secrets.addHandler(handlers('Secret', (object) => [downstreamKey('Secret', object)]));
  nodes.addHandler({
    add: (node) => enqueueNode(node.metadata?.name),
    update: (_old, node) => enqueueNode(node.metadata?.name),
    delete: (node) => enqueueNode((isTombstone(node) ? node.obj : node).metadata?.name),
  });

  function handlers<T extends KubeObject>(kind: Kind, keys: (object: T) => string[]): EventHandlers<T> {
    return {
      add: (object) => keys(object).forEach((key) => queue.add(key)),
      update: (old, object) => {
        if (old === object) return;
        for (const key of new Set([...keys(old), ...keys(object)])) queue.add(key);
      },
      delete: (object) => {
        const last = isTombstone(object) ? object.obj : object;
        downstream.noteDeleted(downstreamKey(kind, last), last);
        keys(last).forEach((key) => queue.add(key));
      },
    };
  }

  function enqueueNode(name: string | undefined): void {
    if (name) for (const key of downstream.keysForNode(name)) queue.add(key);
  }

  const informers = factory.start(signal);
  await factory.waitForSync(signal);
  log.info('caches synced; sending pods, configmaps and secrets to edge nodes');
  const controller = runController({
    name: 'edgecontroller',
    queue,
    workers: options.workers ?? 4,
    reconcile: (key) => downstream.reconcile(key),
    log,
    signal,
    registry: options.registry,
  });
  const upstream = new Upstream({
    client: options.client,
    caches: { nodes: nodes.store, pods: pods.store, configMaps: configMaps.store, secrets: secrets.store },
    // Answers to sync requests are messages like any other for CloudHub, which routes them to the node.
    answer: (message) => ctx.send('cloudhub', message),
    log,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.upstreamWorkers ? { workersPerQueue: options.upstreamWorkers } : {}),
  });
  const writers = upstream.run(signal);
  const inbox = (async () => {
    for await (const message of ctx.receive()) handleMessage(message);
  })();

  function handleMessage(message: Message): void {
    const target = splitNodeResource(message.route?.resource ?? '');
    const node = target?.node;
    switch (message.route?.operation) {
      case Operation.OPERATION_CONNECTED:
        // Resend what the node needs; CloudHub drops what ObjectSync says it already holds.
        if (node) {
          downstream.forgetNode(node);
          enqueueNode(node);
        }
        return;
      case Operation.OPERATION_DISCONNECTED:
        return;
      default:
        upstream.handle(node ?? '', target?.rest ?? message.route?.resource ?? '', message);
    }
  }

  await aborted(signal);
  await Promise.all([controller, inbox, informers, writers]);
}
