/**
 * Each Device has a DeviceStatus of the same name and namespace, owned by it (controller ownerReference, so the
 * garbage collector deletes it with the Device), as KubeEdge v1.23+ has it. Created empty; the edge's reports fill its
 * status.
 */
import { DEVICE_RESOURCES, DEVICES_API_VERSION, type Device, type DeviceStatusObject } from '../../pkg/devices';
import { isAlreadyExists, isConflict, isNotFound, type Client, type ObjectMeta } from '../../pkg/kube';

type OwnerReference = NonNullable<ObjectMeta['ownerReferences']>[number];

export function ownerReferenceTo(device: Device): OwnerReference & { blockOwnerDeletion: boolean } {
  return {
    apiVersion: DEVICES_API_VERSION,
    kind: 'Device',
    name: device.metadata?.name ?? '',
    uid: device.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What to do about a device's DeviceStatus as it is (`existing`, from the cache or the API). */
export type StatusAction = 'none' | 'create' | 'adopt' | 'replace';

export function statusAction(device: Device, existing: DeviceStatusObject | undefined): StatusAction {
  if (existing === undefined) return 'create';
  if (existing.metadata?.deletionTimestamp) return 'none'; // being deleted: recreated when it is gone
  const controller = existing.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  if (controller === undefined) return 'adopt';
  // Owned by an earlier Device of the same name: the garbage collector removes it; this does it now.
  return controller.uid === device.metadata?.uid ? 'none' : 'replace';
}

/**
 * Makes `existing` (what is known of the DeviceStatus) right for `device`: creates, adopts (adds the ownerReference to
 * one made by someone else) or deletes one left by an earlier Device of the same name. Returns the object as it is
 * now, or undefined when it was deleted (the delete event brings the device back here to create it afresh).
 */
export async function ensureDeviceStatus(
  client: Client,
  device: Device,
  existing: DeviceStatusObject | undefined,
  signal?: AbortSignal,
): Promise<DeviceStatusObject | undefined> {
  const statuses = client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
  const name = device.metadata?.name ?? '';
  const namespace = device.metadata?.namespace ?? '';
  const call = { namespace, ...(signal ? { signal } : {}) };
  switch (statusAction(device, existing)) {
    case 'none':
      return existing;
    case 'create':
      try {
        return await statuses.create(
          { apiVersion: DEVICES_API_VERSION, kind: 'DeviceStatus', metadata: { name, namespace, ownerReferences: [ownerReferenceTo(device)] }, spec: {} },
          call,
        );
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        // Someone (another worker, or a user) made it since the cache was read: judge that one.
        const current = await statuses.get(name, call);
        return statusAction(device, current) === 'none' ? current : ensureDeviceStatus(client, device, current, signal);
      }
    case 'adopt': {
      const references = [...(existing!.metadata?.ownerReferences ?? []), ownerReferenceTo(device)];
      const patch = { metadata: { resourceVersion: existing!.metadata?.resourceVersion, ownerReferences: references } };
      return statuses.patch(name, patch, { type: 'merge', ...call });
    }
    case 'replace':
      try {
        await statuses.delete(name, { ...call, preconditions: { uid: existing!.metadata?.uid ?? '' } });
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
      return undefined;
  }
}
