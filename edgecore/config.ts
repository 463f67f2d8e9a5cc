import { isIP } from 'node:net';
import { dirname, isAbsolute } from 'node:path';
import {
  absolutePath,
  boolean,
  byteSize,
  defineConfig,
  duration,
  host,
  hostPort,
  hostPortInput,
  integer,
  labels,
  list,
  moduleSections,
  oneOf,
  port,
  section,
  text,
  url,
  type ConfigOf,
  type ModuleCatalogue,
  bad,
  field,
  ok,
  parsedLeaf,
} from '../pkg/config';

export const EDGECORE_CONFIG_PATH = '/etc/kubeedge/config/edgecore.yaml';

export type EdgeCoreModule =
  | 'edged'
  | 'edgeHub'
  | 'eventBus'
  | 'metaManager'
  | 'metaServer'
  | 'deviceTwin'
  | 'serviceBus'
  | 'edgeStream';

/** Which edge modules exist yet. metaServer is configured inside metaManager but tracked on its own. */
export const EDGECORE_MODULES: ModuleCatalogue<EdgeCoreModule> = Object.freeze({
  edged: { implemented: true, issue: 5, enabledInKubeEdge: true },
  edgeHub: { implemented: true, issue: 4, enabledInKubeEdge: true },
  eventBus: { implemented: true, issue: 6, enabledInKubeEdge: true },
  metaManager: { implemented: true, issue: 5, enabledInKubeEdge: true },
  metaServer: { implemented: false, issue: 7, enabledInKubeEdge: false },
  deviceTwin: { implemented: true, issue: 6, enabledInKubeEdge: true },
  serviceBus: { implemented: false, issue: 7, enabledInKubeEdge: false },
  edgeStream: { implemented: false, issue: 7, enabledInKubeEdge: false },
});

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECONDS = 'A bare number counts seconds.';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The Kubernetes node name: hostnameOverride, or else this host's name in lower case. */
export function resolveNodeName(hostnameOverride: string, hostName: string): string {
  return hostnameOverride !== '' ? hostnameOverride : hostName.toLowerCase();
}

/** KubeEdge names the DMI socket's folder; a path to the socket itself is taken as its folder. */
function dmiSockFolder() {
  const schema = parsedLeaf<string>('write the absolute path of a folder, such as /etc/kubeedge/', (input) => {
    if (typeof input !== 'string' || !isAbsolute(input)) return bad('not an absolute path');
    return ok(input.endsWith('.sock') ? dirname(input) : input);
  });
  return field(schema, '/etc/kubeedge/', {
    description: 'Folder of the DMI socket that device mappers connect to (a path ending in .sock means its folder).',
  });
}

function edgedFields() {
  return {
    hostnameOverride: text({
      default: '',
      valid: (name) => (name === '' || (name.length <= 253 && DNS_SUBDOMAIN.test(name)) ? undefined : 'not a valid node name'),
      hint: 'write a lower-case DNS name such as edge-node-1, or "" for the host name',
      description: "This node's name in Kubernetes. Empty: the host name, in lower case.",
    }),
    nodeLabels: labels({ default: {}, description: 'Labels put on the node object when it registers.' }),
    registerNodeNamespace: text({
      default: 'default',
      valid: (name) => (DNS_LABEL.test(name) ? undefined : 'not a valid namespace name'),
      hint: 'write a lower-case name such as default',
      description: 'Namespace the node registers in.',
    }),
    containerRuntimeEndpoint: url({
      default: 'unix:///run/containerd/containerd.sock',
      schemes: ['unix'],
      description: "The container runtime's CRI socket.",
    }),
    cgroupDriver: oneOf({
      values: ['cgroupfs', 'systemd'],
      default: 'cgroupfs',
      description: "Cgroup driver; must match the container runtime's.",
    }),
    podSandboxImage: text({
      default: 'kubeedge/pause:3.6',
      valid: (image) => (/^\S+$/.test(image) ? undefined : 'not an image reference'),
      hint: 'write an image reference such as kubeedge/pause:3.6',
      description: 'Image of the pause container that holds each pod sandbox.',
    }),
    rootDirectory: absolutePath({ default: '/var/lib/kubelet', description: 'Folder for pod volumes and plugin state.' }),
    staticPodPath: absolutePath({ default: '/etc/kubeedge/manifests', description: 'Folder of static pod manifests to run.' }),
    nodeStatusUpdateFrequency: duration({ default: '10s', description: `How often node status is reported. ${SECONDS}` }),
    nodeLeaseDuration: duration({
      default: '40s',
      description: `Lease length; the node counts as lost when its lease is this old. ${SECONDS}`,
    }),
    podLogsDirectory: absolutePath({ default: '/var/log/pods', description: "Folder of the containers' log files (CRI format)." }),
    maxPods: integer({ default: 110, min: 1, description: 'Pods this node offers to run (its pods capacity).' }),
    clusterDNS: list({
      default: [],
      item: (input) => (typeof input === 'string' && isIP(input) !== 0 ? ok(input) : bad('not an IP address')),
      itemHint: 'each item is an IP address, such as 169.254.96.16',
      description: "Name servers for pods with dnsPolicy ClusterFirst; empty: they use this host's /etc/resolv.conf.",
    }),
    clusterDomain: text({
      default: 'cluster.local',
      valid: (name) => (DNS_SUBDOMAIN.test(name) ? undefined : 'not a DNS domain'),
      hint: 'write a DNS domain such as cluster.local',
      description: 'DNS domain of the cluster, searched by pods with dnsPolicy ClusterFirst.',
    }),
  };
}

function edgeHubFields() {
  return {
    heartbeat: duration({ default: '15s', description: `Interval between keepalive messages to cloudcore. ${SECONDS}` }),
    messageQPS: integer({ default: 30, min: 1, description: 'Sustained messages per second sent to cloudcore.' }),
    messageBurst: integer({ default: 60, min: 1, description: 'Messages that may be sent at once above messageQPS.' }),
    servers: list({
      default: ['127.0.0.1:10000'],
      minItems: 1,
      item: hostPortInput,
      itemHint: 'each item is a cloudcore tunnel address host:port, such as "127.0.0.1:10000"',
      description: 'cloudcore tunnel addresses (host:port). Several for HA: edgeHub connects to one and moves on when it fails.',
    }),
    httpServer: url({
      default: 'https://127.0.0.1:10002',
      schemes: ['https'],
      description: "cloudcore's HTTPS address, used to get certificates.",
    }),
    token: text({ default: '', description: 'Join token from keadm gettoken; only needed until this node has a certificate.' }),
    tlsCaFile: absolutePath({ default: '/etc/kubeedge/ca/rootCA.crt', description: 'CA certificate that cloudcore presents.' }),
    tlsCertFile: absolutePath({ default: '/etc/kubeedge/certs/server.crt', description: "This node's certificate." }),
    tlsPrivateKeyFile: absolutePath({ default: '/etc/kubeedge/certs/server.key', description: "This node's private key." }),
    rotateCertificates: boolean({ default: true, description: "Renew this node's certificate before it expires." }),
    maxMessageSize: byteSize({ default: '12Mi', description: 'Largest message accepted from or sent to cloudcore.' }),
  };
}

function eventBusFields() {
  const mqttUrl = (portNumber: number, what: string) =>
    url({ default: `tcp://127.0.0.1:${portNumber}`, schemes: ['tcp', 'ssl', 'mqtt', 'mqtts', 'ws', 'wss'], description: what });
  return {
    mqttMode: oneOf({
      values: ['internal', 'both', 'external'],
      aliases: { 0: 'internal', 1: 'both', 2: 'external' },
      default: 'internal',
      description:
        "Which MQTT broker to use: internal (built in), external (mqttServerExternal) or both. KubeEdge's 0/1/2 are " +
        "accepted; KubeEdge's default is 2 (external), which needs a broker you run yourself.",
    }),
    mqttServerExternal: mqttUrl(1883, 'Address of the external broker.'),
    mqttServerInternal: mqttUrl(1884, 'Address the internal broker listens on.'),
    mqttQOS: integer({ default: 0, min: 0, max: 2, description: 'MQTT quality of service for published messages (0, 1 or 2).' }),
    mqttRetain: boolean({ default: false, description: 'Publish messages with the MQTT retain flag.' }),
    mqttSessionQueueSize: integer({ default: 100, min: 1, description: 'QoS 1/2 messages the internal broker keeps for each offline client with a persistent session.' }),
  };
}

function modules(catalogue: ModuleCatalogue<EdgeCoreModule>) {
  const module = moduleSections(catalogue);
  return section('The edge modules; each has an enable flag and its own settings.', {
    edged: module('edged', 'Runs the pods bound to this node through the container runtime (CRI).', edgedFields()),
    edgeHub: module('edgeHub', 'Keeps the stream to cloudcore and carries messages both ways.', edgeHubFields()),
    eventBus: module('eventBus', 'Bridges MQTT topics (devices and apps) to the other modules.', eventBusFields()),
    metaManager: module('metaManager', 'Stores what the cloud sends and answers queries from it.', {
      remoteQueryTimeout: duration({ default: '60s', description: `Longest wait for the cloud to answer a query. ${SECONDS}` }),
      metaServer: module('metaServer', 'Read-only Kubernetes API on this node, served from the local store.', {
        server: hostPort({ default: '127.0.0.1:10550', description: 'host:port to listen on.' }),
      }),
    }),
    deviceTwin: module('deviceTwin', 'Keeps device twins and serves device mappers over DMI.', { dmiSockPath: dmiSockFolder() }),
    serviceBus: module('serviceBus', 'Forwards cloud REST calls to HTTP services on this node.', {
      server: host({ default: '127.0.0.1', description: 'Address to listen on.' }),
      port: port({ default: 9060, description: 'Port to listen on.' }),
      timeout: duration({ default: '60s', description: `Longest wait for a local service to answer. ${SECONDS}` }),
    }),
    edgeStream: module('edgeStream', 'Carries kubectl logs/exec traffic from cloudcore (cloudStream).', {
      tunnelServer: hostPort({ default: '127.0.0.1:10004', description: "cloudcore's cloudStream tunnel address (host:port)." }),
    }),
  });
}

/** The edgecore.yaml format. `catalogue` says which modules may be enabled. */
export function edgeCoreConfigSpec(catalogue: ModuleCatalogue<EdgeCoreModule> = EDGECORE_MODULES) {
  return defineConfig({
    apiVersion: 'edgecore.config.kubeedge.io/v1alpha2',
    kind: 'EdgeCore',
    description: 'edgecore configuration.',
    fields: {
      database: section('The local store of everything the cloud sent (SQLite).', {
        dataSource: absolutePath({ default: '/var/lib/kubeedge/edgecore.db', description: 'Path of the SQLite database file.' }),
      }),
      monitorServer: section('HTTP server for /metrics (Prometheus) and /healthz.', {
        bindAddress: hostPort({ default: '127.0.0.1:9092', description: 'host:port to listen on; loopback unless you mean to expose it.' }),
      }),
      modules: modules(catalogue),
    },
  });
}

export type EdgeCoreConfigSpec = ReturnType<typeof edgeCoreConfigSpec>;
/** The compiled edgecore config: every default filled in, durations in ...Ms, sizes in ...Bytes. */
export type EdgeCoreConfig = ConfigOf<EdgeCoreConfigSpec>;
