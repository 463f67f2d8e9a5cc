/**
 * KubeEdge's MQTT topics for devices (facts §5.2, §5.3). A device id is `<namespace>/<name>`, so device topics have two
 * segments after `device/`.
 */

export const DEVICE_TOPIC_PREFIX = '$hw/events/device/';
export const NODE_TOPIC_PREFIX = '$hw/events/node/';

/** What eventbus subscribes on the broker: device and node topics go to devicetwin, the rest to the cloud. */
export const EVENTBUS_TOPICS: readonly string[] = [
  '$hw/events/upload/#',
  '$hw/events/device/+/+/state/update',
  '$hw/events/device/+/+/twin/+',
  '$hw/events/node/+/membership/get',
  'SYS/dis/upload_records',
  '+/user/#',
];

/** Topics about one device: `$hw/events/device/<ns>/<name>/<suffix>`. */
export function deviceTopic(namespace: string, name: string, suffix: DeviceTopicSuffix): string {
  return `${DEVICE_TOPIC_PREFIX}${namespace}/${name}/${suffix}`;
}

export type DeviceTopicSuffix =
  | 'twin/update'
  | 'twin/update/result'
  | 'twin/update/delta'
  | 'twin/update/document'
  | 'twin/get'
  | 'twin/get/result'
  | 'twin/cloud_updated'
  | 'state/update'
  | 'state/update/result'
  | 'state/get'
  | 'state/get/result'
  | 'updated';

export function membershipTopic(node: string, suffix: 'get' | 'get/result' | 'updated' | 'detail' | 'detail/result'): string {
  return `${NODE_TOPIC_PREFIX}${node}/membership/${suffix}`;
}

/** Splits a device topic into namespace, name and what follows, or undefined for any other topic. */
export function parseDeviceTopic(topic: string): { namespace: string; name: string; suffix: string } | undefined {
  if (!topic.startsWith(DEVICE_TOPIC_PREFIX)) return undefined;
  const parts = topic.slice(DEVICE_TOPIC_PREFIX.length).split('/');
  if (parts.length < 3 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1], suffix: parts.slice(2).join('/') };
}

/** True for topics devicetwin handles (device and node events); everything else eventbus uploads to the cloud. */
export function isTwinTopic(topic: string): boolean {
  return topic.startsWith(DEVICE_TOPIC_PREFIX) || topic.startsWith(NODE_TOPIC_PREFIX);
}
