/**
 * A KubeEdge `devices.kubeedge.io/v1beta1` Device CRD written for these tests from the field list in
 * kubeedge-facts.md section 6.1 (not copied from KubeEdge's YAML), plus two printer columns to exercise tables.
 */
const str = { type: 'string' };
const int64 = { type: 'integer', format: 'int64' };
const freeMap = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const visitor = { type: 'object', properties: { protocolName: str, configData: freeMap } };

const pushMethod = {
  type: 'object',
  properties: {
    http: { type: 'object', properties: { hostName: str, port: int64, requestPath: str, timeout: int64 } },
    mqtt: { type: 'object', properties: { address: str, topic: str, qos: { type: 'integer', format: 'int32', minimum: 0, maximum: 2 }, retained: { type: 'boolean' } } },
    otel: { type: 'object', properties: { endpointURL: str } },
    dbMethod: {
      type: 'object',
      properties: {
        influxdb2: {
          type: 'object',
          properties: {
            influxdb2ClientConfig: { type: 'object', properties: { url: str, org: str, bucket: str } },
            influxdb2DataConfig: { type: 'object', properties: { measurement: str, tag: { type: 'object', additionalProperties: str }, fieldKey: str } },
          },
        },
        redis: { type: 'object', properties: { redisClientConfig: { type: 'object', properties: { addr: str, db: { type: 'integer', format: 'int32' }, poolsize: { type: 'integer', format: 'int32' }, minIdleConns: { type: 'integer', format: 'int32' } } } } },
        TDEngine: { type: 'object', properties: { TDEngineClientConfig: { type: 'object', properties: { addr: str, dbName: str } } } },
        mysql: { type: 'object', properties: { mysqlClientConfig: { type: 'object', properties: { addr: str, database: str, userName: str } } } },
      },
    },
    anomalyDetection: freeMap,
  },
};

const property = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str,
    desired: { type: 'object', properties: { value: str, metadata: { type: 'object', additionalProperties: str } } },
    visitors: visitor,
    reportCycle: int64,
    collectCycle: int64,
    reportToCloud: { type: 'boolean' },
    pushMethod,
  },
};

export function deviceCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'devices.devices.kubeedge.io' },
    spec: {
      group: 'devices.kubeedge.io',
      scope: 'Namespaced',
      names: { plural: 'devices', singular: 'device', kind: 'Device', listKind: 'DeviceList' },
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
            { name: 'Model', type: 'string', jsonPath: '.spec.deviceModelRef.name', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A device attached to an edge node.',
              properties: {
                apiVersion: str,
                kind: str,
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  properties: {
                    deviceModelRef: { type: 'object', properties: { name: str } },
                    nodeName: str,
                    protocol: visitor,
                    methods: { type: 'array', items: { type: 'object', properties: { name: str, description: str, propertyNames: { type: 'array', items: str } } } },
                    stateReport: { type: 'object', properties: { reportToCloud: { type: 'boolean' }, reportCycle: int64 } },
                    properties: { type: 'array', items: property },
                    configData: freeMap,
                  },
                },
                status: { type: 'object', properties: { reportToCloud: { type: 'boolean' }, reportCycle: int64 } },
              },
            },
          },
        },
      ],
    },
  };
}

/** A Device as a user would apply it, with one unknown field at the top of spec and one inside a property. */
export function sampleDevice(): Record<string, unknown> {
  return {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'Device',
    metadata: { name: 'beta1-device', namespace: 'default', creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: {
      deviceModelRef: { name: 'temperature-model' },
      nodeName: 'edge-node-1',
      protocol: { protocolName: 'modbus', configData: { slaveID: 1, serialPort: '/dev/ttyS0' } },
      properties: [
        {
          name: 'temperature',
          desired: { value: '25', metadata: { type: 'int' } },
          visitors: { protocolName: 'modbus', configData: { register: 'HoldingRegister', offset: 2, limit: 1 } },
          reportCycle: 10000,
          collectCycle: 10000,
          reportToCloud: true,
          pushMethod: { mqtt: { address: 'tcp://127.0.0.1:1883', topic: 'temperature', qos: 0, retained: false } },
          color: 'blue',
        },
      ],
      stateReport: { reportToCloud: true, reportCycle: 60000 },
      firmware: '1.2.3',
    },
  };
}
