/** Device and DeviceModel objects as the cloud sends them (KubeEdge's example shapes). */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import { NODE } from './edge';

export function thermometerModel(resourceVersion = '10', extra: Partial<NonNullable<DeviceModel['spec']>> = {}): DeviceModel {
  return {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'DeviceModel',
    metadata: { namespace: 'default', name: 'thermometer', resourceVersion },
    spec: {
      protocol: 'modbus',
      properties: [
        { name: 'temperature', type: 'INT', accessMode: 'ReadWrite', minimum: '-40', maximum: '120', unit: 'C' },
        { name: 'enabled', type: 'BOOLEAN', accessMode: 'ReadWrite' },
      ],
      ...extra,
    },
  };
}

export interface DeviceInit {
  name?: string;
  resourceVersion?: string;
  temperature?: string;
  enabled?: string;
  labels?: Record<string, string>;
  protocol?: string;
  status?: Record<string, unknown>;
  /** Default: this edge's node. */
  nodeName?: string;
}

export function thermometer(init: DeviceInit = {}): Device {
  const property = (name: string, value: string | undefined) => ({
    name,
    ...(value === undefined ? {} : { desired: { value, metadata: { type: 'string' } } }),
    visitors: { protocolName: init.protocol ?? 'modbus', configData: { register: 'HoldingRegister', offset: 1 } },
    reportCycle: 1000,
    collectCycle: 1000,
    reportToCloud: true,
  });
  return {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'Device',
    metadata: {
      namespace: 'default',
      name: init.name ?? 'thermo-1',
      resourceVersion: init.resourceVersion ?? '20',
      ...(init.labels ? { labels: init.labels } : {}),
    },
    spec: {
      deviceModelRef: { name: 'thermometer' },
      nodeName: init.nodeName ?? NODE,
      protocol: { protocolName: init.protocol ?? 'modbus', configData: { ip: '127.0.0.1', port: 5020 } },
      properties: [property('temperature', init.temperature ?? '25'), property('enabled', init.enabled)],
    },
    ...(init.status ? { status: init.status } : {}),
  };
}
