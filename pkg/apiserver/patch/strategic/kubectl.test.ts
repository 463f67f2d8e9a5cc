/**
 * Strategic merge patches shaped like the ones kubectl v1.32 sends: `kubectl apply` (client-side three-way patches
 * with $setElementOrder, $retainKeys, $deleteFromPrimitiveList and `$patch: delete`), `kubectl patch`, controllers.
 */
import type { JsonObject } from '../json';
import { DEPLOYMENT_SCHEMA, deployment } from '../testing/fixtures';
import { NODE, POD, SERVICE } from '../schema/core';
import { applyStrategicMergePatch } from './apply';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

/** The live Deployment with `edit` applied to a copy of it: what the patch result must equal. */
function expected(edit: (d: ReturnType<typeof deployment>) => void): JsonObject {
  const d = deployment();
  edit(d);
  return d as unknown as JsonObject;
}

const podSpec = (patch: JsonObject): JsonObject => ({ spec: { template: { spec: patch } } });

type Deployment = ReturnType<typeof deployment>;

/** The result, typed as the fixture so tests can reach into it. */
const patched = (live: unknown, patch: unknown): Deployment =>
  applyStrategicMergePatch(live, patch, DEPLOYMENT_SCHEMA) as unknown as Deployment;

describe('second kubectl apply after an edit', () => {
  it('changes one container image and the last-applied annotation, nothing else', () => {
    const patch = {
      metadata: { annotations: { [LAST]: '{"new":true}' } },
      ...podSpec({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [{ image: 'nginx:1.27', name: 'web' }],
      }),
    };
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.metadata.annotations[LAST] = '{"new":true}';
        d.spec.template.spec.containers[0].image = 'nginx:1.27';
      }),
    );
  });

  it('removes an env var with a delete directive', () => {
    const patch = podSpec({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [{ '$setElementOrder/env': [{ name: 'MODE' }], env: [{ $patch: 'delete', name: 'DEBUG' }], name: 'web' }],
    });
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.spec.template.spec.containers[0].env = [{ name: 'MODE', value: 'prod' }];
      }),
    );
  });

  it('adds a port after the existing one, keyed by containerPort', () => {
    const patch = podSpec({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [
        {
          '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
          name: 'web',
          ports: [{ containerPort: 443, name: 'https', protocol: 'TCP' }],
        },
      ],
    });
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.spec.template.spec.containers[0].ports!.push({ containerPort: 443, name: 'https', protocol: 'TCP' });
      }),
    );
  });

  it('reorders containers with $setElementOrder alone', () => {
    const patch = podSpec({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] });
    const out = patched(deployment(), patch);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'web']);
    expect(out.spec.template.spec.containers[1]).toEqual(deployment().spec.template.spec.containers[0]);
  });

  it('keeps a server-only env var next to its old neighbour when the order changes', () => {
    const live = deployment();
    live.spec.template.spec.containers[0].env.splice(1, 0, { name: 'INJECTED', value: 'by-webhook' });
    const patch = podSpec({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [{ '$setElementOrder/env': [{ name: 'DEBUG' }, { name: 'MODE' }], name: 'web' }],
    });
    const out = patched(live, patch);
    expect(out.spec.template.spec.containers[0].env.map((e) => e.name)).toEqual(['INJECTED', 'DEBUG', 'MODE']);
  });

  it('deletes a container removed from the manifest', () => {
    const patch = podSpec({
      '$setElementOrder/containers': [{ name: 'web' }],
      containers: [{ $patch: 'delete', name: 'sidecar' }],
    });
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.spec.template.spec.containers.pop();
      }),
    );
  });

  it('switches a volume from emptyDir to configMap with $retainKeys', () => {
    const patch = podSpec({
      '$setElementOrder/volumes': [{ name: 'data' }],
      volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'web-config' }, emptyDir: null, name: 'data' }],
    });
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.spec.template.spec.volumes = [{ name: 'data', configMap: { name: 'web-config' } } as never];
      }),
    );
  });

  it('clears server-defaulted members that $retainKeys does not list', () => {
    const live = deployment();
    live.spec.template.spec.volumes = [{ name: 'data', hostPath: { path: '/d', type: '' } } as never];
    const patch = podSpec({ volumes: [{ $retainKeys: ['name', 'secret'], name: 'data', secret: { secretName: 's' } }] });
    const out = patched(live, patch);
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'data', secret: { secretName: 's' } }]);
  });

  it('switches the rollout strategy, dropping rollingUpdate', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        d.spec.strategy = { type: 'Recreate' } as never;
      }),
    );
  });

  it('adds and removes finalizers as a set, in the manifest order', () => {
    const live = deployment();
    live.metadata.finalizers = ['a.io/x', 'b.io/y'];
    const patch = {
      metadata: {
        '$setElementOrder/finalizers': ['a.io/x', 'c.io/z'],
        '$deleteFromPrimitiveList/finalizers': ['b.io/y'],
        finalizers: ['c.io/z'],
      },
    };
    const out = patched(live, patch);
    expect(out.metadata.finalizers).toEqual(['a.io/x', 'c.io/z']);
  });
});

describe('kubectl patch and controller patches', () => {
  it('puts a finalizer added without $setElementOrder first, and never duplicates one', () => {
    const live = deployment();
    live.metadata.finalizers = ['a.io/x'];
    const add = applyStrategicMergePatch(live, { metadata: { finalizers: ['b.io/y', 'a.io/x'] } }, DEPLOYMENT_SCHEMA);
    expect((add.metadata as JsonObject).finalizers).toEqual(['b.io/y', 'a.io/x']);
    const remove = applyStrategicMergePatch(add, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x'] } }, DEPLOYMENT_SCHEMA);
    expect((remove.metadata as JsonObject).finalizers).toEqual(['b.io/y']);
  });

  it('merges pod conditions by type, leaving the others in place', () => {
    const pod = {
      metadata: { name: 'p' },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
        ],
      },
    };
    const patch = {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', reason: null }, { type: 'Initialized', status: 'True' }] },
    };
    expect(applyStrategicMergePatch(pod, patch, POD)).toEqual({
      metadata: { name: 'p' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'Initialized', status: 'True' },
        ],
      },
    });
  });

  it('merges node status conditions and addresses by type', () => {
    const node = {
      metadata: { name: 'n1' },
      spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.1.1.1' }, { type: 'Hostname', address: 'n1' }],
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 't1' }],
      },
    };
    const patch = {
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: {
        '$setElementOrder/conditions': [{ type: 'Ready' }],
        conditions: [{ type: 'Ready', lastHeartbeatTime: 't2' }],
        addresses: [{ type: 'InternalIP', address: '10.1.1.2' }],
      },
    };
    expect(applyStrategicMergePatch(node, patch, NODE)).toEqual({
      metadata: { name: 'n1' },
      spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.1.1.2' }, { type: 'Hostname', address: 'n1' }],
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 't2' }],
      },
    });
  });

  it('prepends a container added by kubectl patch, as the server orders unknown items first', () => {
    const patch = podSpec({ containers: [{ name: 'debug', image: 'busybox' }] });
    const out = patched(deployment(), patch);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['debug', 'web', 'sidecar']);
  });

  it('merges service ports by port, and replaces lists without a strategy', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }], externalIPs: ['1.2.3.4'] } };
    const patch = { spec: { ports: [{ port: 80, name: 'http' }], externalIPs: ['5.6.7.8'] } };
    expect(applyStrategicMergePatch(svc, patch, SERVICE)).toEqual({
      spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }], externalIPs: ['5.6.7.8'] },
    });
  });

  it('restarts a rollout by adding a template annotation (kubectl rollout restart)', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } } } };
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT_SCHEMA)).toEqual(
      expected((d) => {
        (d.spec.template.metadata as JsonObject).annotations = { 'kubectl.kubernetes.io/restartedAt': 'now' };
      }),
    );
  });

  it('deletes members set to null, and replaces or clears whole maps with $patch', () => {
    const pod = { metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'y' } }, spec: { nodeSelector: { disk: 'ssd' } } };
    const patch = {
      metadata: { labels: { a: null, c: '3' }, annotations: { $patch: 'delete' } },
      spec: { nodeSelector: { $patch: 'replace', zone: 'z1' } },
    };
    expect(applyStrategicMergePatch(pod, patch, POD)).toEqual({
      metadata: { labels: { b: '2', c: '3' }, annotations: {} },
      spec: { nodeSelector: { zone: 'z1' } },
    });
  });

  it('replaces a whole merge list with a $patch: replace item', () => {
    const patch = podSpec({ containers: [{ $patch: 'replace' }, { name: 'only', image: 'x', env: [{ name: 'A', value: null }] }] });
    const out = patched(deployment(), patch);
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x', env: [{ name: 'A' }] }]);
  });

  it('never stores directives or nulls that arrive inside new content', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x' }] } };
    const patch = {
      spec: {
        initContainers: [{ name: 'init', image: 'y', env: [{ name: 'E', $patch: 'delete' }], args: null }],
        volumes: [{ $retainKeys: ['name', 'emptyDir'], name: 'v', emptyDir: {} }],
        containers: [{ name: 'b', image: 'z', '$setElementOrder/env': [{ name: 'Q' }], env: [{ name: 'Q', value: 'q' }] }],
      },
    };
    expect(applyStrategicMergePatch(pod, patch, POD)).toEqual({
      spec: {
        containers: [
          { name: 'b', image: 'z', env: [{ name: 'Q', value: 'q' }] },
          { name: 'a', image: 'x' },
        ],
        initContainers: [{ name: 'init', image: 'y', env: [] }],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    });
  });

  it('leaves its inputs untouched', () => {
    const live = deployment();
    const before = JSON.stringify(live);
    const patch = podSpec({ containers: [{ name: 'web', image: 'nginx:2' }] });
    applyStrategicMergePatch(live, patch, DEPLOYMENT_SCHEMA);
    expect(JSON.stringify(live)).toBe(before);
    expect(patch).toEqual(podSpec({ containers: [{ name: 'web', image: 'nginx:2' }] }));
  });
});
