/**
 * The device CRDs in the embedded control plane, driven by the real kubectl as a user would: KubeEdge-format Modbus
 * manifests apply unchanged with kubectl's default validation, `kubectl get` shows the printer columns, and mistakes
 * are refused naming the field.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureDeviceCRDs } from '../../pkg/devices/crds';
import { kubectl, kubectlOk } from '../../pkg/controlplane/testing/kubectl';
import { createClient, loadKubeConfig, type Client } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import type { Device } from '../../pkg/devices';
import { FIXTURES_DIR, fixtureText } from './testing/hub';

jest.setTimeout(60_000);

const log = testLogger();
let plane: TestControlPlane;
let client: Client;
let kc: string;

beforeAll(async () => {
  plane = new TestControlPlane(log);
  kc = (await plane.start()).kubeconfigPath;
  client = createClient(loadKubeConfig({ kubeconfigPath: kc, qps: 100, burst: 200 }));
  await ensureDeviceCRDs(client);
  // Again: the CRDs are there and served, nothing to do.
  await ensureDeviceCRDs(client, { timeoutMs: 2_000 });
});

afterAll(async () => {
  await plane.dispose();
});

test('KubeEdge-format Modbus model and device apply unchanged, and kubectl get shows the columns', async () => {
  const files = ['-f', join(FIXTURES_DIR, 'modbus-devicemodel.yaml'), '-f', join(FIXTURES_DIR, 'modbus-device.yaml')];
  const applied = await kubectlOk(kc, ['apply', ...files]);
  expect(applied).toContain('devicemodel.devices.kubeedge.io/thermostat-model created');
  expect(applied).toContain('device.devices.kubeedge.io/thermostat-1 created');
  expect(await kubectlOk(kc, ['apply', ...files])).toMatch(/device.devices.kubeedge.io\/thermostat-1 unchanged/);

  // Nothing pruned or changed: configData and visitors' configData are stored as written.
  const stored = JSON.parse(await kubectlOk(kc, ['get', 'device', 'thermostat-1', '-o', 'json'])) as Device;
  expect(stored.spec).toEqual((parse(fixtureText('modbus-device.yaml')) as Device).spec);
  const model = JSON.parse(await kubectlOk(kc, ['get', 'devicemodel', 'thermostat-model', '-o', 'json'])) as { spec: unknown };
  expect(model.spec).toEqual((parse(fixtureText('modbus-devicemodel.yaml')) as { spec: unknown }).spec);

  const devices = await kubectlOk(kc, ['get', 'devices']);
  expect(devices).toMatch(/^NAME\s+MODEL\s+NODE\s+PROTOCOL\s+AGE\n/);
  expect(devices).toMatch(/^thermostat-1\s+thermostat-model\s+edge-node-1\s+modbus\s+\d+s\n/m);
  const models = await kubectlOk(kc, ['get', 'devicemodels.devices.kubeedge.io']);
  expect(models).toMatch(/^NAME\s+PROTOCOL\s+AGE\n/);
  expect(models).toMatch(/^thermostat-model\s+modbus\s+\d+s\n/m);

  // The schema is published, so kubectl explain reads it.
  expect(await kubectlOk(kc, ['explain', 'device.spec.properties.visitors'])).toMatch(/configData\s+<Object>/);
  expect(await kubectlOk(kc, ['explain', 'devicemodel.spec.properties.type'])).toMatch(/ENUM:\s*\n\s*INT\n\s*FLOAT/);
});

test('DeviceStatus: status is a subresource, and kubectl get shows state and last online time', async () => {
  await kubectlOk(
    kc,
    ['apply', '-f', '-'],
    `apiVersion: devices.kubeedge.io/v1beta1
kind: DeviceStatus
metadata: {name: thermostat-1, namespace: default}
spec: {}
status: {state: ignored-on-create}
`,
  );
  expect(await kubectlOk(kc, ['get', 'devicestatus', 'thermostat-1', '-o', 'jsonpath={.status}'])).toBe('');
  await kubectlOk(kc, [
    'patch', 'devicestatus', 'thermostat-1', '--subresource=status', '--type=merge',
    '-p', '{"status":{"state":"online","lastOnlineTime":"2024-05-01T10:00:00Z","twins":[{"propertyName":"temperature","reported":{"value":"24","metadata":{"timestamp":"1700000000000"}}}]}}',
  ]);
  const table = await kubectlOk(kc, ['get', 'devicestatuses']);
  expect(table).toMatch(/^NAME\s+STATE\s+LAST ONLINE\s+AGE\n/);
  expect(table).toMatch(/^thermostat-1\s+online\s+2024-05-01T10:00:00Z\s+\d+s\n/m);
});

test('mistakes are refused naming the field', async () => {
  const badModel = fixtureText('modbus-devicemodel.yaml').replace('type: INT', 'type: integer').replace('name: thermostat-model', 'name: bad-model');
  const model = await kubectl(kc, ['apply', '-f', '-'], badModel);
  expect(model.code).not.toBe(0);
  expect(model.stderr).toMatch(/spec\.properties\[0\]\.type: Unsupported value: "integer": supported values: "INT", "FLOAT"/);

  const badCycle = fixtureText('modbus-device.yaml').replace('collectCycle: 1000', 'collectCycle: 1s').replace('name: thermostat-1', 'name: bad-device');
  const cycle = await kubectl(kc, ['apply', '-f', '-'], badCycle);
  expect(cycle.code).not.toBe(0);
  expect(cycle.stderr).toMatch(/spec\.properties\[0\]\.collectCycle: Invalid value: "string": spec\.properties\[0\]\.collectCycle in body must be of type integer/);

  // A v1alpha2 field in a v1beta1 Device: kubectl's default (strict) validation names it.
  const oldField = fixtureText('modbus-device.yaml').replace('  nodeName: edge-node-1', '  nodeName: edge-node-1\n  propertyVisitors: []').replace('name: thermostat-1', 'name: old-device');
  const unknown = await kubectl(kc, ['apply', '-f', '-'], oldField);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toMatch(/unknown field "spec\.propertyVisitors"/);
});
