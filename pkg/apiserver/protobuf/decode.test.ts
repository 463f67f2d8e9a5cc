import { Deployment } from '../../../gen/k8s/io/api/apps/v1/apps';
import { Scale } from '../../../gen/k8s/io/api/autoscaling/v1/autoscaling';
import { Lease } from '../../../gen/k8s/io/api/coordination/v1/coordination';
import { ConfigMap, Endpoints, Namespace, Node, Pod, Secret, Service, ServiceAccount } from '../../../gen/k8s/io/api/core/v1/core';
import { Event as EventsV1Event } from '../../../gen/k8s/io/api/events/v1/events';
import {
  decodeKubernetesProtobuf,
  isProtobufContentType,
  KUBERNETES_PROTOBUF,
  ProtobufDecodeError,
  protobufErrorToStatus,
  protobufKinds,
} from '.';
import { goDurationString } from './special-types';
import { MAGIC, protobufBody, Wire } from './testing/bodies';

const T0 = 1700000000n; // 2023-11-14T22:13:20Z

function decode(apiVersion: string, kind: string, raw: Uint8Array) {
  return decodeKubernetesProtobuf(protobufBody(apiVersion, kind, raw), { apiVersion, kind });
}

function decodeError(body: Uint8Array, expected = { apiVersion: 'v1', kind: 'ConfigMap' }): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(body, expected);
  } catch (error) {
    if (error instanceof ProtobufDecodeError) return error;
    throw error;
  }
  throw new Error('decoded without error');
}

describe('decodeKubernetesProtobuf: objects as client-go encodes them', () => {
  it('ConfigMap: data, binaryData as base64, keys sorted, immutable', () => {
    const raw = ConfigMap.encode(
      ConfigMap.fromPartial({
        metadata: { name: 'cfg', namespace: 'default', labels: { app: 'web' }, creationTimestamp: {} },
        immutable: true,
        data: { 'b.conf': 'x=1\n', 'a.conf': 'ünïcode ✓' },
        binaryData: { blob: Buffer.from([0, 1, 2, 253, 254, 255]) },
      }),
    ).finish();
    const json = decode('v1', 'ConfigMap', raw);
    expect(json).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg', namespace: 'default', creationTimestamp: null, labels: { app: 'web' } },
      immutable: true,
      data: { 'a.conf': 'ünïcode ✓', 'b.conf': 'x=1\n' },
      binaryData: { blob: 'AAEC/f7/' },
    });
    expect(Object.keys(json.data as object)).toEqual(['a.conf', 'b.conf']);
  });

  it('Secret: data bytes become base64, stringData and type stay strings', () => {
    const raw = Secret.encode(
      Secret.fromPartial({
        metadata: { name: 's', namespace: 'default' },
        data: { password: Buffer.from('s3cr3t'), key: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
        stringData: { user: 'admin' },
        type: 'Opaque',
      }),
    ).finish();
    expect(decode('v1', 'Secret', raw)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's', namespace: 'default' },
      data: { key: '3q2+7w==', password: 'czNjcjN0' },
      stringData: { user: 'admin' },
      type: 'Opaque',
    });
  });

  it('Deployment with a full pod template', () => {
    const raw = Deployment.encode(
      Deployment.fromPartial({
        metadata: {
          name: 'web',
          namespace: 'prod',
          uid: '5f0c2b9e-0d5e-4a51-9d0a-2b8f4a3c1e77',
          resourceVersion: '42',
          generation: 7n,
          creationTimestamp: { seconds: T0, nanos: 999_999_999 },
          labels: { app: 'web' },
          annotations: { 'deployment.kubernetes.io/revision': '3' },
          ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'App', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
          finalizers: ['example.com/cleanup'],
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Update',
              apiVersion: 'apps/v1',
              time: { seconds: T0 },
              fieldsType: 'FieldsV1',
              fieldsV1: { Raw: Buffer.from('{"f:spec":{"f:replicas":{}}}') },
            },
          ],
        },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }] },
          minReadySeconds: 10,
          revisionHistoryLimit: 5,
          progressDeadlineSeconds: 600,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 1n, strVal: '25%' }, maxUnavailable: { intVal: 1 } } },
          template: {
            metadata: { labels: { app: 'web' }, creationTimestamp: {} },
            spec: {
              initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' }],
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  command: ['nginx'],
                  args: ['-g', 'daemon off;'],
                  workingDir: '/srv',
                  ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                  envFrom: [
                    { prefix: 'CFG_', configMapRef: { localObjectReference: { name: 'cfg' } } },
                    { secretRef: { localObjectReference: { name: 'sec' }, optional: true } },
                  ],
                  env: [
                    { name: 'MODE', value: 'prod' },
                    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { localObjectReference: { name: 'db' }, key: 'password' } } },
                    { name: 'LEVEL', valueFrom: { configMapKeyRef: { localObjectReference: { name: 'cfg' }, key: 'level', optional: true } } },
                    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
                    { name: 'MEM', valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.memory', divisor: { string: '1Mi' } } } },
                  ],
                  resources: { limits: { memory: { string: '256Mi' }, cpu: { string: '500m' } }, requests: { cpu: { string: '100m' } } },
                  volumeMounts: [
                    { name: 'config', mountPath: '/etc/web', readOnly: true },
                    { name: 'cache', mountPath: '/cache', subPath: 'web' },
                  ],
                  livenessProbe: {
                    handler: { httpGet: { path: '/healthz', port: { type: 1n, strVal: 'http' }, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] } },
                    initialDelaySeconds: 5,
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  readinessProbe: { handler: { tcpSocket: { port: { intVal: 80 } } }, timeoutSeconds: 2 },
                  startupProbe: { handler: { grpc: { port: 9090, service: 'health' } }, terminationGracePeriodSeconds: 30n },
                  lifecycle: { postStart: { exec: { command: ['/bin/warm'] } }, preStop: { sleep: { seconds: 5n } }, stopSignal: 'SIGTERM' },
                  terminationMessagePolicy: 'FallbackToLogsOnError',
                  imagePullPolicy: 'IfNotPresent',
                  securityContext: {
                    capabilities: { drop: ['ALL'] },
                    runAsNonRoot: true,
                    readOnlyRootFilesystem: true,
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                },
              ],
              volumes: [
                {
                  name: 'config',
                  volumeSource: { configMap: { localObjectReference: { name: 'cfg' }, items: [{ key: 'a', path: 'a.conf', mode: 0o600 }], defaultMode: 0o644 } },
                },
                { name: 'cache', volumeSource: { emptyDir: { medium: 'Memory', sizeLimit: { string: '64Mi' } } } },
                { name: 'secret', volumeSource: { secret: { secretName: 'sec', optional: true } } },
                { name: 'host', volumeSource: { hostPath: { path: '/var/log', type: 'Directory' } } },
                { name: 'data', volumeSource: { persistentVolumeClaim: { claimName: 'data', readOnly: true } } },
                {
                  name: 'token',
                  volumeSource: {
                    projected: {
                      sources: [
                        { serviceAccountToken: { audience: 'api', expirationSeconds: 3600n, path: 'token' } },
                        { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
                        { configMap: { localObjectReference: { name: 'ca' }, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                      ],
                    },
                  },
                },
                {
                  name: 'scratch',
                  volumeSource: {
                    ephemeral: {
                      volumeClaimTemplate: {
                        metadata: { labels: { t: 's' } },
                        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: { string: '1Gi' } } }, storageClassName: 'fast' },
                      },
                    },
                  },
                },
                { name: 'nfs', volumeSource: { nfs: { server: 'nfs.local', path: '/exports' } } },
                { name: 'oci', volumeSource: { image: { reference: 'registry.local/data:1', pullPolicy: 'IfNotPresent' } } },
              ],
              restartPolicy: 'Always',
              terminationGracePeriodSeconds: 45n,
              dnsPolicy: 'ClusterFirst',
              nodeSelector: { 'kubernetes.io/os': 'linux' },
              serviceAccountName: 'web',
              securityContext: {
                runAsUser: 1000n,
                runAsGroup: 3000n,
                supplementalGroups: [4000n, 5000n],
                fsGroup: 2000n,
                sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
              },
              imagePullSecrets: [{ name: 'regcred' }],
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/edge', operator: 'Exists' }] }],
                  },
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
                  ],
                },
                podAntiAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } },
                  ],
                },
              },
              schedulerName: 'default-scheduler',
              tolerations: [
                { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300n },
                { key: 'edge', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
              ],
              hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
              priorityClassName: 'high',
              dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }] },
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } }, minDomains: 2 },
              ],
            },
          },
        },
        status: {
          observedGeneration: 7n,
          replicas: 3,
          readyReplicas: 2,
          conditions: [
            {
              type: 'Available',
              status: 'True',
              lastUpdateTime: { seconds: T0 },
              lastTransitionTime: { seconds: T0 + 100n },
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            },
          ],
        },
      }),
    ).finish();

    expect(decode('apps/v1', 'Deployment', raw)).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: {
        name: 'web',
        namespace: 'prod',
        uid: '5f0c2b9e-0d5e-4a51-9d0a-2b8f4a3c1e77',
        resourceVersion: '42',
        generation: 7,
        creationTimestamp: '2023-11-14T22:13:20Z', // nanos are dropped, as the apiserver does
        labels: { app: 'web' },
        annotations: { 'deployment.kubernetes.io/revision': '3' },
        ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'App', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
        finalizers: ['example.com/cleanup'],
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'apps/v1',
            time: '2023-11-14T22:13:20Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          },
        ],
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }] },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [
              { name: 'config', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.conf', mode: 384 }], defaultMode: 420 } },
              { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              { name: 'secret', secret: { secretName: 'sec', optional: true } },
              { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
              { name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
              {
                name: 'token',
                projected: {
                  sources: [
                    { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
                    { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
                    { configMap: { name: 'ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  ],
                },
              },
              {
                name: 'scratch',
                ephemeral: {
                  volumeClaimTemplate: {
                    metadata: { labels: { t: 's' } },
                    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' },
                  },
                },
              },
              { name: 'nfs', nfs: { server: 'nfs.local', path: '/exports' } },
              { name: 'oci', image: { reference: 'registry.local/data:1', pullPolicy: 'IfNotPresent' } },
            ],
            initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' }],
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                command: ['nginx'],
                args: ['-g', 'daemon off;'],
                workingDir: '/srv',
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec', optional: true } }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
                  { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level', optional: true } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
                  { name: 'MEM', valueFrom: { resourceFieldRef: { containerName: 'web', resource: 'limits.memory', divisor: '1Mi' } } },
                ],
                resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } },
                volumeMounts: [
                  { name: 'config', readOnly: true, mountPath: '/etc/web' },
                  { name: 'cache', mountPath: '/cache', subPath: 'web' },
                ],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                readinessProbe: { tcpSocket: { port: 80 }, timeoutSeconds: 2 },
                startupProbe: { grpc: { port: 9090, service: 'health' }, terminationGracePeriodSeconds: 30 },
                lifecycle: { postStart: { exec: { command: ['/bin/warm'] } }, preStop: { sleep: { seconds: 5 } }, stopSignal: 'SIGTERM' },
                terminationMessagePolicy: 'FallbackToLogsOnError',
                imagePullPolicy: 'IfNotPresent',
                securityContext: {
                  capabilities: { drop: ['ALL'] },
                  runAsNonRoot: true,
                  readOnlyRootFilesystem: true,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 45,
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            serviceAccountName: 'web',
            securityContext: {
              runAsUser: 1000,
              runAsGroup: 3000,
              supplementalGroups: [4000, 5000],
              fsGroup: 2000,
              sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
            },
            imagePullSecrets: [{ name: 'regcred' }],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/edge', operator: 'Exists' }] }],
                },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }],
              },
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } },
                ],
              },
            },
            schedulerName: 'default-scheduler',
            tolerations: [
              { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
              { key: 'edge', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
            ],
            hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
            priorityClassName: 'high',
            dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }] },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } }, minDomains: 2 },
            ],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
        minReadySeconds: 10,
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 7,
        replicas: 3,
        readyReplicas: 2,
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastUpdateTime: '2023-11-14T22:13:20Z',
            lastTransitionTime: '2023-11-14T22:15:00Z',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          },
        ],
      },
    });
  });

  it('Service: a numeric and a named targetPort', () => {
    const raw = Service.encode(
      Service.fromPartial({
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          ports: [
            { name: 'http', protocol: 'TCP', port: 80, targetPort: { intVal: 8080 } },
            { name: 'https', protocol: 'TCP', port: 443, targetPort: { type: 1n, strVal: 'https' }, nodePort: 30443, appProtocol: 'kubernetes.io/h2c' },
          ],
          selector: { app: 'web' },
          clusterIP: '10.96.0.10',
          clusterIPs: ['10.96.0.10'],
          type: 'NodePort',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      }),
    ).finish();
    expect(decode('v1', 'Service', raw)).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'https', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c', port: 443, targetPort: 'https', nodePort: 30443 },
        ],
        selector: { app: 'web' },
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        type: 'NodePort',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
  });

  it('Namespace, ServiceAccount and Endpoints', () => {
    const ns = Namespace.encode(Namespace.fromPartial({ metadata: { name: 'team-a', creationTimestamp: {} }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } })).finish();
    expect(decode('v1', 'Namespace', ns)).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });

    const sa = ServiceAccount.encode(
      ServiceAccount.fromPartial({ metadata: { name: 'builder' }, secrets: [{ name: 'tok', namespace: 'default' }], imagePullSecrets: [{ name: 'regcred' }], automountServiceAccountToken: true }),
    ).finish();
    expect(decode('v1', 'ServiceAccount', sa)).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'builder' },
      secrets: [{ name: 'tok', namespace: 'default' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: true,
    });

    const ep = Endpoints.encode(
      Endpoints.fromPartial({
        metadata: { name: 'web' },
        subsets: [
          {
            addresses: [{ ip: '10.1.0.5', nodeName: 'edge-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'p1' } }],
            notReadyAddresses: [{ ip: '10.1.0.6' }],
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
        ],
      }),
    ).finish();
    expect(decode('v1', 'Endpoints', ep)).toEqual({
      kind: 'Endpoints',
      apiVersion: 'v1',
      metadata: { name: 'web' },
      subsets: [
        {
          addresses: [{ ip: '10.1.0.5', nodeName: 'edge-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'p1' } }],
          notReadyAddresses: [{ ip: '10.1.0.6' }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('Pod status: times, conditions, container states', () => {
    const raw = Pod.encode(
      Pod.fromPartial({
        metadata: { name: 'p', deletionTimestamp: { seconds: T0 + 100n }, deletionGracePeriodSeconds: 30n },
        spec: { nodeName: 'edge-1', containers: [{ name: 'c', image: 'busybox' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastProbeTime: {}, lastTransitionTime: { seconds: T0 } }],
          hostIP: '192.168.1.10',
          podIP: '10.1.0.5',
          podIPs: [{ ip: '10.1.0.5' }],
          startTime: { seconds: T0 },
          containerStatuses: [
            {
              name: 'c',
              state: { running: { startedAt: { seconds: T0 } } },
              lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: { seconds: T0 - 60n }, finishedAt: { seconds: T0 - 1n } } },
              ready: true,
              restartCount: 1,
              image: 'busybox:latest',
              imageID: 'docker.io/library/busybox@sha256:abc',
              containerID: 'containerd://123',
              started: true,
            },
          ],
          qosClass: 'BestEffort',
        },
      }),
    ).finish();
    expect(decode('v1', 'Pod', raw)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'p', deletionTimestamp: '2023-11-14T22:15:00Z', deletionGracePeriodSeconds: 30 },
      spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: 'edge-1' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2023-11-14T22:13:20Z' }],
        hostIP: '192.168.1.10',
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        startTime: '2023-11-14T22:13:20Z',
        containerStatuses: [
          {
            name: 'c',
            state: { running: { startedAt: '2023-11-14T22:13:20Z' } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2023-11-14T22:12:20Z', finishedAt: '2023-11-14T22:13:19Z' } },
            ready: true,
            restartCount: 1,
            image: 'busybox:latest',
            imageID: 'docker.io/library/busybox@sha256:abc',
            containerID: 'containerd://123',
            started: true,
          },
        ],
        qosClass: 'BestEffort',
      },
    });
  });

  it('Node: quantities, taints, the upper-case Port of daemonEndpoints', () => {
    const raw = Node.encode(
      Node.fromPartial({
        metadata: { name: 'edge-1', labels: { 'node-role.kubernetes.io/edge': '' } },
        spec: { podCIDR: '10.1.0.0/24', taints: [{ key: 'edge', value: 'true', effect: 'NoSchedule', timeAdded: { seconds: T0 } }] },
        status: {
          capacity: { cpu: { string: '4' }, memory: { string: '8Gi' }, pods: { string: '110' } },
          allocatable: { cpu: { string: '3800m' } },
          conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: { seconds: T0 }, lastTransitionTime: { seconds: T0 }, reason: 'KubeletReady' }],
          addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: { machineID: 'm', kubeletVersion: 'v1.33.0-kubeedge', architecture: 'arm64', operatingSystem: 'linux' },
          images: [{ names: ['busybox:latest'], sizeBytes: 2_000_000n }],
        },
      }),
    ).finish();
    expect(decode('v1', 'Node', raw)).toEqual({
      kind: 'Node',
      apiVersion: 'v1',
      metadata: { name: 'edge-1', labels: { 'node-role.kubernetes.io/edge': '' } },
      spec: { podCIDR: '10.1.0.0/24', taints: [{ key: 'edge', value: 'true', effect: 'NoSchedule', timeAdded: '2023-11-14T22:13:20Z' }] },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '3800m' },
        conditions: [
          { type: 'Ready', status: 'True', lastHeartbeatTime: '2023-11-14T22:13:20Z', lastTransitionTime: '2023-11-14T22:13:20Z', reason: 'KubeletReady' },
        ],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { machineID: 'm', kubeletVersion: 'v1.33.0-kubeedge', architecture: 'arm64', operatingSystem: 'linux' },
        images: [{ names: ['busybox:latest'], sizeBytes: 2000000 }],
      },
    });
  });

  it('Lease and events.k8s.io Event: MicroTime keeps microseconds', () => {
    const lease = Lease.encode(
      Lease.fromPartial({
        metadata: { name: 'edge-1', namespace: 'kube-node-lease' },
        spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40, renewTime: { seconds: T0, nanos: 123_456_789 }, acquireTime: { seconds: T0 } },
      }),
    ).finish();
    expect(decode('coordination.k8s.io/v1', 'Lease', lease)).toEqual({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'edge-1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40, acquireTime: '2023-11-14T22:13:20.000000Z', renewTime: '2023-11-14T22:13:20.123456Z' },
    });

    const event = EventsV1Event.encode(
      EventsV1Event.fromPartial({
        metadata: { name: 'web.17', namespace: 'default' },
        eventTime: { seconds: T0, nanos: 5_000 },
        series: { count: 2, lastObservedTime: { seconds: T0 + 100n } },
        reportingController: 'kubeedge.io/edged',
        reportingInstance: 'edge-1',
        action: 'Pulling',
        reason: 'Pulling',
        regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
        note: 'Pulling image',
        type: 'Normal',
        deprecatedSource: {},
        deprecatedFirstTimestamp: {},
        deprecatedLastTimestamp: {},
      }),
    ).finish();
    expect(decode('events.k8s.io/v1', 'Event', event)).toEqual({
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'web.17', namespace: 'default' },
      eventTime: '2023-11-14T22:13:20.000005Z',
      series: { count: 2, lastObservedTime: '2023-11-14T22:15:00.000000Z' },
      reportingController: 'kubeedge.io/edged',
      reportingInstance: 'edge-1',
      action: 'Pulling',
      reason: 'Pulling',
      regarding: { kind: 'Pod', namespace: 'default', name: 'web' },
      note: 'Pulling image',
      type: 'Normal',
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  it('Scale, and DeleteOptions under any group version', () => {
    const scale = Scale.encode(Scale.fromPartial({ metadata: { name: 'web' }, spec: { replicas: 5 }, status: { replicas: 3, selector: 'app=web' } })).finish();
    expect(decode('autoscaling/v1', 'Scale', scale)).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web' },
      spec: { replicas: 5 },
      status: { replicas: 3, selector: 'app=web' },
    });

    // gracePeriodSeconds is a *int64 set to 0: delete now. ts-proto would leave a zero out, so write it by hand.
    const options = new Wire()
      .varint(1, 0)
      .message(2, (p) => p.string(1, 'u-1'))
      .string(4, 'Foreground')
      .string(5, 'All')
      .finish();
    const body = protobufBody('apps/v1', 'DeleteOptions', options);
    expect(decodeKubernetesProtobuf(body, { apiVersion: 'apps/v1', kind: 'DeleteOptions' })).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'apps/v1',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u-1' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
    expect(decodeKubernetesProtobuf(body, { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' }).apiVersion).toBe('apps/v1');
  });
});

describe('zero values, as Go writes them', () => {
  it('keeps set pointers and fields without omitempty, drops omitempty zeros', () => {
    // What gogo writes for a pod with explicit zeros: every non-pointer scalar, and the pointers that are set.
    const raw = new Wire()
      .message(1, (m) => m.string(1, 'zero').string(2, '').bytes(8, new Uint8Array())) // creationTimestamp: the zero time
      .message(2, (s) =>
        s
          .message(2, (c) => c.string(1, '').string(2, '').message(6, (p) => p.string(1, '').varint(2, 0).varint(3, 0)).bool(16, false))
          .string(3, '')
          .bool(11, false) // hostNetwork: bool, omitempty
          .bool(21, false) // automountServiceAccountToken: *bool
          .message(14, (sc) => sc.varint(2, 0).bool(3, false)) // runAsUser: *int64 0 (root), runAsNonRoot: *bool false
          .message(22, (t) => t.string(1, 'k').string(2, '').varint(5, 0)) // tolerationSeconds: *int64 0
          .varint(25, 0), // priority: *int32
      )
      .finish();
    expect(decode('v1', 'Pod', raw)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'zero', creationTimestamp: null },
      spec: {
        containers: [{ name: '', ports: [{ containerPort: 0 }] }],
        automountServiceAccountToken: false,
        securityContext: { runAsUser: 0, runAsNonRoot: false },
        tolerations: [{ key: 'k', tolerationSeconds: 0 }],
        priority: 0,
      },
    });
  });

  it('reads packed and unpacked repeated scalars, and merges a message field sent twice', () => {
    const groups = new Uint8Array([0x01, 0x02, 0x80, 0x01]); // varints 1, 2, 128
    const raw = new Wire()
      .message(1, (m) => m.string(1, 'p'))
      .message(2, (s) => s.message(14, (sc) => sc.bytes(4, groups).varint(4, 7)))
      .message(2, (s) => s.string(10, 'edge-1')) // a second spec: merged into the first
      .finish();
    expect(decode('v1', 'Pod', raw)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'p' },
      spec: { nodeName: 'edge-1', securityContext: { supplementalGroups: [1, 2, 128, 7] } },
    });
  });

  it('keeps a map key named __proto__ as a key', () => {
    const raw = new Wire().message(1, (m) => m.string(1, 'cfg')).entry(2, '__proto__', 'x').finish();
    const json = decode('v1', 'ConfigMap', raw);
    expect(Object.keys(json.data as object)).toEqual(['__proto__']);
    expect(JSON.stringify(json.data)).toBe('{"__proto__":"x"}');
  });

  it('gives an empty Quantity as "0" and a map entry without value its zero', () => {
    const raw = new Wire()
      .message(1, (m) => m.string(1, 'p').message(11, (e) => e.string(1, 'no-value')))
      .message(2, (s) => s.message(2, (c) => c.string(1, 'c').message(8, (r) => r.message(1, (e) => e.string(1, 'cpu').bytes(2, new Uint8Array())))))
      .finish();
    expect(decode('v1', 'Pod', raw)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'p', labels: { 'no-value': '' } },
      spec: { containers: [{ name: 'c', resources: { limits: { cpu: '0' } } }] },
    });
  });
});

describe('bodies that cannot be decoded', () => {
  const configMap = ConfigMap.encode(ConfigMap.fromPartial({ metadata: { name: 'x' }, data: { a: '1' } })).finish();

  it('refuses a body without the magic bytes', () => {
    const error = decodeError(Buffer.from('{"kind":"ConfigMap","apiVersion":"v1"}'));
    expect(error).toMatchObject({ code: 'NotProtobuf', httpStatus: 400 });
    expect(decodeError(Buffer.alloc(0)).code).toBe('NotProtobuf');
  });

  it('refuses a truncated body, wherever it is cut', () => {
    const body = protobufBody('v1', 'ConfigMap', configMap);
    for (const cut of [1, 5, 10]) {
      const error = decodeError(body.subarray(0, body.length - cut));
      expect(error).toMatchObject({ code: 'Malformed', httpStatus: 400 });
    }
    // The envelope intact, the object inside cut short.
    expect(decodeError(protobufBody('v1', 'ConfigMap', configMap.subarray(0, configMap.length - 2))).message).toMatch(
      /truncated or corrupt protobuf in k8s\.io\.api\.core\.v1\.ConfigMap/,
    );
  });

  it('refuses another kind than the request takes', () => {
    const error = decodeError(protobufBody('v1', 'Secret', Secret.encode(Secret.fromPartial({ metadata: { name: 'x' } })).finish()));
    expect(error).toMatchObject({ code: 'KindMismatch', httpStatus: 400 });
    expect(error.message).toBe('the body holds v1, Kind=Secret, but this request takes v1, Kind=ConfigMap');
    const deployment = protobufBody('apps/v1', 'Deployment', new Uint8Array());
    expect(decodeError(deployment, { apiVersion: 'extensions/v1beta1', kind: 'Deployment' }).code).toBe('KindMismatch');
  });

  it('fills an empty typeMeta from the request, as the real server does', () => {
    const body = Buffer.concat([MAGIC, Buffer.from(new Wire().bytes(2, configMap).finish())]);
    expect(decodeKubernetesProtobuf(body, { apiVersion: 'v1', kind: 'ConfigMap' })).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { a: '1' } });
  });

  it('answers 415 for a kind without a protobuf schema', () => {
    const error = decodeError(protobufBody('batch/v1', 'Job', new Uint8Array()), { apiVersion: 'batch/v1', kind: 'Job' });
    expect(error).toMatchObject({ code: 'UnsupportedKind', httpStatus: 415 });
    expect(error.message).toMatch(/send the object as JSON/);
  });

  it('answers 415 for an unknown field number, naming the type and the number', () => {
    const withField99 = Buffer.concat([configMap, new Wire().string(99, 'from the future').finish()]);
    const error = decodeError(protobufBody('v1', 'ConfigMap', withField99));
    expect(error).toMatchObject({ code: 'UnknownField', httpStatus: 415, details: { typeName: 'k8s.io.api.core.v1.ConfigMap', fieldNumber: 99 } });
    expect(error.message).toMatch(/field number 99 of k8s\.io\.api\.core\.v1\.ConfigMap/);
    expect(error.message).toMatch(/kubectl apply -f -/);
    expect(error.message).toMatch(/application\/json/);

    // Deep inside: PodSpec field 41 (hostnameOverride, Kubernetes 1.34) in a deployment's template.
    const raw = new Wire()
      .message(1, (m) => m.string(1, 'web'))
      .message(2, (spec) => spec.message(3, (template) => template.message(2, (pod) => pod.string(41, 'host'))))
      .finish();
    const nested = decodeError(protobufBody('apps/v1', 'Deployment', raw), { apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(nested).toMatchObject({ code: 'UnknownField', details: { typeName: 'k8s.io.api.core.v1.PodSpec', fieldNumber: 41 } });
    expect(nested.message).toMatch(/\(at spec\.template\.spec\)/);
  });

  it('refuses a content encoding or an inner content type it does not read', () => {
    expect(decodeError(protobufBody('v1', 'ConfigMap', configMap, { contentEncoding: 'gzip' }))).toMatchObject({ code: 'UnsupportedEncoding', httpStatus: 415 });
    expect(decodeError(protobufBody('v1', 'ConfigMap', configMap, { contentType: 'application/json' })).code).toBe('UnsupportedEncoding');
    expect(decodeKubernetesProtobuf(protobufBody('v1', 'ConfigMap', configMap, { contentType: KUBERNETES_PROTOBUF }), { apiVersion: 'v1', kind: 'ConfigMap' }).kind).toBe('ConfigMap');
  });

  it('refuses wrong wire types and values JSON cannot hold', () => {
    expect(decodeError(protobufBody('v1', 'ConfigMap', new Wire().varint(2, 1).finish())).message).toMatch(
      /k8s\.io\.api\.core\.v1\.ConfigMap\.data \(field 2\) has wire type 0, expected 2/,
    );
    const huge = new Wire().message(1, (m) => m.varint(7, 2n ** 60n)).finish();
    expect(decodeError(protobufBody('v1', 'ConfigMap', huge)).message).toMatch(/ObjectMeta\.generation holds 1152921504606846976/);
    const badIntOrString = new Wire().message(2, (s) => s.message(1, (p) => p.varint(3, 80).message(4, (t) => t.varint(1, 2)))).finish();
    expect(decodeError(protobufBody('v1', 'Service', badIntOrString), { apiVersion: 'v1', kind: 'Service' }).message).toMatch(/IntOrString at spec\.ports\[0\]\.targetPort has type 2/);
    const badFields = new Wire().message(1, (m) => m.message(17, (f) => f.message(7, (v) => v.bytes(1, Buffer.from('{not json'))))).finish();
    expect(decodeError(protobufBody('v1', 'ConfigMap', badFields)).message).toMatch(/FieldsV1 at metadata\.managedFields\[0\]\.fieldsV1 does not hold JSON/);
  });
});

describe('helpers', () => {
  it('isProtobufContentType', () => {
    expect(isProtobufContentType('application/vnd.kubernetes.protobuf')).toBe(true);
    expect(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=binary')).toBe(true);
    expect(isProtobufContentType('application/json')).toBe(false);
    expect(isProtobufContentType('application/vnd.kubernetes.protobuf+json')).toBe(false);
    expect(isProtobufContentType(undefined)).toBe(false);
  });

  it('maps errors to the Status the server answers with', () => {
    const unknown = protobufErrorToStatus(new ProtobufDecodeError('UnknownField', 'm'));
    expect(unknown.toStatus()).toMatchObject({ code: 415, reason: 'UnsupportedMediaType', message: 'm' });
    expect(protobufErrorToStatus(new ProtobufDecodeError('Malformed', 'm')).toStatus()).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('lists the kinds it reads', () => {
    expect(protobufKinds()).toContainEqual({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(protobufKinds()).toContainEqual({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
  });

  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [1_200_000n, '1.2ms'],
    [1_000_000_000n, '1s'],
    [1_500_000_000n, '1.5s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_000_000_001n, '1h2m3.000000001s'],
    [-5_000_000_000n, '-5s'],
  ])('goDurationString(%p) = %p', (ns, text) => {
    expect(goDurationString(ns)).toBe(text);
  });
});
