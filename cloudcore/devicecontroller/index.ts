/**
 * DeviceController: installs the devices.kubeedge.io CRDs if missing, keeps each edge node supplied with the Devices
 * bound to it and the DeviceModels they use (downstream.ts), keeps a DeviceStatus beside each Device
 * (device-status.ts), and writes the twins and states edge nodes report into those DeviceStatuses (upstream.ts,
 * status-writer.ts).
 *
 * One work queue carries two kinds of keys: `node:<node>` (what that node should hold) and `status:<ns>/<name>` (the
 * device's DeviceStatus exists and is owned by it). Event handlers only turn events into keys.
 */
import type { Registry } from 'prom-client';
import type { DaemonModule } from '../../pkg/cli';
import { DEVICE_RESOURCES, type Device, type DeviceModel, type DeviceStatusObject } from '../../pkg/devices';
import { ensureDeviceCRDs } from '../../pkg/devices/crds';
import {
  InformerFactory,
  isTombstone,
  RESOURCES,
  runController,
  WorkQueue,
  type Client,
  type DeletedFinalStateUnknown,
  type KubeObject,
} from '../../pkg/kube';
import type { Logger } from '../../pkg/log';
import { Operation, splitNodeResource, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import { aborted } from '../../pkg/timing';
import { ensureDeviceStatus } from './device-status';
import { DEVICE_BY_MODEL, DEVICE_BY_NODE, deviceModelIndex, deviceNodeIndex, Downstream, type DeliveredRecords } from './downstream';
import { createMetrics } from './metrics';
import { StatusWriter } from './status-writer';
import { Upstream } from './upstream';

export const EDGE_NODE_LABEL = 'node-role.kubernetes.io/edge';

export interface DeviceControllerOptions {
  client: Client;
  registry?: Registry;
  /** Defaults to the module context's logger. */
  log?: Logger;
  /**
   * The delivery records (pkg/reliablesync DeliveredIndex, which cloudcore already runs for CloudHub): with them, a
   * node that reconnects is also sent deletes for devices and models it holds but no longer needs, even when they
   * moved while cloudcore was down. Without them only what this process sent is known.
   */
  delivered?: DeliveredRecords & { waitForSync(signal: AbortSignal): Promise<void> };
  /** Keys reconciled at once. Default 4. */
  workers?: number;
  /** DeviceStatus writes: how long reports for one device are gathered (default 25 ms), and patches in flight (8). */
  statusWindowMs?: number;
  statusWorkers?: number;
  /** Install the device CRDs when they are missing. Default true. */
  installCRDs?: boolean;
}

export function createDeviceController(options: DeviceControllerOptions): DaemonModule {
  return {
    name: 'devicecontroller',
    group: 'devicecontroller',
    run: (ctx) => runDeviceController(ctx, options),
  };
}

const nodeKey = (node: string): string => `node:${node}`;
const statusKey = (object: KubeObject): string => `status:${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

async function runDeviceController(ctx: ModuleContext, options: DeviceControllerOptions): Promise<void> {
  const { signal } = ctx;
  const log = options.log ?? ctx.log;
  const { client, registry } = options;
  const metrics = createMetrics(registry);
  if (options.installCRDs !== false) await ensureDeviceCRDs(client, { signal });

  const factory = new InformerFactory({ client, log, registry });
  const nodes = factory.forResource({ ...RESOURCES.nodes, labelSelector: EDGE_NODE_LABEL });
  const devices = factory.forResource<Device>(DEVICE_RESOURCES.devices, {
    indexers: { [DEVICE_BY_NODE]: deviceNodeIndex, [DEVICE_BY_MODEL]: deviceModelIndex },
  });
  const models = factory.forResource<DeviceModel>(DEVICE_RESOURCES.deviceModels);
  const statuses = factory.forResource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);

  const queue = new WorkQueue<string>({ name: 'devicecontroller', registry, log });
  const downstream = new Downstream(
    { devices: devices.store, models: models.store, isEdgeNode: (name) => nodes.store.get(name) !== undefined },
    (message) => ctx.send('cloudhub', message),
    metrics,
    log,
    options.delivered,
  );
  const writer = new StatusWriter({
    client,
    devices: devices.store,
    statuses: statuses.store,
    metrics,
    log,
    ...(registry ? { registry } : {}),
    ...(options.statusWindowMs !== undefined ? { windowMs: options.statusWindowMs } : {}),
    ...(options.statusWorkers !== undefined ? { workers: options.statusWorkers } : {}),
  });
  const upstream = new Upstream({ devices: devices.store, writer, answer: (message) => ctx.send('cloudhub', message), metrics, log });

  const last = <T extends KubeObject>(object: T | DeletedFinalStateUnknown<T>): T => (isTombstone(object) ? object.obj : object);
  const enqueueNodesOf = (device: Device): void => deviceNodeIndex(device).forEach((node) => queue.add(nodeKey(node)));
  devices.addHandler({
    add: (device) => {
      enqueueNodesOf(device);
      queue.add(statusKey(device));
    },
    update: (old, device) => {
      enqueueNodesOf(old);
      enqueueNodesOf(device);
      queue.add(statusKey(device));
    },
    delete: (device) => {
      enqueueNodesOf(last(device));
      queue.add(statusKey(last(device)));
    },
  });
  // A model concerns the nodes of the devices that use it.
  const enqueueModelUsers = (model: KubeObject): void => {
    const key = `${model.metadata?.namespace ?? ''}/${model.metadata?.name ?? ''}`;
    for (const device of devices.store.byIndex(DEVICE_BY_MODEL, key)) enqueueNodesOf(device);
  };
  models.addHandler({
    add: enqueueModelUsers,
    update: (_old, model) => enqueueModelUsers(model),
    delete: (model) => enqueueModelUsers(last(model)),
  });
  statuses.addHandler({
    add: (status) => queue.add(statusKey(status)),
    update: (old, status) => {
      if (JSON.stringify(old.metadata?.ownerReferences) !== JSON.stringify(status.metadata?.ownerReferences)) queue.add(statusKey(status));
    },
    delete: (status) => queue.add(statusKey(last(status))),
  });
  // Node updates (status every few seconds) change nothing here; joining or leaving the edge does.
  nodes.addHandler({
    add: (node) => queue.add(nodeKey(node.metadata?.name ?? '')),
    update: () => undefined,
    delete: (node) => queue.add(nodeKey(last(node).metadata?.name ?? '')),
  });

  const informers = factory.start(signal);
  await factory.waitForSync(signal);
  await seedFromRecords();
  log.info('caches synced; sending devices and device models to edge nodes');

  async function reconcile(key: string): Promise<void> {
    if (key.startsWith('node:')) return downstream.reconcile(key.slice('node:'.length));
    const deviceKey = key.slice('status:'.length);
    const device = devices.store.get(deviceKey);
    if (device === undefined) {
      writer.forget(deviceKey); // its DeviceStatus goes with it (garbage collector)
      return;
    }
    await ensureDeviceStatus(client, device, statuses.store.get(deviceKey), signal);
  }

  /** Takes what the records say each edge node holds as sent, so that what it no longer needs is deleted. */
  async function seedFromRecords(): Promise<void> {
    const delivered = options.delivered;
    if (!delivered) return;
    const timeout = AbortSignal.timeout(30_000);
    try {
      await delivered.waitForSync(AbortSignal.any([signal, timeout]));
    } catch (error) {
      if (signal.aborted) throw error;
      log.warn({ err: error }, 'delivery records not synced in 30 s; nodes are checked against them when they reconnect');
      return;
    }
    for (const node of nodes.store.keys()) {
      downstream.resetNode(node);
      queue.add(nodeKey(node));
    }
  }

  const controller = runController({ name: 'devicecontroller', queue, workers: options.workers ?? 4, reconcile, log, signal, registry });
  const writes = writer.run(signal);
  const inbox = (async () => {
    for await (const message of ctx.receive()) handleMessage(message);
  })();

  function handleMessage(message: Message): void {
    const target = splitNodeResource(message.route?.resource ?? '');
    switch (message.route?.operation) {
      case Operation.OPERATION_CONNECTED:
        // Resend what the node needs; CloudHub drops what ObjectSync says it already holds.
        if (target) {
          downstream.resetNode(target.node);
          queue.add(nodeKey(target.node));
        }
        return;
      case Operation.OPERATION_DISCONNECTED:
        return;
      default:
        upstream.handle(target?.node ?? '', target?.rest ?? message.route?.resource ?? '', message);
    }
  }

  await aborted(signal);
  await Promise.all([controller, inbox, informers, writes]);
}
