/**
 * The downstream half of DeviceController: each edge node is sent the Devices bound to it (spec.nodeName) and the
 * DeviceModels those devices use, as objects (group resource, insert/update/delete, `node/<node>/<ns>/device/<name>`
 * and `node/<node>/<ns>/devicemodel/<name>`, header.resourceVersion the object's), which CloudHub delivers reliably
 * (ack, ObjectSync) and the edge's metamanager stores and hands to devicetwin.
 *
 * Level-triggered and keyed by node: reconciling a node compares what the caches say it needs with what was last sent
 * to it, and sends the difference in an order the edge can act on: models, then devices, then device deletes, then
 * model deletes (a mapper is never given a device before its model, nor loses a model before its devices). Duplicates
 * are harmless (CloudHub drops what ObjectSync says was delivered; the edge drops stale versions), so a node that
 * reconnects is simply resent what it needs, and what it holds but no longer needs (a device moved to another node
 * while cloudcore was down) is deleted, when the delivery records are at hand to say so.
 */
import type { Logger } from 'pino';
import { DEVICES_GROUP, type Device, type DeviceModel } from '../../pkg/devices';
import type { CacheReader, KubeObject } from '../../pkg/kube';
import { cloudResource, jsonContent, newMessage, Operation, operationName, type Message } from '../../pkg/message';
import { parseObjectSyncName, type ObjectSyncRecord } from '../../pkg/reliablesync';
import type { DeviceControllerMetrics } from './metrics';

/** Device index names on the shared device informer. */
export const DEVICE_BY_NODE = 'devicecontroller:node';
export const DEVICE_BY_MODEL = 'devicecontroller:model';

export const deviceNodeIndex = (device: Device): string[] => (device.spec?.nodeName ? [device.spec.nodeName] : []);
export const deviceModelIndex = (device: Device): string[] =>
  device.spec?.deviceModelRef?.name ? [`${device.metadata?.namespace ?? ''}/${device.spec.deviceModelRef.name}`] : [];

type ObjectType = 'device' | 'devicemodel';

export interface DownstreamCaches {
  devices: CacheReader<Device>;
  models: CacheReader<DeviceModel>;
  /** True for a Node labelled node-role.kubernetes.io/edge. */
  isEdgeNode(name: string): boolean;
}

/** What the delivery records (ObjectSync) say a node acknowledged; see pkg/reliablesync DeliveredIndex. */
export interface DeliveredRecords {
  recordsOf(node: string): ObjectSyncRecord[];
}

/** What was last sent to a node about one object. */
interface Sent {
  uid: string;
  resourceVersion: string;
  /** The object as sent (or its identity, when known only from a record), for a later delete. */
  object: KubeObject;
}

interface Wanted {
  type: ObjectType;
  /** `<type>/<namespace>/<name>`. */
  key: string;
  object: KubeObject;
}

export class Downstream {
  /** node -> `<type>/<namespace>/<name>` -> what was sent. */
  private readonly sent = new Map<string, Map<string, Sent>>();

  constructor(
    private readonly caches: DownstreamCaches,
    private readonly send: (message: Message) => Promise<void>,
    private readonly metrics: DeviceControllerMetrics,
    private readonly log: Logger,
    private readonly delivered?: DeliveredRecords,
  ) {}

  /**
   * Forgets what was sent to `node`, so that its next reconcile sends what it needs again; with delivery records, what
   * they say the node acknowledged is taken as sent instead, so that what it holds and no longer needs is deleted.
   */
  resetNode(node: string): void {
    const known = new Map<string, Sent>();
    for (const record of this.delivered?.recordsOf(node) ?? []) {
      const entry = fromRecord(record);
      if (entry) known.set(entry.key, entry.sent);
    }
    if (known.size > 0) this.sent.set(node, known);
    else this.sent.delete(node);
  }

  /** Nodes something was sent to (for a reconcile of all of them). */
  nodesSentTo(): string[] {
    return [...this.sent.keys()];
  }

  async reconcile(node: string): Promise<void> {
    const wanted = this.wanted(node);
    let sent = this.sent.get(node);
    if (!sent) {
      if (wanted.length === 0) return;
      sent = new Map();
      this.sent.set(node, sent);
    }
    const wantedKeys = new Set(wanted.map((w) => w.key));
    for (const { type, key, object } of wanted) {
      const previous = sent.get(key);
      const uid = object.metadata?.uid ?? '';
      const resourceVersion = object.metadata?.resourceVersion ?? '';
      if (previous && previous.uid === uid && previous.resourceVersion === resourceVersion) continue;
      // A recreated object (new uid) is news to the node even if it held the old one.
      await this.sendTo(node, type, previous?.uid === uid ? Operation.OPERATION_UPDATE : Operation.OPERATION_INSERT, object);
      sent.set(key, { uid, resourceVersion, object });
    }
    for (const type of ['device', 'devicemodel'] as const) {
      for (const [key, previous] of [...sent]) {
        if (wantedKeys.has(key) || !key.startsWith(`${type}/`)) continue;
        await this.sendTo(node, type, Operation.OPERATION_DELETE, this.lastState(type, previous));
        sent.delete(key);
      }
    }
    if (sent.size === 0) this.sent.delete(node);
  }

  /** Models first (in name order), then devices: what the node needs now. */
  private wanted(node: string): Wanted[] {
    if (!this.caches.isEdgeNode(node)) return [];
    const devices = this.caches.devices.byIndex(DEVICE_BY_NODE, node).sort(byKey);
    const models = new Map<string, DeviceModel>();
    for (const device of devices) {
      for (const modelKey of deviceModelIndex(device)) {
        const model = this.caches.models.get(modelKey);
        if (model) models.set(modelKey, model);
      }
    }
    return [
      ...[...models.values()].sort(byKey).map((object) => ({ type: 'devicemodel' as const, key: sentKey('devicemodel', object), object })),
      ...devices.map((object) => ({ type: 'device' as const, key: sentKey('device', object), object })),
    ];
  }

  /** For a delete: the object now, if it is still the same one (moved away, no longer used), else as last sent. */
  private lastState(type: ObjectType, previous: Sent): KubeObject {
    const { namespace = '', name = '' } = previous.object.metadata ?? {};
    const cache: CacheReader<KubeObject> = type === 'device' ? this.caches.devices : this.caches.models;
    const current = cache.get(`${namespace}/${name}`);
    return current?.metadata?.uid === previous.uid ? current : previous.object;
  }

  private async sendTo(node: string, type: ObjectType, operation: Operation, object: KubeObject): Promise<void> {
    const resourceVersion = object.metadata?.resourceVersion ?? '';
    const message = newMessage({
      source: 'devicecontroller',
      group: 'resource',
      operation,
      resource: cloudResource(node, { namespace: object.metadata?.namespace ?? '', type, name: object.metadata?.name ?? '' }),
      resourceVersion,
      ...jsonContent(object),
    });
    this.log.debug({ node, resource: message.route?.resource, operation: operationName(operation), resourceVersion }, 'downstream');
    await this.send(message);
    this.metrics.downstream(type, operationName(operation));
  }
}

function sentKey(type: ObjectType, object: KubeObject): string {
  return `${type}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function byKey(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A delivery record of a Device or DeviceModel as "sent": the node holds that uid at that version. */
function fromRecord(record: ObjectSyncRecord): { key: string; sent: Sent } | undefined {
  const spec = record.spec;
  const type = spec?.objectKind === 'Device' ? 'device' : spec?.objectKind === 'DeviceModel' ? 'devicemodel' : undefined;
  const parsed = parseObjectSyncName(record.metadata?.name ?? '');
  const namespace = record.metadata?.namespace;
  if (!type || !parsed || !namespace || !spec?.objectName || !spec.objectAPIVersion?.startsWith(`${DEVICES_GROUP}/`)) return undefined;
  const resourceVersion = record.status?.objectResourceVersion ?? '';
  const object: KubeObject = {
    apiVersion: spec.objectAPIVersion,
    kind: spec.objectKind,
    metadata: { name: spec.objectName, namespace, uid: parsed.uid, resourceVersion },
  };
  return { key: `${type}/${namespace}/${spec.objectName}`, sent: { uid: parsed.uid, resourceVersion, object } };
}
