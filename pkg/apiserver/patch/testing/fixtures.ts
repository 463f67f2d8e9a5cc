/** Test objects shaped like what kube-apiserver stores after defaulting. Test-only: excluded from the build. */
import { WORKLOAD } from '../schema/registry';

export const DEPLOYMENT_SCHEMA = WORKLOAD;

/** A live apps/v1 Deployment with two containers, a volume and the defaults the server adds. A fresh copy each call. */
export function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: '6f1c2a9e-0000-4000-8000-000000000001',
      resourceVersion: '1042',
      generation: 3,
      labels: { app: 'web' } as Record<string, string>,
      annotations: {
        'deployment.kubernetes.io/revision': '3',
        'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}',
      } as Record<string, string>,
      finalizers: undefined as string[] | undefined,
    },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } } as Record<string, unknown>,
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }] as Record<string, unknown>[],
              env: [
                { name: 'MODE', value: 'prod' },
                { name: 'DEBUG', value: '1' },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
            {
              name: 'sidecar',
              image: 'busybox:1.36',
              args: ['sleep', 'infinity'],
              imagePullPolicy: 'IfNotPresent',
              env: [] as { name: string; value: string }[],
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }] as Record<string, unknown>[],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
          securityContext: {},
        },
      },
    },
    status: {
      observedGeneration: 3,
      replicas: 2,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}
