/** Test and benchmark helpers: temp store files, a recording log, realistic ~2 KB pods. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageLog, StoreOptions } from '../options';
import { openStore } from '../store';
import type { KubeObject } from '../stored-object';
import type { Store, WatchEvent, Watcher } from '../types';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string | undefined;
}

/** A log double that keeps what it is given. */
export function recordingLog(): StorageLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (fields: object, message?: string): void =>
      void lines.push({ level, fields, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A fresh temp folder; `cleanup` removes it. */
export function tempDir(prefix = 'storage-test-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name = 'store.db') => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A store as tests want it: frozen objects (mutation bugs throw), no compaction timer. */
export function openTestStore(file: string, options: Partial<StoreOptions> = {}): Promise<Store> {
  return openStore({
    file,
    log: recordingLog(),
    freezeObjects: true,
    ...options,
    eventRetention: { compactIntervalMs: 0, ...options.eventRetention },
  });
}

/** The next `count` events of `watcher` (batches flattened); fails after `timeoutMs`. */
export async function take(watcher: Watcher, count: number, timeoutMs = 2000): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const iterator = watcher[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`got ${events.length} of ${count} events in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    while (events.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`watch ended after ${events.length} of ${count} events`);
      events.push(...next.value);
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}

/** Type, key and revision of each event: what most assertions compare. */
export const brief = (events: readonly WatchEvent[]): string[] =>
  events.map((e) => `${e.type} ${e.object.key} ${e.revision}`);

export function configMap(namespace: string, name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** A pod shaped like what a Deployment creates, about 2 KB of JSON. */
export function pod(namespace: string, name: string, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `6f1c2a52-3b7e-4d7c-9a51-${name.padStart(12, '0').slice(-12)}`,
      creationTimestamp: '2026-01-15T10:20:30Z',
      generateName: 'web-7d9c6b8f5-',
      labels: { ...labels, 'pod-template-hash': '7d9c6b8f5' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-15T10:20:00Z', 'prometheus.io/scrape': 'true' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9c6b8f5', uid: 'a3e0c9f2-5d41-4b7a-8e63-0c9d2b1f4e57', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      nodeName: 'edge-node-1',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web-frontend:1.27.3',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          ],
          resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1 },
          volumeMounts: [{ name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '192.168.10.21',
      podIP: '10.244.1.17',
      startTime: '2026-01-15T10:20:31Z',
      qosClass: 'Burstable',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-01-15T10:20:31Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-15T10:20:40Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-01-15T10:20:40Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-15T10:20:30Z' },
      ],
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: 0,
          started: true,
          image: 'registry.example.com/team/web-frontend:1.27.3',
          imageID: 'registry.example.com/team/web-frontend@sha256:5b0f2c1e9a7d4c3b8e6f1a2d0c9b8a7e6f5d4c3b2a1908f7e6d5c4b3a2918070',
          containerID: 'containerd://8c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d',
          state: { running: { startedAt: '2026-01-15T10:20:35Z' } },
        },
      ],
    },
  };
}
