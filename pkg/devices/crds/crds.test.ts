/**
 * The device CRD manifests: valid as the API server judges CRDs, KubeEdge's names and enums, and installable both by
 * `kubectl apply -f pkg/devices/crds/` (as a user or keadm does) and by ensureDeviceCRDs (as cloudcore does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCustomResourceDefinition } from '../../apiserver/schema/crd-validation';
import { formatFieldError } from '../../apiserver/schema/errors';
import { kubectlOk } from '../../controlplane/testing/kubectl';
import { createClient, loadKubeConfig } from '../../kube';
import { TestControlPlane, testLogger } from '../../kube/testing/control-plane';
import { DEVICE_RESOURCES } from '../api';
import { DEVICE_CRDS_DIR, deviceCRDs, ensureDeviceCRDs } from '.';

jest.setTimeout(30_000);

type Version = { name: string; served: boolean; storage: boolean; subresources?: unknown; schema: { openAPIV3Schema: Record<string, unknown> } };
const versionOf = (crd: ReturnType<typeof deviceCRDs>[number]): Version => (crd.spec['versions'] as Version[])[0]!;
/** Follows `properties` down a schema. */
const at = (schema: Record<string, unknown>, ...path: string[]): Record<string, unknown> =>
  path.reduce((s, p) => (p === '[]' ? (s['items'] as Record<string, unknown>) : ((s['properties'] as Record<string, Record<string, unknown>>)[p]!)), schema);

test('three valid CRDs with KubeEdge names, v1beta1 served and stored', () => {
  const crds = deviceCRDs();
  expect(crds.map((c) => c.metadata?.name)).toEqual(['devicemodels.devices.kubeedge.io', 'devices.devices.kubeedge.io', 'devicestatuses.devices.kubeedge.io']);
  for (const crd of crds) {
    expect(validateCustomResourceDefinition(crd).map(formatFieldError)).toEqual([]);
    expect(crd.spec['scope']).toBe('Namespaced');
    expect(versionOf(crd)).toMatchObject({ name: 'v1beta1', served: true, storage: true });
  }
  const [model, device, status] = crds.map((c) => versionOf(c).schema.openAPIV3Schema);
  expect(at(model!, 'spec', 'properties', '[]', 'type')['enum']).toEqual(['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'BYTES', 'STREAM']);
  expect(at(model!, 'spec', 'properties', '[]', 'accessMode')['enum']).toEqual(['ReadWrite', 'ReadOnly']);
  for (const free of [at(device!, 'spec', 'protocol', 'configData'), at(device!, 'spec', 'properties', '[]', 'visitors', 'configData'), at(model!, 'spec', 'protocolConfigData')]) {
    expect(free).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  }
  expect(at(device!, 'spec', 'properties', '[]', 'reportCycle')).toMatchObject({ type: 'integer', format: 'int64' });
  expect(Object.keys(at(status!, 'status', 'twins', '[]')['properties'] as object)).toEqual(['propertyName', 'reported', 'observedDesired']);
  // KubeEdge writes DeviceStatus status through the status subresource; Device and DeviceModel have none.
  expect(crds.map((c) => versionOf(c).subresources)).toEqual([undefined, undefined, { status: {} }]);
});

test('a missing or broken manifest is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'device-crds-'));
  try {
    expect(() => deviceCRDs(dir)).toThrow(new RegExp(`cannot read the device CRD manifest ${dir}/devices_v1beta1_devicemodel.yaml`));
    writeFileSync(join(dir, 'devices_v1beta1_devicemodel.yaml'), 'kind: ConfigMap\n');
    expect(() => deviceCRDs(dir)).toThrow(/devices_v1beta1_devicemodel.yaml is not a CustomResourceDefinition manifest \(kind ConfigMap\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubectl apply -f of the folder installs them, and ensureDeviceCRDs then finds them served', async () => {
  const log = testLogger();
  const plane = new TestControlPlane(log);
  try {
    const { kubeconfigPath } = await plane.start();
    const out = await kubectlOk(kubeconfigPath, ['apply', '-f', DEVICE_CRDS_DIR]);
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/devicemodels.devices.kubeedge.io created',
      'customresourcedefinition.apiextensions.k8s.io/devices.devices.kubeedge.io created',
      'customresourcedefinition.apiextensions.k8s.io/devicestatuses.devices.kubeedge.io created',
    ]);
    const client = createClient(loadKubeConfig({ kubeconfigPath, qps: 100, burst: 200 }));
    await ensureDeviceCRDs(client, { timeoutMs: 10_000 });
    for (const ref of Object.values(DEVICE_RESOURCES)) await client.resource(ref).list({ namespace: 'default' });
    expect(await kubectlOk(kubeconfigPath, ['get', 'crd', '-o', 'name'])).toMatch(/devicestatuses\.devices\.kubeedge\.io/);
  } finally {
    await plane.dispose();
  }
});
