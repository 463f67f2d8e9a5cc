import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorPod, parseManifest, pullPolicy, StaticPodSource, type ManifestProblem, type StaticPodEvent } from '.';

const NGINX = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  containers:
    - name: web
      image: busybox:1.35
      ports: [{ containerPort: 80 }]
`;

describe('parseManifest', () => {
  it('makes a static pod: node-suffixed name, defaults, hash uid and kubelet annotations', () => {
    const { pods, problems } = parseManifest('/m/web.yaml', NGINX, 'Edge-1');
    expect(problems).toEqual([]);
    const [pod] = pods;
    expect(pod?.metadata).toMatchObject({ name: 'web-edge-1', namespace: 'default', labels: { app: 'web' } });
    expect(pod?.metadata.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(pod?.metadata.annotations).toEqual({ 'kubernetes.io/config.hash': pod?.metadata.uid, 'kubernetes.io/config.source': 'file' });
    expect(pod?.spec).toMatchObject({ nodeName: 'Edge-1', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst' });
    expect(pod?.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] });
  });

  it('derives the uid from content, node and file only', () => {
    const uid = (text: string, node = 'n', file = '/m/a.yaml'): string | undefined => parseManifest(file, text, node).pods[0]?.metadata.uid;
    expect(uid(NGINX)).toBe(uid(NGINX));
    // Key order and formatting do not matter; content, node and file do.
    expect(uid(JSON.stringify({ spec: { containers: [{ image: 'busybox:1.35', name: 'web', ports: [{ containerPort: 80 }] }] }, metadata: { labels: { app: 'web' }, name: 'web' }, kind: 'Pod', apiVersion: 'v1' }))).toBe(uid(NGINX));
    expect(uid(NGINX.replace('1.35', '1.36'))).not.toBe(uid(NGINX));
    expect(uid(NGINX, 'other')).not.toBe(uid(NGINX));
    expect(uid(NGINX, 'n', '/m/b.yaml')).not.toBe(uid(NGINX));
  });

  it('reads several documents, skipping bad ones with file, document, field and fix', () => {
    const text = `${NGINX}---\napiVersion: v1\nkind: Pod\nmetadata: { name: noimage }\nspec:\n  containers: [{ name: c }]\n---\nkind: Deployment\napiVersion: apps/v1\n---\n`;
    const { pods, problems } = parseManifest('/m/all.yaml', text, 'n');
    expect(pods.map((p) => p.metadata.name)).toEqual(['web-n']);
    expect(problems.map((p) => p.message)).toEqual([
      '/m/all.yaml: document 2: spec.containers[0].image: Required value; set the image to run',
      '/m/all.yaml: document 3: kind: Unsupported value: "Deployment"; static pod manifests hold kind: Pod (use a DaemonSet for other workloads)',
    ]);
    expect(parseManifest('/m/x.yaml', 'a: [', 'n').problems[0]?.message).toMatch(/^\/m\/x\.yaml: document 1: not valid YAML or JSON: /);
  });

  it('knows kubelet pull policy defaults', () => {
    expect(['busybox', 'busybox:latest', 'reg:5000/busybox', 'busybox:1.35', 'reg:5000/b:1', 'b@sha256:00'].map(pullPolicy)).toEqual([
      'Always',
      'Always',
      'Always',
      'IfNotPresent',
      'IfNotPresent',
      'IfNotPresent',
    ]);
  });

  it('mirrors a static pod with the config.mirror annotation and no uid', () => {
    const [pod] = parseManifest('/m/web.yaml', NGINX, 'n').pods;
    const mirror = mirrorPod(pod!);
    expect(mirror.metadata.uid).toBeUndefined();
    expect(mirror.metadata.annotations?.['kubernetes.io/config.mirror']).toBe(pod!.metadata.uid);
  });
});

describe('StaticPodSource', () => {
  let dir: string;
  let events: StaticPodEvent[][];
  let problems: ManifestProblem[];
  let source: StaticPodSource;

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'edged-static-'));
    events = [];
    problems = [];
    source = new StaticPodSource({ dir, nodeName: 'n', onEvents: (e) => void events.push(e), onProblem: (p) => void problems.push(p) });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const summary = (batch: StaticPodEvent[] | undefined): string[] => (batch ?? []).map((e) => `${e.type} ${e.pod.metadata.name}`);

  it('emits add, then remove + add on edit, then remove when the file goes', async () => {
    await fs.writeFile(join(dir, 'web.yaml'), NGINX);
    await fs.writeFile(join(dir, '.web.yaml.swp'), 'garbage');
    await fs.writeFile(join(dir, 'notes.txt'), 'not a manifest');
    await source.scan();
    expect(summary(events[0])).toEqual(['add web-n']);
    const firstUid = events[0]?.[0]?.pod.metadata.uid;

    await source.scan();
    expect(events).toHaveLength(1); // nothing changed, nothing emitted

    await fs.writeFile(join(dir, 'web.yaml'), NGINX.replace('1.35', '1.36'));
    await source.scan();
    expect(summary(events[1])).toEqual(['remove web-n', 'add web-n']);
    expect(events[1]?.[0]?.pod.metadata.uid).toBe(firstUid);
    expect(events[1]?.[1]?.pod.metadata.uid).not.toBe(firstUid);

    await fs.rm(join(dir, 'web.yaml'));
    await source.scan();
    expect(summary(events[2])).toEqual(['remove web-n']);
    expect(source.pods()).toEqual([]);
  });

  it('updates a pod whose manifest pins its uid', async () => {
    const pinned = NGINX.replace('  name: web\n', '  name: web\n  uid: fixed-uid\n');
    await fs.writeFile(join(dir, 'web.yml'), pinned);
    await source.scan();
    await fs.writeFile(join(dir, 'web.yml'), pinned.replace('1.35', '1.36'));
    await source.scan();
    expect(summary(events[1])).toEqual(['update web-n']);
  });

  it('reports a bad manifest once per content, skips duplicates, and treats a missing folder as empty', async () => {
    await fs.writeFile(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } }));
    await fs.writeFile(join(dir, 'b.yaml'), NGINX.replace('name: web\n  labels', 'name: x\n  labels'));
    await fs.writeFile(join(dir, 'bad.yaml'), 'kind: Pod\n');
    await source.scan();
    await source.scan();
    expect(summary(events[0])).toEqual(['add x-n']);
    expect(problems.map((p) => p.message)).toEqual([
      `${join(dir, 'b.yaml')}: metadata.name: Duplicate value: pod default/x-n is already defined by another manifest; rename one of them`,
      `${join(dir, 'bad.yaml')}: document 1: apiVersion: Required value; add apiVersion: v1`,
    ]);

    const gone = new StaticPodSource({ dir: join(dir, 'absent'), nodeName: 'n', onEvents: () => undefined, onProblem: (p) => void problems.push(p) });
    expect(await gone.scan()).toEqual([]);
  });

  it('polls until stopped', async () => {
    const polling = new StaticPodSource({ dir, nodeName: 'n', pollMs: 20, onEvents: (e) => void events.push(e), onProblem: () => undefined });
    const controller = new AbortController();
    const running = polling.start(controller.signal);
    await fs.writeFile(join(dir, 'web.yaml'), NGINX);
    const deadline = Date.now() + 2000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(summary(events[0])).toEqual(['add web-n']);
    controller.abort();
    await running;
  });
});
