#!/usr/bin/env node
/**
 * `make quickstart`: brings up what exists so far and shows it working, all on loopback with every file under
 * .tmp/quickstart: cloudcore with its embedded Kubernetes-compatible control plane; kubectl against it; an edge node
 * joining with the token `keadm gettoken` prints (edgecore fetches the CA, checks it against the token, gets its
 * certificate and opens the tunnel); a pod bound to that node, with its configmap, arriving in the edge's SQLite store.
 * It prints what it saw and stops both processes by PID. Node registration and running the pod's containers come with
 * edged (issue #5), so the quickstart creates the Node object itself; issue #8 turns this into keadm init + join.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const WORK = join(ROOT, '.tmp', 'quickstart');
const CLOUD = join(WORK, 'cloudcore');
const EDGE = join(WORK, 'edgecore');
const KUBECONFIG = join(CLOUD, 'admin.kubeconfig');
const NODE = 'quickstart-edge';

const entry = (program: string): string => join(ROOT, 'dist', program === 'keadm' ? 'pkg/keadm' : program, 'main.js');
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const CLOUDCORE_YAML = `apiVersion: cloudcore.config.kubeedge.io/v1alpha1
kind: CloudCore
embeddedAPIServer: {dataDir: ${CLOUD}}
modules:
  cloudHub:
    tunnel: {address: 127.0.0.1, port: 10000}
    https: {address: 127.0.0.1, port: 10002}
    tlsCAFile: ${CLOUD}/tls/rootCA.crt
    tlsCAKeyFile: ${CLOUD}/tls/rootCA.key
    tlsCertFile: ${CLOUD}/tls/server.crt
    tlsPrivateKeyFile: ${CLOUD}/tls/server.key
`;

const edgecoreYaml = (token: string): string => `apiVersion: edgecore.config.kubeedge.io/v1alpha2
kind: EdgeCore
database: {dataSource: ${EDGE}/edgecore.db}
modules:
  edged: {hostnameOverride: ${NODE}}
  edgeHub:
    servers: [127.0.0.1:10000]
    httpServer: https://127.0.0.1:10002
    token: ${token}
    tlsCaFile: ${EDGE}/ca/rootCA.crt
    tlsCertFile: ${EDGE}/certs/server.crt
    tlsPrivateKeyFile: ${EDGE}/certs/server.key
`;

/** The edge node, as edged will register it (issue #5), and a pod bound to it that uses a configmap. */
const EDGE_OBJECTS = `apiVersion: v1
kind: Node
metadata: {name: ${NODE}, labels: {node-role.kubernetes.io/edge: ""}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: hello-config, namespace: default}
data: {greeting: hello from the cloud}
---
apiVersion: v1
kind: Pod
metadata: {name: hello, namespace: default}
spec:
  nodeName: ${NODE}
  containers:
  - name: hello
    image: localhost/busybox:1
    command: [sh, -c, 'cat /config/greeting; sleep 3600']
    volumeMounts: [{name: config, mountPath: /config}]
  volumes: [{name: config, configMap: {name: hello-config}}]
`;

/** Runs a command, echoing it; `input` is fed on standard input. Returns standard output. */
function run(command: string, args: string[], input?: string): string {
  say(`$ ${command === process.execPath ? 'node' : command} ${args.map((a) => a.replace(ROOT + '/', '')).join(' ')}`);
  const r = spawnSync(command, args, { env: { ...process.env, KUBECONFIG }, encoding: 'utf8', ...(input ? { input } : {}) });
  if (r.error) throw new Error(`${command} could not run (${r.error.message})`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const kubectl = (...args: string[]): void => void process.stdout.write(run('kubectl', args));
const kubectlApply = (manifest: string): void => void process.stdout.write(run('kubectl', ['apply', '-f', '-'], manifest));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, child: ChildProcess, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with status ${child.exitCode} while waiting for ${what}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metric(monitor: string, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${monitor}/metrics`)).text();
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}

function start(name: string, config: string, monitor: string, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, [entry(name), '--config', config, '--log-level', 'warn'], { stdio: 'inherit' });
  children.push(child);
  say(`[${name}] started, pid ${child.pid}, metrics and health on ${monitor}`);
  return child;
}

async function main(): Promise<number> {
  rmSync(EDGE, { recursive: true, force: true });
  mkdirSync(CLOUD, { recursive: true });
  mkdirSync(EDGE, { recursive: true });
  const children: ChildProcess[] = [];
  const stopAll = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
  process.once('SIGINT', stopAll);
  try {
    // 1. The cloud.
    writeFileSync(join(WORK, 'cloudcore.yaml'), CLOUDCORE_YAML);
    const cloud = start('cloudcore', join(WORK, 'cloudcore.yaml'), 'http://127.0.0.1:9091', children);
    await waitFor('cloudcore healthy', async () => ((await fetch('http://127.0.0.1:9091/healthz')).ok ? true : undefined), cloud, 60_000);
    say('[cloudcore] healthy: embedded API server, controllers, cloudHub on 127.0.0.1:10000, bootstrap HTTPS on :10002');
    say('');
    kubectl('get', 'namespaces');

    // 2. The join token, as an operator gets it.
    const token = await waitFor('join token', async () => run(process.execPath, [entry('keadm'), 'gettoken', '--kube-config', KUBECONFIG]).trim() || undefined, cloud, 30_000);
    say(`token: ${token.slice(0, 24)}... (sha256 of the CA, then a signed expiry)`);
    say('');

    // 3. Desired state for the edge node.
    kubectlApply(EDGE_OBJECTS);

    // 4. The edge joins with nothing but the token and cloudcore's addresses.
    writeFileSync(join(WORK, 'edgecore.yaml'), edgecoreYaml(token));
    const edge = start('edgecore', join(WORK, 'edgecore.yaml'), 'http://127.0.0.1:9092', children);
    const connected = /edgehub_connection_state\{[^}]*state="connected"[^}]*\} (1)/;
    await waitFor('edge connected', () => metric('http://127.0.0.1:9092', connected), edge, 30_000);
    say(`[edgecore] joined: certificate for system:node:${NODE} in ${EDGE}/certs, tunnel up`);
    const applied = await waitFor(
      'objects stored at the edge',
      async () => {
        const count = await metric('http://127.0.0.1:9092', /metamanager_changes_applied_total(?:\{[^}]*\})? (\d+)/);
        return count !== undefined && count >= 2 ? count : undefined;
      },
      edge,
      30_000,
    );
    say(`[edgecore] ${applied} objects stored in ${EDGE}/edgecore.db (acknowledged after commit)`);
    say('');
    kubectl('get', 'node', NODE, '-o', "jsonpath={.metadata.name} held by cloudcore {.metadata.annotations.cloudcore}{'\\n'}");
    kubectl('get', 'objectsyncs', '-n', 'default');
    say('');
    say('The pod is on the edge node, stored for offline use; running its containers comes with edged (issue #5).');
    return 0;
  } catch (error) {
    say(`quickstart failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    stopAll();
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    say(`stopped ${children.map((c) => c.pid).join(' and ')}; data stays in ${WORK}`);
  }
}

void main().then((code) => (process.exitCode = code));
