import { BUILTIN_TYPES, findBuiltinType } from './catalogue';
import type { BuiltinType, KObject } from './types';

function type(group: string, plural: string): BuiltinType {
  const t = findBuiltinType(group, 'v1', plural);
  if (!t) throw new Error(`no ${plural}`);
  return t;
}

/** What the generic create path does before validation. */
function create(t: BuiltinType, obj: KObject): KObject {
  const copy = structuredClone(obj);
  t.defaults(copy);
  t.prepareForCreate?.(copy);
  return copy;
}

describe('defaults', () => {
  test('a minimal Deployment becomes what the real server returns', () => {
    const out = create(type('apps', 'deployments'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    });
    expect(out).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', generation: 1 },
      spec: {
        progressDeadlineSeconds: 600,
        replicas: 1,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: 'web' } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [
              {
                image: 'nginx:1.25',
                imagePullPolicy: 'IfNotPresent',
                name: 'nginx',
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
              },
            ],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            schedulerName: 'default-scheduler',
            securityContext: {},
            terminationGracePeriodSeconds: 30,
          },
        },
      },
      status: {},
    });
  });

  test('a minimal Pod gets admission defaults, but no not-ready/unreachable tolerations', () => {
    const out = create(type('', 'pods'), { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    expect(out.spec).toEqual({
      containers: [
        { image: 'busybox', imagePullPolicy: 'Always', name: 'app', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
    });
    expect(out.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('pod containers: pull policy by tag, probes, ports, env, volumes, requests from limits, QoS', () => {
    const out = create(type('', 'pods'), {
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'registry.local:5000/app',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: '0.5', memory: '128Mi' } },
          },
          { name: 'b', image: 'app@sha256:abc', resources: { limits: { cpu: '1000m', memory: '1Gi' }, requests: { cpu: '1', memory: '1024Mi' } } },
        ],
        volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }, { name: 's', secret: { secretName: 's' } }],
      },
    });
    const [a, b] = (out.spec as KObject).containers as KObject[];
    expect(a?.imagePullPolicy).toBe('Always');
    expect(b?.imagePullPolicy).toBe('IfNotPresent');
    expect(a?.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(a?.env).toEqual([{ name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }]);
    expect(a?.livenessProbe).toEqual({
      httpGet: { path: '/', port: 80, scheme: 'HTTP' },
      failureThreshold: 3,
      periodSeconds: 10,
      successThreshold: 1,
      timeoutSeconds: 1,
    });
    expect(a?.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } });
    expect(b?.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    expect((out.spec as KObject).volumes).toEqual([
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'scratch', emptyDir: {} },
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    ]);
    expect(out.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });

  test('system priority classes', () => {
    const out = create(type('', 'pods'), { metadata: { name: 'p' }, spec: { priorityClassName: 'system-node-critical', containers: [{ name: 'a', image: 'x' }] } });
    expect((out.spec as KObject).priority).toBe(2000001000);
  });

  test('Burstable when requests are below limits', () => {
    const out = create(type('', 'pods'), {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' }, limits: { cpu: '1', memory: '1Gi' } } }] },
    });
    expect((out.status as KObject).qosClass).toBe('Burstable');
  });

  test('Service', () => {
    const out = create(type('', 'services'), { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns', name: 'dns' }] } });
    expect(out.spec).toEqual({
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      ],
      selector: { app: 'web' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    });
    expect(out.status).toEqual({ loadBalancer: {} });
    const lb = create(type('', 'services'), { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443 }] } });
    expect(lb.spec).toMatchObject({ allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  });

  test('Service update keeps the allocated cluster IP and node ports', () => {
    const svc = type('', 'services');
    const old = create(svc, { metadata: { name: 'np' }, spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] } });
    const next = structuredClone({ metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }) as KObject;
    svc.defaults(next);
    svc.prepareForUpdate?.(next, old);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080 }] });
  });

  test('Namespace: name label, kubernetes finalizer, Active', () => {
    const out = create(type('', 'namespaces'), { metadata: { name: 'edge' } });
    expect(out).toEqual({
      metadata: { name: 'edge', labels: { 'kubernetes.io/metadata.name': 'edge' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  test('Secret: Opaque, stringData merged into data', () => {
    const out = create(type('', 'secrets'), { metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hello', a: 'y' } });
    expect(out).toEqual({ metadata: { name: 's' }, type: 'Opaque', data: { a: 'eQ==', b: 'aGVsbG8=' } });
  });

  test('DaemonSet and ReplicaSet', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'c:1' }] } };
    const ds = create(type('apps', 'daemonsets'), { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template } });
    expect(ds.spec).toMatchObject({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    expect(ds.status).toEqual({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 });
    const rs = create(type('apps', 'replicasets'), { metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'x' } }, template } });
    expect(rs.spec).toMatchObject({ replicas: 1 });
    expect(rs.status).toEqual({ replicas: 0 });
  });

  test('Recreate deployments get no rollingUpdate', () => {
    const out = create(type('apps', 'deployments'), { metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' }, template: { spec: { containers: [] } } } });
    expect((out.spec as KObject).strategy).toEqual({ type: 'Recreate' });
  });

  test('Node: allocatable from capacity, canonical quantities', () => {
    const out = create(type('', 'nodes'), { metadata: { name: 'edge-1' }, status: { capacity: { cpu: '4', memory: '8192Mi', pods: '110' } } });
    expect((out.status as KObject).allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
  });

  test('updates bump the generation on spec changes only', () => {
    const dep = type('apps', 'deployments');
    const old = create(dep, { metadata: { name: 'd', generation: 3 }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: {} }, status: { replicas: 1 } });
    (old.metadata as KObject).generation = 3;
    const same = structuredClone(old);
    delete same.status;
    dep.prepareForUpdate?.(same, old);
    expect((same.metadata as KObject).generation).toBe(3);
    expect(same.status).toEqual({});
    const scaled = structuredClone(old);
    (scaled.spec as KObject).replicas = 5;
    dep.prepareForUpdate?.(scaled, old);
    expect((scaled.metadata as KObject).generation).toBe(4);
  });

  test('defaults are idempotent for every type', () => {
    const samples: Record<string, KObject> = {
      pods: { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '0.25' } } }] } },
      deployments: { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } },
    };
    for (const t of BUILTIN_TYPES) {
      const once = structuredClone(samples[t.plural] ?? { metadata: { name: 'x' } });
      t.defaults(once);
      const twice = structuredClone(once);
      t.defaults(twice);
      expect([t.plural, twice]).toEqual([t.plural, once]);
    }
  });
});
