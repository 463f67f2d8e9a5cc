/**
 * Driving the cluster from a system test: pkg/kube's client against a cloudcore's admin.kubeconfig, the objects an
 * edge node is sent (its Node, a pod bound to it, the configmaps and secrets the pod uses), and a stream of
 * configmap updates that keeps going through API errors (a cloudcore restart takes its API server down too).
 */
import { createClient, isNotFound, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../kube';

export const EDGE_NODE_LABEL = 'node-role.kubernetes.io/edge';
export const NAMESPACE = 'default';

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers: unknown[]; volumes?: unknown[] };
}

export function kubeClient(kubeconfig: string): Client {
  return createClient(loadKubeConfig({ kubeconfigPath: kubeconfig, qps: 1000, burst: 1000 }), { fieldManager: 'system-test' });
}

/** The edge's store key of a namespaced object: `<namespace>/<type>/<name>`. */
export function storeKey(type: 'pod' | 'configmap' | 'secret', name: string, namespace = NAMESPACE): string {
  return `${namespace}/${type}/${name}`;
}

export class Cluster {
  constructor(readonly client: Client) {}

  static of(kubeconfig: string): Cluster {
    return new Cluster(kubeClient(kubeconfig));
  }

  /** The Node edged would register, labelled as an edge node so that edgecontroller sends it its pods. */
  async createEdgeNode(name: string): Promise<void> {
    await this.client.resource(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { [EDGE_NODE_LABEL]: '' } } });
  }

  async node(name: string): Promise<KubeObject> {
    return this.client.resource(RESOURCES.nodes).get(name);
  }

  async createConfigMap(name: string, data: Record<string, string> = { seq: '0' }): Promise<KubeObject> {
    return this.client.resource(RESOURCES.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data } as KubeObject, { namespace: NAMESPACE });
  }

  async createSecret(name: string): Promise<KubeObject> {
    return this.client
      .resource(RESOURCES.secrets)
      .create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE }, data: { password: Buffer.from('s3cret').toString('base64') } } as KubeObject, { namespace: NAMESPACE });
  }

  /** A pod bound to `node` that uses every configmap (env) and secret (volume) named. */
  async createPod(name: string, node: string, uses: { configMaps: string[]; secrets: string[] }): Promise<KubeObject> {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NAMESPACE },
      spec: {
        nodeName: node,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            envFrom: uses.configMaps.map((configMap) => ({ configMapRef: { name: configMap } })),
            volumeMounts: uses.secrets.map((secret) => ({ name: secret, mountPath: `/secrets/${secret}` })),
          },
        ],
        volumes: uses.secrets.map((secret) => ({ name: secret, secret: { secretName: secret } })),
      },
    };
    return this.client.resource<Pod>(RESOURCES.pods).create(pod, { namespace: NAMESPACE });
  }

  /** One update of a configmap; returns its new resourceVersion. */
  async updateConfigMap(name: string, seq: number): Promise<string> {
    const updated = await this.client.resource(RESOURCES.configMaps).patch(name, { data: { seq: String(seq) } }, { namespace: NAMESPACE, type: 'merge' });
    return updated.metadata!.resourceVersion!;
  }

  /** resourceVersion of a namespaced object now, or undefined when it does not exist. */
  async resourceVersion(kind: 'pods' | 'configMaps' | 'secrets', name: string): Promise<string | undefined> {
    try {
      return (await this.client.resource(RESOURCES[kind]).get(name, { namespace: NAMESPACE })).metadata?.resourceVersion;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes at once (grace period 0: no kubelet here would ever confirm a pod's graceful end). */
  async delete(kind: 'pods' | 'configMaps' | 'secrets', name: string): Promise<void> {
    await this.client.resource(RESOURCES[kind]).delete(name, { namespace: NAMESPACE, gracePeriodSeconds: 0 });
  }

  /** The ObjectSync records of a node: object name -> delivered resourceVersion. */
  async objectSyncs(node: string): Promise<Map<string, { kind: string; delivered: string | undefined }>> {
    const list = await this.client
      .resource<KubeObject & { spec?: { objectKind?: string; objectName?: string }; status?: { objectResourceVersion?: string } }>({
        apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
        plural: 'objectsyncs',
        kind: 'ObjectSync',
      })
      .list({ namespace: NAMESPACE });
    const records = new Map<string, { kind: string; delivered: string | undefined }>();
    for (const item of list.items) {
      if (!item.metadata?.name?.startsWith(`${node}.`)) continue;
      records.set(`${item.spec?.objectKind}/${item.spec?.objectName}`, { kind: item.spec?.objectKind ?? '', delivered: item.status?.objectResourceVersion });
    }
    return records;
  }
}

/** Streams not stopped yet: a test that fails midway leaves its stream to stopStreams() (SystemTest.dispose). */
const streams = new Set<UpdateStream>();

export async function stopStreams(): Promise<void> {
  await Promise.all([...streams].map((stream) => stream.stop()));
}

/**
 * Updates configmaps in turn (one request at a time) until stopped, as a stream of changes for the edge. Failed
 * requests (API server down) are counted and retried after `retryMs`; `newest` holds the last version each update
 * call returned.
 */
export class UpdateStream {
  readonly newest = new Map<string, string>();
  updates = 0;
  failures = 0;
  private seq = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly cluster: Cluster,
    private readonly names: readonly string[],
    private readonly options: { pauseMs?: number; retryMs?: number } = {},
  ) {
    this.done = this.loop();
    streams.add(this);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const name = this.names[this.seq % this.names.length]!;
      try {
        const version = await this.cluster.updateConfigMap(name, ++this.seq);
        this.newest.set(name, version);
        this.updates++;
        if (this.options.pauseMs) await sleep(this.options.pauseMs);
      } catch {
        this.failures++;
        await sleep(this.options.retryMs ?? 200);
      }
    }
  }

  /** Ends the stream after the request in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    streams.delete(this);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; throws naming `what` (and `detail()` when given) after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, detail?: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let error: unknown;
    try {
      if (await check()) return;
    } catch (caught) {
      error = caught;
    }
    if (Date.now() > deadline) {
      const more = detail ? `\n${await detail()}` : '';
      throw new Error(`${what}: not within ${timeoutMs} ms${error ? ` (last error: ${String(error)})` : ''}${more}`);
    }
    await sleep(100);
  }
}

/** What the store still lacks: configmaps not at their newest version, deleted objects still there. */
export async function storeLag(
  store: { versions(): Promise<Map<string, string>> },
  cluster: Cluster,
  expected: { configMaps: readonly string[]; deleted?: readonly string[] },
): Promise<string[]> {
  const stored = await store.versions();
  const lag: string[] = [];
  for (const name of expected.configMaps) {
    const key = storeKey('configmap', name);
    const newest = await cluster.resourceVersion('configMaps', name);
    if (stored.get(key) !== newest) lag.push(`${key}: stored ${stored.get(key) ?? 'nothing'}, newest ${newest}`);
  }
  for (const key of expected.deleted ?? []) if (stored.has(key)) lag.push(`${key}: deleted in the cluster, still stored at ${stored.get(key)}`);
  return lag;
}

/** Waits until the store has the newest version of every configmap named and none of the deleted keys. */
export async function waitForStore(
  store: { versions(): Promise<Map<string, string>> },
  cluster: Cluster,
  expected: { configMaps: readonly string[]; deleted?: readonly string[] },
  timeoutMs: number,
  context: () => string = () => '',
): Promise<void> {
  let lag: string[] = [];
  await waitFor(
    async () => (lag = await storeLag(store, cluster, expected)).length === 0,
    timeoutMs,
    'the edge store holding the newest version of every object',
    () => [context(), ...lag].filter((line) => line !== '').join('\n'),
  );
}
