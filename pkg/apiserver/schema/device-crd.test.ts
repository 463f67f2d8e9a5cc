import { validateCustomResourceDefinition } from './crd-validation';
import { compileCustomResourceVersion } from './custom-resource';
import { formatFieldError } from './errors';
import { groupVersionOpenApiV3 } from './openapi';
import { deviceCrd, sampleDevice } from './testdata/device-crd';

const NOW = Date.parse('2024-05-03T12:30:00Z');
const device = compileCustomResourceVersion(deviceCrd(), 'v1beta1', { now: () => NOW });

describe('KubeEdge Device v1beta1', () => {
  it('is a valid CRD', () => {
    expect(validateCustomResourceDefinition(deviceCrd()).map(formatFieldError)).toEqual([]);
  });

  it('prunes the unknown fields of a sample Device and then accepts it', () => {
    const { value, prunedPaths } = device.prune(sampleDevice());
    expect(prunedPaths).toEqual(['spec.firmware', 'spec.properties[0].color']);
    const stored = device.applyDefaults(value) as { spec: { properties: Record<string, unknown>[]; protocol: unknown } };
    expect(device.validate(stored)).toEqual([]);
    // configData is free-form (x-kubernetes-preserve-unknown-fields) and survives pruning as written
    expect(stored.spec.protocol).toEqual({ protocolName: 'modbus', configData: { slaveID: 1, serialPort: '/dev/ttyS0' } });
    expect(stored.spec.properties[0]).not.toHaveProperty('color');
  });

  it('reports bad property settings with their paths', () => {
    const bad = sampleDevice() as { spec: { properties: Record<string, unknown>[] } };
    const prop = bad.spec.properties[0];
    prop.reportCycle = '10s';
    prop.pushMethod = { mqtt: { qos: 3 } };
    bad.spec.properties.push({ reportToCloud: 'yes' });
    expect(device.validate(device.prune(bad).value).map(formatFieldError)).toEqual([
      'spec.properties[0].reportCycle: Invalid value: "string": spec.properties[0].reportCycle in body must be of type integer: "string"',
      'spec.properties[0].pushMethod.mqtt.qos: Invalid value: 3: spec.properties[0].pushMethod.mqtt.qos in body should be less than or equal to 2',
      'spec.properties[1].reportToCloud: Invalid value: "string": spec.properties[1].reportToCloud in body must be of type boolean: "string"',
      'spec.properties[1].name: Required value',
    ]);
  });

  it('prints the columns kubectl shows', () => {
    const table = device.toTable([sampleDevice()], { resourceVersion: '42' });
    expect(table.columnDefinitions?.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Node', 'string', '', 0],
      ['Model', 'string', '', 1],
      ['Age', 'date', '', 0],
    ]);
    expect(table.rows[0].cells).toEqual(['beta1-device', 'edge-node-1', 'temperature-model', '2d2h']);
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'beta1-device', namespace: 'default', creationTimestamp: '2024-05-01T10:00:00Z' },
    });
  });

  it('is published in the group-version OpenAPI document', () => {
    const doc = groupVersionOpenApiV3([deviceCrd()], 'devices.kubeedge.io', 'v1beta1');
    const schema = doc.components.schemas['io.kubeedge.devices.v1beta1.Device'] as Record<string, unknown>;
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'devices.kubeedge.io', kind: 'Device', version: 'v1beta1' }]);
    expect(Object.keys(doc.paths)).toEqual([
      '/apis/devices.kubeedge.io/v1beta1/devices',
      '/apis/devices.kubeedge.io/v1beta1/namespaces/{namespace}/devices',
      '/apis/devices.kubeedge.io/v1beta1/namespaces/{namespace}/devices/{name}',
      '/apis/devices.kubeedge.io/v1beta1/namespaces/{namespace}/devices/{name}/status',
    ]);
  });
});
