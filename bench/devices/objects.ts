/** The benchmark's DeviceModel and Devices (KubeEdge's v1beta1 shapes), bound to the edge node, made through the API. */
import { DEVICE_RESOURCES, DEVICES_API_VERSION, type Device, type DeviceModel } from '../../pkg/devices';
import { isAlreadyExists, type Client } from '../../pkg/kube';
import { BENCH_PROPERTY, BENCH_PROTOCOL } from './mapper';

export const NAMESPACE = 'default';
export const MODEL = 'bench-counter';
/** Label every benchmark device carries. */
export const BENCH_LABEL = 'bench';

/** `bench-0007`: names sort in creation order. */
export function deviceName(index: number): string {
  return `bench-${String(index).padStart(4, '0')}`;
}

export function deviceKey(index: number): string {
  return `${NAMESPACE}/${deviceName(index)}`;
}

export function benchModel(): DeviceModel {
  return {
    apiVersion: DEVICES_API_VERSION,
    kind: 'DeviceModel',
    metadata: { name: MODEL, namespace: NAMESPACE },
    spec: {
      protocol: BENCH_PROTOCOL,
      properties: [{ name: BENCH_PROPERTY, description: 'a counter the benchmark mapper reports', type: 'INT', accessMode: 'ReadOnly' }],
    },
  };
}

export function benchDevice(index: number, node: string, reportMs: number): Device {
  return {
    apiVersion: DEVICES_API_VERSION,
    kind: 'Device',
    metadata: { name: deviceName(index), namespace: NAMESPACE, labels: { [BENCH_LABEL]: 'devices' } },
    spec: {
      deviceModelRef: { name: MODEL },
      nodeName: node,
      protocol: { protocolName: BENCH_PROTOCOL, configData: { index } },
      properties: [
        {
          name: BENCH_PROPERTY,
          collectCycle: reportMs,
          reportCycle: reportMs,
          reportToCloud: true,
          visitors: { protocolName: BENCH_PROTOCOL, configData: { register: index } },
        },
      ],
    },
  };
}

export async function createModel(client: Client): Promise<void> {
  try {
    await client.resource<DeviceModel>(DEVICE_RESOURCES.deviceModels).create(benchModel(), { namespace: NAMESPACE });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

/** Creates devices `from` .. `to - 1`, `parallel` requests at a time. */
export async function createDevices(client: Client, node: string, from: number, to: number, reportMs: number, parallel = 16): Promise<void> {
  const devices = client.resource<Device>(DEVICE_RESOURCES.devices);
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next++;
      await devices.create(benchDevice(index, node, reportMs), { namespace: NAMESPACE });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, to - from) }, worker));
}
