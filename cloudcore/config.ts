import { isIP } from 'node:net';
import {
  absolutePath,
  bad,
  boolean,
  byteSize,
  defineConfig,
  duration,
  host,
  hostPort,
  integer,
  isHostName,
  list,
  moduleSections,
  ok,
  port,
  section,
  type ConfigOf,
  type ModuleCatalogue,
} from '../pkg/config';

export const CLOUDCORE_CONFIG_PATH = '/etc/kubeedge/config/cloudcore.yaml';

export type CloudCoreModule = 'cloudHub' | 'edgeController' | 'deviceController' | 'syncController' | 'router' | 'cloudStream';

/** Which cloud modules exist yet. Implementing one means flipping its `implemented` here. */
export const CLOUDCORE_MODULES: ModuleCatalogue<CloudCoreModule> = Object.freeze({
  cloudHub: { implemented: true, issue: 4, enabledInKubeEdge: true },
  edgeController: { implemented: true, issue: 5, enabledInKubeEdge: true },
  deviceController: { implemented: true, issue: 6, enabledInKubeEdge: true },
  syncController: { implemented: true, issue: 4, enabledInKubeEdge: true },
  router: { implemented: false, issue: 7, enabledInKubeEdge: false },
  cloudStream: { implemented: false, issue: 7, enabledInKubeEdge: false },
});

const SECONDS = 'A bare number counts seconds.';
const DAY_MS = 86_400_000;

const tlsFile = (file: string, what: string) =>
  absolutePath({
    default: file,
    description: `${what}. Used if the file exists; otherwise cloudcore creates it and keeps it in a Kubernetes Secret.`,
  });

const listener = (what: string, portNumber: number, portText: string) =>
  section(what, {
    address: host({ default: '0.0.0.0', description: 'Address to listen on.' }),
    port: port({ default: portNumber, description: portText }),
  });

function cloudHubFields() {
  return {
    nodeLimit: integer({ default: 500, min: 1, description: 'Most edge nodes connected at once; more are refused.' }),
    keepaliveInterval: duration({
      default: '30s',
      description: `A node that sends no keepalive for this long is disconnected. ${SECONDS}`,
    }),
    writeTimeout: duration({ default: '30s', description: `Longest wait to hand one message to a node connection. ${SECONDS}` }),
    tunnel: listener('The cloud-edge stream listener (KubeEdge: websocket).', 10000, 'Port edge nodes connect to.'),
    https: listener('The HTTPS listener edge nodes get the CA and their certificates from.', 10002, 'Port for /ca.crt and /edge.crt.'),
    advertiseAddress: list({
      default: [],
      item: (input) => (typeof input === 'string' && isIP(input) !== 0 ? ok(input) : bad('not an IP address')),
      itemHint: 'each item is an IP address such as 192.0.2.10',
      description: "IP addresses edge nodes reach cloudcore at; they go into the server certificate. Empty: this host's addresses.",
    }),
    dnsNames: list({
      default: [],
      item: (input) => (typeof input === 'string' && isHostName(input) ? ok(input) : bad('not a DNS name')),
      itemHint: 'each item is a DNS name such as cloudcore.example.com',
      description: 'Extra DNS names for the server certificate.',
    }),
    edgeCertSigningDuration: duration({
      default: '8760h',
      bareNumber: 'days',
      maxMs: 100 * 365 * DAY_MS,
      description: 'Validity of the certificates signed for edge nodes. As in KubeEdge, a bare number counts days (365).',
    }),
    tokenRefreshDuration: duration({
      default: '12h',
      bareNumber: 'hours',
      minMs: 60_000,
      description: 'How often the join token is renewed; a token stays valid for twice this. A bare number counts hours.',
    }),
    maxMessageSize: byteSize({ default: '12Mi', description: 'Largest message accepted from or sent to an edge node.' }),
    tlsCAFile: tlsFile('/etc/kubeedge/ca/rootCA.crt', 'CA certificate that signs edge node certificates'),
    tlsCAKeyFile: tlsFile('/etc/kubeedge/ca/rootCA.key', 'Private key of that CA'),
    tlsCertFile: tlsFile('/etc/kubeedge/certs/server.crt', "cloudcore's server certificate"),
    tlsPrivateKeyFile: tlsFile('/etc/kubeedge/certs/server.key', "Private key of cloudcore's server certificate"),
  };
}

function modules(catalogue: ModuleCatalogue<CloudCoreModule>) {
  const module = moduleSections(catalogue);
  return section('The cloud modules; each has an enable flag and its own settings.', {
    cloudHub: module('cloudHub', 'Accepts edge node connections and streams messages to and from them.', cloudHubFields()),
    edgeController: module('edgeController', 'Syncs nodes, pods, configmaps and secrets between Kubernetes and edge nodes.', {
      nodeUpdateFrequency: duration({ default: '10s', description: `How often node status is written to Kubernetes. ${SECONDS}` }),
    }),
    deviceController: module('deviceController', 'Syncs Device and DeviceModel objects with edge device twins.', {}),
    syncController: module('syncController', 'Resends objects an edge node has not acknowledged (ObjectSync).', {
      period: duration({ default: '5s', description: 'How often unacknowledged objects are checked.' }),
    }),
    router: module('router', 'Routes messages between REST endpoints and edge MQTT topics, by Rule objects.', {
      address: host({ default: '0.0.0.0', description: 'Address of the REST listener.' }),
      port: port({ default: 9443, description: 'Port of the REST listener.' }),
      restTimeout: duration({ default: '60s', description: `Longest wait for an edge reply to a REST call. ${SECONDS}` }),
      maxBodySize: byteSize({ default: '12Mi', description: 'Largest REST request body accepted.' }),
    }),
    cloudStream: module('cloudStream', 'Carries kubectl logs/exec traffic to edge nodes.', {
      streamPort: port({ default: 10003, description: 'Port the API server sends logs/exec requests to.' }),
      tunnelPort: port({ default: 10004, description: 'Port edge nodes (edgeStream) connect their tunnel to.' }),
    }),
  });
}

/** The cloudcore.yaml format. `catalogue` says which modules may be enabled. */
export function cloudCoreConfigSpec(catalogue: ModuleCatalogue<CloudCoreModule> = CLOUDCORE_MODULES) {
  return defineConfig({
    apiVersion: 'cloudcore.config.kubeedge.io/v1alpha1',
    kind: 'CloudCore',
    description: 'cloudcore configuration.',
    fields: {
      kubeAPIConfig: section('How cloudcore reaches the Kubernetes API.', {
        kubeConfig: absolutePath({
          default: '',
          allowEmpty: true,
          description: 'Path to a kubeconfig for an existing cluster. Empty: start the embedded API server (embeddedAPIServer).',
        }),
        qps: integer({ default: 2500, min: 1, description: 'Sustained requests per second to the API server (5 x nodeLimit).' }),
        burst: integer({ default: 5000, min: 1, description: 'Request burst above qps (10 x nodeLimit).' }),
      }),
      embeddedAPIServer: section('The built-in Kubernetes-compatible API server, used when kubeConfig is empty.', {
        dataDir: absolutePath({ default: '/var/lib/kubeedge/cloudcore', description: 'Folder for its database.' }),
        bindAddress: host({ default: '127.0.0.1', description: 'Address to listen on.' }),
        port: port({ default: 6443, description: 'Port to listen on.' }),
        tokenAuthFile: absolutePath({
          default: '',
          allowEmpty: true,
          description:
            'Bearer tokens the API server accepts, one per line as kube-apiserver reads them: token,user,uid,"group1,group2". Empty: client certificates only.',
        }),
      }),
      controllerManager: section('The controllers cloudcore runs next to its embedded API server (not against a real cluster).', {
        nodeMonitorGracePeriod: duration({
          default: '40s',
          description: 'A node whose Lease is older than this becomes Unknown and is tainted node.kubernetes.io/unreachable.',
        }),
        evictPodsOnUnreachable: boolean({
          default: false,
          description:
            'Evict the pods of unreachable nodes as Kubernetes does. Off by default: edge nodes keep running their pods while their link is down.',
        }),
      }),
      monitorServer: section('HTTP server for /metrics (Prometheus) and /healthz.', {
        bindAddress: hostPort({ default: '127.0.0.1:9091', description: 'host:port to listen on; loopback unless you mean to expose it.' }),
      }),
      modules: modules(catalogue),
    },
  });
}

export type CloudCoreConfigSpec = ReturnType<typeof cloudCoreConfigSpec>;
/** The compiled cloudcore config: every default filled in, durations in ...Ms, sizes in ...Bytes. */
export type CloudCoreConfig = ConfigOf<CloudCoreConfigSpec>;
