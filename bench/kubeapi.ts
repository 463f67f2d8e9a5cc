/**
 * Embedded API server benchmark (issue #3). The server runs as a real `cloudcore` process with its embedded control
 * plane; this process is the client, over HTTPS with the admin client certificate, as kubectl would be. The measured
 * requests go through a lean kept-alive client (bench/lean-client.ts) so that the client's own cost stays small.
 *
 *   create   sequential POSTs of pods, one at a time                     goal >= 2,000 objects/s
 *   list     GET of all 10,000 pods (JSON, to the last byte)             goal < 150 ms
 *   watch    100 concurrent watchers, one update at a time; delivery     goal p99 < 20 ms
 *   memory   cloudcore RSS with 10,000 pods stored                       reported
 *
 * cloudcore runs with its edge-facing modules (cloudHub, edgeController, syncController) off: see startCloudcore.
 *
 * Environment: BENCH_CREATES (default 3000, after BENCH_WARMUP 2000 unmeasured), BENCH_PODS (10000), BENCH_WATCHERS
 * (100), BENCH_UPDATES (200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { LeanClient, type TlsIdentity } from './lean-client';
import { formatTable, quantile, resultLine } from './report';

const CREATES = Number(process.env.BENCH_CREATES ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 200);
const ROOT = resolve(__dirname, '..', '..');
/** cloudcore's modules that are on by default besides the controller manager. */
const EDGE_MODULES = ['cloudHub', 'edgeController', 'syncController'];

interface Client {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; text: string }>;
  stream(path: string, onLine: (line: string) => void): () => void;
}

function pod(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', tier: 'load' }, annotations: { 'bench/sent': '0' } },
    // Already bound to a node, so that the embedded scheduler does not add its own writes to what is measured.
    spec: {
      nodeName: 'bench-node',
      containers: [
        {
          name: 'app',
          image: 'localhost/busybox:1',
          command: ['sh', '-c', 'sleep 3600'],
          env: [{ name: 'MODE', value: 'bench' }],
          ports: [{ containerPort: 8080 }],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  };
}

function identityOf(kubeconfigPath: string): TlsIdentity {
  const config = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const server = new URL(config.clusters[0]!.cluster.server);
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  return {
    host: server.hostname,
    port: Number(server.port),
    ca: b64(config.clusters[0]!.cluster['certificate-authority-data']),
    cert: b64(config.users[0]!.user['client-certificate-data']),
    key: b64(config.users[0]!.user['client-key-data']),
  };
}

function clientFor(kubeconfigPath: string): Client {
  const tls = identityOf(kubeconfigPath);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  return {
    request: (method, path, body, contentType = 'application/json') =>
      new Promise((resolvePromise, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request(
          { ...tls, agent, method, path, headers: payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    stream: (path, onLine) => {
      const req = https.request({ ...tls, agent: false, method: 'GET', path }, (res) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            onLine(buffered.slice(0, newline));
            buffered = buffered.slice(newline + 1);
          }
        });
      });
      req.on('error', () => undefined);
      req.end();
      return () => req.destroy();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolvePort(port));
    });
  });
}

async function startCloudcore(dataDir: string): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const port = await freePort();
  const config = join(dataDir, 'cloudcore.yaml');
  // The API server and its controller manager, as cloudcore runs them; not the edge-facing modules, which listen on
  // the machine's fixed KubeEdge ports (a benchmark must not take them, nor fail when they are busy) and whose own
  // informers are their own cost, not the API server's.
  writeFileSync(
    config,
    `apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\nmonitorServer:\n  bindAddress: 127.0.0.1:${await freePort()}\n` +
      `modules:\n${EDGE_MODULES.map((name) => `  ${name}:\n    enable: false\n`).join('')}`,
  );
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/cloudcore/main.js'), '--config', config, '--data-dir', join(dataDir, 'cp'), '--apiserver-port', String(port), '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const kubeconfig = join(dataDir, 'cp', 'admin.kubeconfig');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cloudcore exited with status ${child.exitCode}`);
    try {
      const ready = await clientFor(kubeconfig).request('GET', '/readyz');
      if (ready.status === 200) return { child, kubeconfig };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('cloudcore did not come up within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function expectOk(p: Promise<{ status: number; text: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.text;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-kubeapi-'));
  const { child, kubeconfig } = await startCloudcore(dataDir);
  const api = clientFor(kubeconfig);
  const lean = new LeanClient(identityOf(kubeconfig));
  await lean.connect();
  const leanOk = async (method: string, path: string, body?: unknown, contentType?: string): Promise<string> => {
    const reply = await lean.request(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    if (reply.status >= 300) throw new Error(`${method} ${path}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
    return reply.body;
  };
  try {
    await expectOk(api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }), 'namespace');
    const rssIdle = rssMiB(child.pid!);

    // 1. Sequential creates, after a warm-up (not measured) so that the JIT has compiled the hot paths, as it has
    // on any server that has been up for a while.
    for (let i = 0; i < WARMUP; i++) await leanOk('POST', '/api/v1/namespaces/bench/pods', pod('bench', `w-${i}`));
    const createStart = process.hrtime.bigint();
    for (let i = 0; i < CREATES; i++) await leanOk('POST', '/api/v1/namespaces/bench/pods', pod('bench', `c-${i}`));
    const createSeconds = Number(process.hrtime.bigint() - createStart) / 1e9;
    const createRate = CREATES / createSeconds;

    // Fill up to PODS pods, 8 requests in flight (not measured).
    let next = CREATES;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < PODS - WARMUP) {
          const i = next++;
          await expectOk(api.request('POST', '/api/v1/namespaces/bench/pods', pod('bench', `c-${i}`)), 'fill');
        }
      }),
    );

    // 2. Lists of all pods.
    const listMs: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      const text = await leanOk('GET', '/api/v1/pods');
      listMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      listBytes = text.length;
      if (i === 0 && (JSON.parse(text) as { items: unknown[] }).items.length < PODS) throw new Error('list returned too few pods');
    }
    listMs.sort((a, b) => a - b);
    const rssFull = rssMiB(child.pid!);

    // 3. Watch fan-out: every watcher sees every update of one pod; latency from just before the PATCH is sent.
    const sentAt = new Map<string, bigint>();
    const delays: number[] = [];
    let opened = 0;
    const stops = Array.from({ length: WATCHERS }, () =>
      api.stream('/api/v1/namespaces/bench/pods?watch=1&fieldSelector=metadata.name%3Dc-0&resourceVersion=0', (line) => {
        const event = JSON.parse(line) as { type: string; object: { metadata: { annotations?: Record<string, string> } } };
        if (event.type === 'ADDED') opened++;
        const mark = event.object.metadata.annotations?.['bench/sent'];
        const at = mark ? sentAt.get(mark) : undefined;
        if (event.type === 'MODIFIED' && at !== undefined) delays.push(Number(process.hrtime.bigint() - at) / 1e6);
      }),
    );
    const waitUntil = Date.now() + 20_000;
    while (opened < WATCHERS && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    for (let i = 1; i <= UPDATES; i++) {
      sentAt.set(String(i), process.hrtime.bigint());
      const patch = { metadata: { annotations: { 'bench/sent': String(i) } } };
      await leanOk('PATCH', '/api/v1/namespaces/bench/pods/c-0', patch, 'application/merge-patch+json');
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 500));
    stops.forEach((stop) => stop());
    delays.sort((a, b) => a - b);

    const listP50 = quantile(listMs, 0.5);
    const listP99 = quantile(listMs, 0.99);
    const watchP50 = quantile(delays, 0.5);
    const watchP99 = quantile(delays, 0.99);
    const rows = [
      { figure: 'create, sequential (objects/s)', goal: '>= 2000', measured: Math.round(createRate), met: createRate >= 2000 ? 'yes' : 'NO' },
      { figure: `list ${PODS} pods, p50 (ms)`, goal: '< 150', measured: listP50, met: listP50 < 150 ? 'yes' : 'NO' },
      { figure: `list ${PODS} pods, p99 (ms)`, goal: '< 150', measured: listP99, met: listP99 < 150 ? 'yes' : 'NO' },
      { figure: `watch delivery to ${WATCHERS} watchers, p50 (ms)`, goal: '', measured: watchP50, met: '' },
      { figure: `watch delivery to ${WATCHERS} watchers, p99 (ms)`, goal: '< 20', measured: watchP99, met: watchP99 < 20 ? 'yes' : 'NO' },
      { figure: 'cloudcore RSS, idle (MiB)', goal: '', measured: rssIdle, met: '' },
      { figure: `cloudcore RSS, ${PODS} pods (MiB)`, goal: 'reported', measured: rssFull, met: '' },
    ];
    process.stdout.write(formatTable(`Embedded API server (list body ${(listBytes / 2 ** 20).toFixed(1)} MiB; ${delays.length} watch deliveries)`, rows) + '\n');
    console.log(
      resultLine({
        create_per_sec: Math.round(createRate),
        list_10k_p50_ms: listP50,
        list_10k_p99_ms: listP99,
        watch_p50_ms: watchP50,
        watch_p99_ms: watchP99,
        rss_idle_mib: Math.round(rssIdle),
        rss_10k_pods_mib: Math.round(rssFull),
      }),
    );
  } finally {
    lean.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
