/** ensureCRDs against the real embedded API server: creates, is idempotent, and says clearly when a CRD is not served. */
import { createClient, loadKubeConfig, type Client, type KubeObject } from '.';
import { CrdNotServedError, ensureCRDs } from './ensure-crds';
import { TestControlPlane, testLogger } from './testing/control-plane';

jest.setTimeout(30_000);

let plane: TestControlPlane;
let client: Client;

beforeAll(async () => {
  plane = new TestControlPlane(testLogger());
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 100, burst: 200 }));
});

afterAll(async () => {
  await plane.dispose();
});

const widgets: KubeObject & { spec: unknown } = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

test('creates the CRD, waits until it is served, and a second call leaves it be', async () => {
  const served = { apiVersion: 'example.com/v1', plural: 'widgets', kind: 'Widget' };
  await ensureCRDs(client, [{ crd: widgets, served }]);
  await client.resource(served).list({ namespace: 'default' });
  await ensureCRDs(client, [{ crd: widgets, served }], { timeoutMs: 2_000 });
});

test('a resource that never becomes served fails with CRD_NOT_SERVED naming it and the CRD', async () => {
  const wrong = { apiVersion: 'example.com/v2', plural: 'widgets', kind: 'Widget' };
  const started = Date.now();
  const error = await ensureCRDs(client, [{ crd: widgets, served: wrong }], { timeoutMs: 300 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CrdNotServedError);
  expect(error).toMatchObject({ code: 'CRD_NOT_SERVED' });
  expect((error as Error).message).toMatch(/widgets\.example\.com\/v2 is not served 300 ms after its CRD was created; .*kubectl get crd widgets\.example\.com -o yaml/);
  expect(Date.now() - started).toBeLessThan(5_000);
});
