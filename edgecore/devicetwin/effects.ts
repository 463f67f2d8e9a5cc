/**
 * What follows a change to the in-memory state, in one place so that every path (MQTT, DMI, the cloud's Device
 * objects) has the same consequences: rows marked for the store, edge changes marked for the cloud, the document and
 * the delta published to apps.
 */
import { randomUUID } from 'node:crypto';
import { deviceTopic, membershipTopic } from '../../pkg/devices/topics';
import type { Logger } from '../../pkg/log';
import type { TwinMetrics } from './metrics';
import type { CloudSync } from './outputs/cloud-sync';
import type { DmiCallQueue } from './outputs/dmi-calls';
import type { Publisher } from './outputs/publisher';
import type { TwinChanges } from './state/edge-update';
import { deltaOf, edgeDevice, msgAttr } from './state/json';
import type { AttrRecord, DeviceRecord } from './state/types';
import type { TwinStoreWriter } from './store/writer';

export interface Effects {
  readonly nodeName: string;
  readonly publisher: Publisher;
  readonly cloud: CloudSync;
  readonly writer: TwinStoreWriter;
  readonly dmi: DmiCallQueue;
  readonly metrics: TwinMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * After twins changed: rows to write; for the cloud only when the edge made the change (the cloud's own desired
 * values are not echoed back); the document (with the request's event id) and, when an expected value differs from
 * its actual one, the delta.
 */
export function twinsChanged(effects: Effects, device: DeviceRecord, changes: TwinChanges, from: 'edge' | 'cloud', eventId: string): void {
  if (changes.changed.length === 0) return;
  for (const name of changes.changed) effects.writer.twinChanged(device.id, name);
  if (from === 'edge') effects.cloud.twinsChanged(device, changes.changed);
  const now = effects.now();
  if (Object.keys(changes.document).length > 0) {
    effects.publisher.publish(deviceTopic(device.namespace, device.name, 'twin/update/document'), {
      event_id: eventId,
      timestamp: now,
      twin: changes.document,
    });
  }
  const delta = deltaOf(device, randomUUID(), now);
  if (delta) effects.publisher.publish(deviceTopic(device.namespace, device.name, 'twin/update/delta'), delta);
}

/** `$hw/events/device/<id>/updated`: attributes that changed (null: removed). */
export function attributesChanged(effects: Effects, device: DeviceRecord, changed: Record<string, AttrRecord | null>): void {
  const attributes: Record<string, ReturnType<typeof msgAttr> | null> = {};
  for (const [name, attr] of Object.entries(changed)) {
    attributes[name] = attr ? msgAttr(attr) : null;
    effects.writer.attrChanged(device.id, name);
  }
  effects.publisher.publish(deviceTopic(device.namespace, device.name, 'updated'), {
    event_id: randomUUID(),
    timestamp: effects.now(),
    attributes,
  });
}

/** `$hw/events/node/<node>/membership/updated`. */
export function membershipChanged(effects: Effects, added: DeviceRecord[], removed: DeviceRecord[]): void {
  effects.publisher.publish(membershipTopic(effects.nodeName, 'updated'), {
    event_id: randomUUID(),
    timestamp: effects.now(),
    added_devices: added.map((d) => edgeDevice(d, true)),
    removed_devices: removed.map((d) => edgeDevice(d, true)),
  });
}
