/**
 * The embedded control plane driven by the real kubectl (/usr/bin/kubectl, 1.32): what a user types must work as
 * against a real cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '.';
import { eventually, kubectl, kubectlOk, kubectlStream } from './testing/kubectl';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
              image: {type: string}
              replicas: {type: integer, minimum: 1, default: 1}
              mode: {type: string, enum: [fast, slow]}
          status:
            type: object
            properties:
              ready: {type: boolean}
`;

const APP = (image: string, extraEnv = '') => `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
        env:
        - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}
${extraEnv}---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly, namespace: shop}
spec: {cronSpec: '0 3 * * *', image: backup:1}
`;

describe('embedded control plane with kubectl', () => {
  let dir: string;
  let cp: ControlPlane;
  let kc: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-kubectl-'));
    cp = await startControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, log });
    kc = cp.kubeconfigPath;
  });
  afterAll(async () => {
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers discovery: version, api-resources, the system namespaces', async () => {
    expect(await kubectlOk(kc, ['version', '-o', 'json'])).toContain('"serverVersion"');
    const resources = await kubectlOk(kc, ['api-resources']);
    for (const line of [/^pods\s+po\s+v1\s+true\s+Pod$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m]) {
      expect(resources).toMatch(line);
    }
    const namespaces = await kubectlOk(kc, ['get', 'namespaces', '-o', 'name']);
    expect(namespaces.split('\n').filter(Boolean).sort()).toEqual(
      ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system'],
    );
  });

  it('applies a CRD, then a multi-document file with custom resources, and merges a second apply three-way', async () => {
    await kubectlOk(kc, ['apply', '-f', '-'], CRD);
    await kubectlOk(kc, ['wait', '--for=condition=established', '--timeout=10s', 'crd/crontabs.stable.example.com']);
    const first = await kubectlOk(kc, ['apply', '-f', '-'], APP('nginx:1.25'));
    expect(first).toContain('deployment.apps/web created');
    expect(first).toContain('crontab.stable.example.com/nightly created');
    // Defaults from the CRD schema were applied.
    expect(await kubectlOk(kc, ['get', 'ct', 'nightly', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
    // Someone else adds a label; the next apply must keep it (three-way merge), change the image and add an env var.
    await kubectlOk(kc, ['label', 'deployment/web', '-n', 'shop', 'team=payments']);
    const second = await kubectlOk(kc, ['apply', '-f', '-'], APP('nginx:1.26', '        - {name: LEVEL, value: debug}\n'));
    expect(second).toContain('deployment.apps/web configured');
    expect(second).toContain('configmap/settings unchanged');
    const web = JSON.parse(await kubectlOk(kc, ['get', 'deployment', 'web', '-n', 'shop', '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; generation: number };
      spec: { template: { spec: { containers: { image: string; env: { name: string }[] }[] } } };
    };
    expect(web.metadata.labels).toEqual({ app: 'web', team: 'payments' });
    expect(web.metadata.generation).toBe(2);
    expect(web.spec.template.spec.containers[0]!.image).toBe('nginx:1.26');
    expect(web.spec.template.spec.containers[0]!.env.map((e) => e.name)).toEqual(['MODE', 'LEVEL']);
  });

  it('applies one file holding both a CRD and its custom resources, as users do: apply, and apply again', async () => {
    const file = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.toys.example.com}
spec:
  group: toys.example.com
  scope: Namespaced
  names: {plural: gizmos, singular: gizmo, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
---
apiVersion: toys.example.com/v1
kind: Gizmo
metadata: {name: small, namespace: default}
spec: {size: 1}
`;
    // kubectl maps every document before it applies any, so a custom resource whose CRD is in the same file is
    // refused on the first run (by kubectl, as with any real cluster) and created on the second.
    const first = await kubectl(kc, ['apply', '-f', '-'], file);
    expect(first.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/gizmos.toys.example.com created');
    const second = await kubectlOk(kc, ['apply', '-f', '-'], file);
    expect(second).toMatch(/gizmo.toys.example.com\/small (created|unchanged)/);
    expect(await kubectlOk(kc, ['get', 'gizmo', 'small', '-o', 'jsonpath={.spec.size}'])).toBe('1');
  });

  it('prints tables, wide tables, yaml and printer columns of custom resources', async () => {
    const table = await kubectlOk(kc, ['get', 'deployments', '-n', 'shop']);
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    expect(table).toMatch(/^web\s+0\/2\s+0\s+0\s+\d+s\n/m);
    expect(await kubectlOk(kc, ['get', 'deployments', '-n', 'shop', '-o', 'wide'])).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    const doc = parse(await kubectlOk(kc, ['get', 'configmap', 'settings', '-n', 'shop', '-o', 'yaml'])) as { data: unknown; metadata: { uid: string; resourceVersion: string } };
    expect(doc.data).toEqual({ mode: 'fast' });
    expect(doc.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const crontabs = await kubectlOk(kc, ['get', 'crontabs', '-n', 'shop']);
    expect(crontabs).toMatch(/^NAME\s+SPEC\s+REPLICAS\s*\n/);
    expect(crontabs).toMatch(/^nightly\s+0 3 \* \* \*\s+1\s*$/m);
  });

  it('labels, annotates and patches with strategic, merge and JSON patches', async () => {
    await kubectlOk(kc, ['create', 'configmap', 'flags', '-n', 'shop', '--from-literal=a=1', '--from-literal=b=2']);
    await kubectlOk(kc, ['annotate', 'configmap', 'flags', '-n', 'shop', 'owner=ops']);
    await kubectlOk(kc, ['patch', 'configmap', 'flags', '-n', 'shop', '--type=merge', '-p', '{"data":{"b":null,"c":"3"}}']);
    await kubectlOk(kc, ['patch', 'configmap', 'flags', '-n', 'shop', '--type=json', '-p', '[{"op":"replace","path":"/data/a","value":"10"}]']);
    await kubectlOk(kc, ['patch', 'deployment', 'web', '-n', 'shop', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}']);
    const cm = JSON.parse(await kubectlOk(kc, ['get', 'cm', 'flags', '-n', 'shop', '-o', 'json'])) as { data: unknown; metadata: { annotations: Record<string, string> } };
    expect(cm.data).toEqual({ a: '10', c: '3' });
    expect(cm.metadata.annotations.owner).toBe('ops');
    expect(await kubectlOk(kc, ['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}'])).toBe('nginx:1.27 MODE');
    const smpOnCr = await kubectl(kc, ['patch', 'ct', 'nightly', '-n', 'shop', '-p', '{"spec":{"image":"x"}}']);
    expect(smpOnCr.code).not.toBe(0);
    expect(smpOnCr.stderr).toMatch(/strategic merge patch|unknown format|UnsupportedMediaType|--type/i);
    await kubectlOk(kc, ['patch', 'ct', 'nightly', '-n', 'shop', '--type=merge', '-p', '{"spec":{"image":"backup:2"}}']);
  });

  it('scales through the scale subresource and creates deployments imperatively', async () => {
    await kubectlOk(kc, ['create', 'deployment', 'api', '-n', 'shop', '--image=api:1', '--replicas=1']);
    await kubectlOk(kc, ['scale', 'deployment', 'api', '-n', 'shop', '--replicas=4']);
    expect(await kubectlOk(kc, ['get', 'deploy', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'])).toBe('4');
  });

  it('describes objects and explains fields', async () => {
    const described = await kubectlOk(kc, ['describe', 'configmap', 'settings', '-n', 'shop']);
    expect(described).toMatch(/Name:\s+settings/);
    expect(described).toMatch(/mode:\s*\n-+\nfast/);
    const explained = await kubectlOk(kc, ['explain', 'deployment.spec.replicas']);
    expect(explained).toMatch(/FIELD:\s+replicas\s+<integer>/);
    // A CRD's fields come from its own schema.
    const custom = await kubectlOk(kc, ['explain', 'crontab.spec']);
    expect(custom).toMatch(/cronSpec\s+<string> -required-/);
    expect(custom).toMatch(/mode\s+<string>/);
  });

  it('streams changes to kubectl get -w', async () => {
    const watch = kubectlStream(kc, ['get', 'configmaps', '-n', 'shop', '-w', '--output-watch-events']);
    try {
      await eventually(() => watch.output().includes('settings'), 10_000, 'initial list');
      await kubectlOk(kc, ['create', 'configmap', 'watched', '-n', 'shop', '--from-literal=x=1']);
      await kubectlOk(kc, ['delete', 'configmap', 'watched', '-n', 'shop']);
      await eventually(() => /ADDED\s+watched/.test(watch.output()) && /DELETED\s+watched/.test(watch.output()), 10_000, 'watch events');
    } finally {
      await watch.stop();
    }
  });

  it('refuses invalid objects with the field and the reason', async () => {
    const badName = await kubectl(kc, ['create', 'configmap', 'Bad_Name', '-n', 'shop']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toMatch(/ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const badCr = await kubectl(kc, ['apply', '-f', '-'], 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: broken, namespace: shop}\nspec: {cronSpec: "every day", mode: turbo, replicas: 0}\n');
    expect(badCr.code).not.toBe(0);
    expect(badCr.stderr).toMatch(/spec.mode: Unsupported value: "turbo": supported values: "fast", "slow"/);
    expect(badCr.stderr).toMatch(/spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1/);
    const unknownField = await kubectl(kc, ['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: shop}\ndata: {a: "1"}\ndatta: {b: "2"}\n');
    expect(unknownField.code).not.toBe(0);
    expect(unknownField.stderr).toMatch(/unknown field "datta"/);
    const missingNs = await kubectl(kc, ['create', 'configmap', 'x', '-n', 'nowhere']);
    expect(missingNs.stderr).toMatch(/namespaces "nowhere" not found/);
  });

  it('deletes objects and their finalizers hold them until removed', async () => {
    await kubectlOk(kc, ['create', 'configmap', 'held', '-n', 'shop']);
    await kubectlOk(kc, ['patch', 'cm', 'held', '-n', 'shop', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    await kubectlOk(kc, ['delete', 'cm', 'held', '-n', 'shop', '--wait=false']);
    expect(await kubectlOk(kc, ['get', 'cm', 'held', '-n', 'shop', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).not.toBe('');
    await kubectlOk(kc, ['patch', 'cm', 'held', '-n', 'shop', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const gone = await kubectl(kc, ['get', 'cm', 'held', '-n', 'shop']);
    expect(gone.stderr).toMatch(/configmaps "held" not found/);
  });
});
