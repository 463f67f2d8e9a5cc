/** Devices and models shaped like KubeEdge's example manifests (a Modbus thermometer and a virtual device). */
import type { Device, DeviceModel } from '../../../../pkg/devices/api';

export function modbusModel(name = 'thermometer-model', namespace = 'default'): DeviceModel {
  return {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'DeviceModel',
    metadata: { name, namespace },
    spec: {
      protocol: 'modbus',
      properties: [
        { name: 'temperature', description: 'temperature in degree', type: 'INT', accessMode: 'ReadWrite', maximum: '100', minimum: '1', unit: 'degree' },
        { name: 'enabled', type: 'BOOLEAN', accessMode: 'ReadOnly' },
      ],
    },
  };
}

export function modbusDevice(name = 'thermometer', namespace = 'default', model = 'thermometer-model'): Device {
  return {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'Device',
    metadata: { name, namespace },
    spec: {
      deviceModelRef: { name: model },
      nodeName: 'edge-1',
      protocol: { protocolName: 'modbus', configData: { ip: '127.0.0.1', port: 5020, slaveID: 1 } },
      properties: [
        {
          name: 'temperature',
          desired: { value: '30', metadata: { type: 'integer' } },
          collectCycle: 2000,
          reportCycle: 4000,
          reportToCloud: true,
          visitors: { protocolName: 'modbus', configData: { register: 'HoldingRegister', offset: 2, limit: 1, scale: 0.5, isSwap: true } },
          pushMethod: { mqtt: { address: 'mqtt://127.0.0.1:1883', topic: 'temperature', qos: 1, retained: false } },
        },
      ],
      methods: [{ name: 'setTemperature', description: 'writes the set point', propertyNames: ['temperature'] }],
      stateReport: { reportToCloud: true, reportCycle: 5000 },
    },
  };
}
