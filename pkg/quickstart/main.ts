#!/usr/bin/env node
/**
 * `make quickstart`: brings up what exists so far and shows it working, all on loopback with every file under
 * .tmp/quickstart: a private containerd with locally built images (installed from Debian's packages when missing and
 * run as root); cloudcore with its embedded Kubernetes-compatible control plane; kubectl against it; an edge node
 * joining with the token `keadm gettoken` prints (edgecore fetches the CA, checks it against the token, gets its
 * certificate and opens the tunnel); edged registering the Node and running a Deployment's pods in real containers,
 * with a configmap mounted; then a device: the virtual-device mapper registers with edgecore over DMI, a DeviceModel
 * and Device applied with kubectl reach it, its values land in DeviceStatus, a desired value set with kubectl patch is
 * written to the device, and an MQTT app reads the twin exactly as with KubeEdge. It prints what it saw and stops every
 * process by PID. Issue #8 turns this into keadm init + join.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import { checkContainerdInstalled, ensureTestImages, startContainerd, type RunningContainerd } from '../containerd';

const ROOT = resolve(__dirname, '..', '..', '..');
const WORK = join(ROOT, '.tmp', 'quickstart');
const CLOUD = join(WORK, 'cloudcore');
const EDGE = join(WORK, 'edgecore');
const KUBECONFIG = join(CLOUD, 'admin.kubeconfig');
const CONTAINERD = join(WORK, 'containerd');
const NODE = 'quickstart-edge';

const DMI = join(EDGE, 'dmi');
/** eventBus's default: the embedded broker. */
const MQTT = 'mqtt://127.0.0.1:1884';

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

const edgecoreYaml = (token: string, runtime: string): string => `apiVersion: edgecore.config.kubeedge.io/v1alpha2
kind: EdgeCore
database: {dataSource: ${EDGE}/edgecore.db}
modules:
  edged:
    hostnameOverride: ${NODE}
    containerRuntimeEndpoint: ${runtime}
    rootDirectory: ${EDGE}/kubelet
    podLogsDirectory: ${EDGE}/pod-logs
    staticPodPath: ${EDGE}/manifests
  edgeHub:
    servers: [127.0.0.1:10000]
    httpServer: https://127.0.0.1:10002
    token: ${token}
    tlsCaFile: ${EDGE}/ca/rootCA.crt
    tlsCertFile: ${EDGE}/certs/server.crt
    tlsPrivateKeyFile: ${EDGE}/certs/server.key
  deviceTwin:
    dmiSockPath: ${DMI}
`;

const VIRTUAL_MAPPER_YAML = `grpc_server:
  socket_path: ${DMI}/virtual.sock
common:
  name: virtual-mapper
  version: v1.0.0
  api_version: v1.0.0
  protocol: virtual
  address: 127.0.0.1
  edgecore_sock: ${DMI}/dmi.sock
  http_port: 7777
`;

/** A Deployment for the edge node, reading a configmap through a volume. edged labels its node as an edge node. */
const APP = `apiVersion: v1
kind: ConfigMap
metadata: {name: hello-config, namespace: default}
data: {greeting: hello from the cloud}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      nodeSelector: {node-role.kubernetes.io/edge: ""}
      containers:
      - name: hello
        image: busybox:1.35
        command: [sh, -c, 'cat /config/greeting; echo; exec sleep 3600']
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
const kubectlQuiet = (...args: string[]): string =>
  spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG }, encoding: 'utf8' }).stdout ?? '';
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
  say(`[${name}] started, pid ${child.pid}, ${monitor}`);
  return child;
}

/** containerd from Debian's packages (installed when missing, as root), private to the quickstart, with test images. */
async function startRuntime(): Promise<RunningContainerd> {
  try {
    checkContainerdInstalled();
  } catch (error) {
    if (process.getuid?.() !== 0) throw error;
    say('[containerd] not installed; installing containerd, runc, CNI plugins and busybox-static with apt-get');
    run(join(ROOT, 'pkg/containerd/install.sh'), []);
  }
  const runtime = await startContainerd({ dir: CONTAINERD });
  say(`[containerd] started, pid ${runtime.pid}, CRI on ${runtime.endpoint}`);
  await ensureTestImages(runtime.endpoint);
  say('[containerd] images built locally (no registry): docker.io/kubeedge/pause:3.6, docker.io/library/busybox:1.35');
  return runtime;
}

async function main(): Promise<number> {
  // A fresh cluster and edge at every run, so running it twice shows the same thing.
  rmSync(CLOUD, { recursive: true, force: true });
  rmSync(EDGE, { recursive: true, force: true });
  mkdirSync(CLOUD, { recursive: true });
  mkdirSync(EDGE, { recursive: true });
  const children: ChildProcess[] = [];
  let runtime: RunningContainerd | undefined;
  const stopAll = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
  process.once('SIGINT', stopAll);
  try {
    // 0. The container runtime of the edge host.
    runtime = await startRuntime();
    say('');

    // 1. The cloud.
    writeFileSync(join(WORK, 'cloudcore.yaml'), CLOUDCORE_YAML);
    const cloud = start('cloudcore', join(WORK, 'cloudcore.yaml'), 'metrics and health on http://127.0.0.1:9091', children);
    await waitFor('cloudcore healthy', async () => ((await fetch('http://127.0.0.1:9091/healthz')).ok ? true : undefined), cloud, 60_000);
    say('[cloudcore] healthy: embedded API server, controllers, cloudHub on 127.0.0.1:10000, bootstrap HTTPS on :10002');
    say('');
    kubectl('get', 'namespaces');

    // 2. The join token, as an operator gets it.
    const token = await waitFor('join token', async () => run(process.execPath, [entry('keadm'), 'gettoken', '--kube-config', KUBECONFIG]).trim() || undefined, cloud, 30_000);
    say(`token: ${token.slice(0, 24)}... (sha256 of the CA, then a signed expiry)`);
    say('');

    // 3. The edge joins with nothing but the token and cloudcore's addresses; edged registers the node.
    writeFileSync(join(WORK, 'edgecore.yaml'), edgecoreYaml(token, runtime.endpoint));
    const edge = start('edgecore', join(WORK, 'edgecore.yaml'), 'metrics and health on http://127.0.0.1:9092', children);
    const connected = /edgehub_connection_state\{[^}]*state="connected"[^}]*\} (1)/;
    await waitFor('edge connected', () => metric('http://127.0.0.1:9092', connected), edge, 30_000);
    say(`[edgecore] joined: certificate for system:node:${NODE} in ${EDGE}/certs, tunnel up`);
    const ready = "{.status.conditions[?(@.type=='Ready')].status}";
    await waitFor('node Ready', async () => (kubectlQuiet('get', 'node', NODE, '-o', `jsonpath=${ready}`) === 'True' ? true : undefined), edge, 30_000);
    kubectl('get', 'nodes', '-o', 'wide');
    say('');

    // 4. An app for the edge node.
    kubectlApply(APP);
    const running = "{range .items[*]}{.status.phase}{' '}{end}";
    await waitFor(
      'pods Running at the edge',
      async () => (kubectlQuiet('get', 'pods', '-l', 'app=hello', '-o', `jsonpath=${running}`).trim() === 'Running Running' ? true : undefined),
      edge,
      60_000,
    );
    kubectl('get', 'pods', '-o', 'wide');
    for (const log of podLogs()) say(`[edge] ${log}`);
    say('');
    kubectl('get', 'node', NODE, '-o', "jsonpath={.metadata.name} held by cloudcore {.metadata.annotations.cloudcore}{'\\n'}");
    kubectl('get', 'objectsyncs', '-n', 'default');
    say('');

    // 5. A device: a mapper on the edge host, the device's model and instance from kubectl.
    await showDevice(edge, children);
    say('');
    say(`The pods run in containerd on the edge node; they keep running when the link to the cloud drops.`);
    say(`Look further: KUBECONFIG=${KUBECONFIG} kubectl get pods,nodes,events,devices,devicestatuses`);
    return 0;
  } catch (error) {
    say(`quickstart failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    // Newest first (mapper, edgecore, cloudcore), each gone before the next, so none logs the loss of another.
    for (const child of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // Removes the pods' sandboxes first, so no containerd-shim outlives containerd.
    await runtime?.stop();
    const pids = [...children.map((c) => c.pid), ...(runtime ? [runtime.pid] : [])];
    say(`stopped ${pids.join(', ')} (and the pods' containers); data stays in ${WORK}`);
  }
}

/** The virtual thermostat: registered by its mapper, values into DeviceStatus, a desired value back to the device. */
async function showDevice(edge: ChildProcess, children: ChildProcess[]): Promise<void> {
  writeFileSync(join(WORK, 'virtual-mapper.yaml'), VIRTUAL_MAPPER_YAML);
  start('mappers/virtual', join(WORK, 'virtual-mapper.yaml'), `DMI on ${DMI}/virtual.sock, REST on http://127.0.0.1:7777`, children);
  const manifest = readFileSync(join(ROOT, 'mappers/virtual/examples/thermostat.yaml'), 'utf8').replace('nodeName: edge-node-1', `nodeName: ${NODE}`);
  kubectlApply(manifest);
  const twin = (name: string): string =>
    kubectlQuiet('get', 'devicestatus', 'thermostat-1', '-o', `jsonpath={.status.twins[?(@.propertyName=='${name}')].reported.value}`);
  await waitFor('thermostat values in DeviceStatus', async () => (twin('temperature') && twin('setpoint') ? true : undefined), edge, 30_000);
  kubectl('get', 'devices,devicestatuses');
  kubectl('get', 'devicestatus', 'thermostat-1', '-o', "jsonpath={range .status.twins[*]}{.propertyName}={.reported.value} {end}{'\\n'}");
  run('kubectl', ['patch', 'device', 'thermostat-1', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/properties/2/desired/value","value":"25"}]']);
  const started = Date.now();
  await waitFor('setpoint 25 reported by the device', async () => (twin('setpoint') === '25' ? true : undefined), edge, 30_000);
  say(`[device] setpoint written to the device and reported back as 25 in ${Date.now() - started} ms`);
  say(`[mqtt] an app on the edge asks for the twin, as with KubeEdge: $hw/events/device/default/thermostat-1/twin/get`);
  say(`[mqtt] ${await twinOverMqtt()}`);
}

/** What an MQTT app on the edge host sees: the twin/get answer from edgecore's broker. */
async function twinOverMqtt(): Promise<string> {
  const client = await connectAsync(MQTT, { clientId: 'quickstart-app', connectTimeout: 5_000, reconnectPeriod: 0 });
  try {
    const topic = '$hw/events/device/default/thermostat-1/twin/get';
    await client.subscribeAsync(`${topic}/result`);
    const answer = new Promise<string>((resolve) => client.once('message', (_topic, payload) => resolve(payload.toString())));
    await client.publishAsync(topic, JSON.stringify({ event_id: 'quickstart', timestamp: Date.now() }));
    const result = JSON.parse(await answer) as { twin?: Record<string, { expected?: { value?: string }; actual?: { value?: string } }> };
    return Object.entries(result.twin ?? {})
      .map(([name, twin]) => `${name}: actual ${twin.actual?.value ?? '-'}${twin.expected?.value ? `, expected ${twin.expected.value}` : ''}`)
      .join('; ');
  } finally {
    await client.endAsync();
  }
}

/** The first line each hello container wrote, from its CRI log file (`<time> stdout F <line>`). */
function podLogs(): string[] {
  const root = join(EDGE, 'pod-logs');
  return readdirSync(root)
    .filter((pod) => pod.startsWith('default_hello-'))
    .map((pod) => {
      const line = readFileSync(join(root, pod, 'hello', '0.log'), 'utf8').split('\n')[0] ?? '';
      return `${pod.split('_')[1]} wrote: ${line.split(' ').slice(3).join(' ')}`;
    });
}

void main().then((code) => (process.exitCode = code));
