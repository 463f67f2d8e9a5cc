/**
 * Patches captured from the real kubectl v1.32 (this machine's /usr/bin/kubectl) talking to a mock API server that
 * served `live` below; each must land the way kube-apiserver lands it.
 */
import type { JsonObject } from '../json';
import { WORKLOAD } from '../schema/registry';
import { applyStrategicMergePatch } from './apply';

type Deployment = {
  metadata: { finalizers: string[]; annotations: Record<string, string> };
  spec: {
    strategy: JsonObject;
    template: { metadata: JsonObject; spec: { containers: { name: string; image: string; env?: JsonObject[]; ports?: JsonObject[] }[]; volumes: JsonObject[] } };
  };
};

const patched = (patch: unknown): Deployment => applyStrategicMergePatch(live(), patch, WORKLOAD) as unknown as Deployment;

/** The stored Deployment: last applied with two containers, then a webhook injected an env var. */
function live(): JsonObject {
  return {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
      "name": "web",
      "namespace": "default",
      "labels": { "app": "web" },
      "finalizers": ["a.io/x", "b.io/y"],
      "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": "<the original manifest as JSON>",
        "deployment.kubernetes.io/revision": "1",
      },
      "uid": "u1",
      "resourceVersion": "10",
      "generation": 1,
    },
    "spec": {
      "replicas": 2,
      "selector": { "matchLabels": { "app": "web" } },
      "strategy": { "type": "RollingUpdate", "rollingUpdate": { "maxSurge": "25%", "maxUnavailable": "25%" } },
      "template": {
        "metadata": { "labels": { "app": "web" } },
        "spec": {
          "containers": [
            {
              "name": "web",
              "image": "nginx:1.25",
              "ports": [{ "containerPort": 80, "protocol": "TCP" }],
              "env": [
                { "name": "MODE", "value": "prod" },
                { "name": "INJECTED", "value": "webhook" },
                { "name": "DEBUG", "value": "1" },
              ],
              "volumeMounts": [{ "name": "data", "mountPath": "/data" }],
              "imagePullPolicy": "IfNotPresent",
              "resources": {},
              "terminationMessagePath": "/dev/termination-log",
              "terminationMessagePolicy": "File",
            },
            {
              "name": "sidecar",
              "image": "busybox:1.36",
              "args": ["sleep", "infinity"],
              "imagePullPolicy": "IfNotPresent",
              "resources": {},
              "terminationMessagePath": "/dev/termination-log",
              "terminationMessagePolicy": "File",
            },
          ],
          "volumes": [{ "name": "data", "emptyDir": {}}],
          "restartPolicy": "Always",
          "dnsPolicy": "ClusterFirst",
        },
      },
      "revisionHistoryLimit": 10,
      "progressDeadlineSeconds": 600,
    },
    "status": { "replicas": 2, "conditions": [{ "type": "Available", "status": "True" }]},
  };
}

const names = (items: { name?: unknown }[] | undefined): unknown[] => (items ?? []).map((i) => i.name);

describe('what kubectl v1.32 sends', () => {
  it('kubectl apply after editing image, env, ports, containers, volume source, strategy and finalizers', () => {
    // Captured; only the last-applied annotation value is shortened.
    const patch = APPLY_PATCH;
    const out = patched(patch);
    expect(out.metadata.finalizers).toEqual(['a.io/x', 'c.io/z']);
    expect(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe('<the modified manifest as JSON>');
    expect(out.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    const [web, metrics] = out.spec.template.spec.containers;
    expect(names(out.spec.template.spec.containers)).toEqual(['web', 'metrics']);
    expect(web.image).toBe('nginx:1.27');
    expect(names(web.env as { name?: unknown }[])).toEqual(['MODE', 'INJECTED']);
    expect(web.ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 443, name: 'https', protocol: 'TCP' },
    ]);
    expect(web).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
    expect(metrics).toEqual({ image: 'prom/exporter:1', name: 'metrics' });
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'data', configMap: { name: 'web-config' } }]);
  });

  it('kubectl set image', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:2', name: 'web' }] } } },
    };
    const out = patched(patch);
    expect(out.spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:2'],
      ['sidecar', 'busybox:1.36'],
    ]);
  });

  it('kubectl set env adding one variable and removing another', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'MODE' }, { name: 'INJECTED' }, { name: 'FOO' }],
                env: [{ name: 'FOO', value: 'bar' }, { $patch: 'delete', name: 'DEBUG' }],
                name: 'web',
              },
            ],
          },
        },
      },
    };
    expect(patched(patch).spec.template.spec.containers[0].env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'INJECTED', value: 'webhook' },
      { name: 'FOO', value: 'bar' },
    ]);
  });

  it('kubectl rollout restart', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T06:56:24Z' } } } } };
    expect(patched(patch).spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T06:56:24Z' },
    });
  });
});

const APPLY_PATCH: JsonObject = {
  "metadata": {
    "$deleteFromPrimitiveList/finalizers": ["b.io/y"],
    "$setElementOrder/finalizers": ["a.io/x", "c.io/z"],
    "annotations": { "kubectl.kubernetes.io/last-applied-configuration": "<the modified manifest as JSON>" },
    "finalizers": ["c.io/z"],
  },
  "spec": {
    "strategy": { "$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate" },
    "template": {
      "spec": {
        "$setElementOrder/containers": [{ "name": "web" }, { "name": "metrics" }],
        "$setElementOrder/volumes": [{ "name": "data" }],
        "containers": [
          {
            "$setElementOrder/env": [{ "name": "MODE" }],
            "$setElementOrder/ports": [{ "containerPort": 80}, { "containerPort": 443}],
            "env": [{ "$patch": "delete", "name": "DEBUG" }],
            "image": "nginx:1.27",
            "name": "web",
            "ports": [{ "containerPort": 443, "name": "https", "protocol": "TCP" }],
          },
          { "image": "prom/exporter:1", "name": "metrics" },
          { "$patch": "delete", "name": "sidecar" },
        ],
        "volumes": [
          {
            "$retainKeys": ["configMap", "name"],
            "configMap": { "name": "web-config" },
            "emptyDir": null,
            "name": "data",
          },
        ],
      },
    },
  },
};
