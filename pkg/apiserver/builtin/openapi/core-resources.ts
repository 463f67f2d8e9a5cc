/** core/v1 kinds other than Pod: Namespace, Node, ConfigMap, Secret, Service, Endpoints, Event, ServiceAccount. */
import { boolean, bytes, int32, int64, list, map, ref, string, stringMap, struct, value, type Component, type Field } from './dsl';
import { LocalObjectReference } from './core-container';
import { ObjectReference } from './core-pod';
import { Condition, IntOrString, listFields, MicroTime, objectMeta, Quantity, Time } from './meta';

const CORE = 'io.k8s.api.core.v1';

const gvk = (kind: string) => ({ gvk: [{ group: '', kind, version: 'v1' }] });

/** A kind and its list, both core/v1. */
function kindAndList(kind: string, description: string, fields: Record<string, Field>, plural: string): [Component, Component] {
  const k = struct(`${CORE}.${kind}`, description, { ...objectMeta(), ...fields }, gvk(kind));
  const l = struct(`${CORE}.${kind}List`, `A list of ${plural}.`, listFields(k, plural), gvk(`${kind}List`));
  return [k, l];
}

// Namespace

export const NamespaceSpec = struct(`${CORE}.NamespaceSpec`, 'The desired state of a namespace.', {
  finalizers: list('string', 'Must be empty before the namespace is removed; kubernetes is added on create.').atomic(),
});

export const NamespaceCondition = struct(`${CORE}.NamespaceCondition`, 'One condition of a namespace.', {
  lastTransitionTime: ref(Time, 'Last change of status.'),
  message: string('Details.'),
  reason: string('CamelCase reason.'),
  status: string('True, False or Unknown.').default('').required(),
  type: string('Condition type.').default('').required(),
});

export const NamespaceStatus = struct(`${CORE}.NamespaceStatus`, 'The observed state of a namespace.', {
  conditions: list(NamespaceCondition, 'Current conditions.').map('type').merge('type'),
  phase: string('Active or Terminating.').enum('Active', 'Terminating'),
});

export const [Namespace, NamespaceList] = kindAndList(
  'Namespace',
  'A scope for names; deleting it deletes everything in it.',
  { spec: value(NamespaceSpec, 'Desired state.'), status: value(NamespaceStatus, 'Observed state.') },
  'namespaces',
);

// Node

export const Taint = struct(`${CORE}.Taint`, 'Repels pods that do not tolerate it.', {
  effect: string('NoSchedule, PreferNoSchedule or NoExecute.').default('').required().enum('NoExecute', 'NoSchedule', 'PreferNoSchedule'),
  key: string('Taint key.').default('').required(),
  timeAdded: ref(Time, 'When a NoExecute taint was added.'),
  value: string('Taint value.'),
});

export const ConfigMapNodeConfigSource = struct(`${CORE}.ConfigMapNodeConfigSource`, 'Deprecated: a ConfigMap holding kubelet configuration.', {
  kubeletConfigKey: string('Key of the configuration.').default('').required(),
  name: string('Name of the ConfigMap.').default('').required(),
  namespace: string('Namespace of the ConfigMap.').default('').required(),
  resourceVersion: string('Version of the ConfigMap.'),
  uid: string('UID of the ConfigMap.'),
});

export const NodeConfigSource = struct(`${CORE}.NodeConfigSource`, 'Deprecated: where kubelet configuration comes from.', {
  configMap: ref(ConfigMapNodeConfigSource, 'A ConfigMap.'),
});

export const NodeSpec = struct(`${CORE}.NodeSpec`, 'The desired state of a node.', {
  configSource: ref(NodeConfigSource, 'Deprecated.'),
  externalID: string('Deprecated.'),
  podCIDR: string('Pod IP range of the node.'),
  podCIDRs: list('string', 'Pod IP ranges of the node, one per family.').set().merge(),
  providerID: string('ID of the node at its cloud provider.'),
  taints: list(Taint, 'Taints of the node.').atomic(),
  unschedulable: boolean('Keep new pods off the node (cordon).'),
});

export const NodeCondition = struct(`${CORE}.NodeCondition`, 'One condition of a node.', {
  lastHeartbeatTime: ref(Time, 'Last report of the condition.'),
  lastTransitionTime: ref(Time, 'Last change of status.'),
  message: string('Details.'),
  reason: string('CamelCase reason.'),
  status: string('True, False or Unknown.').default('').required(),
  type: string('Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, ...').default('').required(),
});

export const NodeAddress = struct(`${CORE}.NodeAddress`, 'An address of a node.', {
  address: string('The address.').default('').required(),
  type: string('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.').default('').required(),
});

export const DaemonEndpoint = struct(`${CORE}.DaemonEndpoint`, 'A port a node daemon listens on.', {
  Port: int32('Port number.').default(0).required(),
});

export const NodeDaemonEndpoints = struct(`${CORE}.NodeDaemonEndpoints`, 'Ports of the node\'s daemons.', {
  kubeletEndpoint: value(DaemonEndpoint, 'The kubelet\'s port.'),
});

export const NodeSystemInfo = struct(`${CORE}.NodeSystemInfo`, 'What runs on the node.', {
  architecture: string('CPU architecture.').default('').required(),
  bootID: string('Boot ID.').default('').required(),
  containerRuntimeVersion: string('Runtime name and version, such as containerd://1.7.2.').default('').required(),
  kernelVersion: string('Kernel version.').default('').required(),
  kubeProxyVersion: string('Deprecated.').default('').required(),
  kubeletVersion: string('Kubelet (edge core) version.').default('').required(),
  machineID: string('Machine ID.').default('').required(),
  operatingSystem: string('Operating system.').default('').required(),
  osImage: string('OS image, such as Ubuntu 22.04.').default('').required(),
  systemUUID: string('System UUID.').default('').required(),
});

export const ContainerImage = struct(`${CORE}.ContainerImage`, 'An image on the node.', {
  names: list('string', 'Names of the image.').atomic(),
  sizeBytes: int64('Size in bytes.'),
});

export const AttachedVolume = struct(`${CORE}.AttachedVolume`, 'A volume attached to the node.', {
  devicePath: string('Device path.').default('').required(),
  name: string('Volume name.').default('').required(),
});

export const NodeConfigStatus = struct(`${CORE}.NodeConfigStatus`, 'Deprecated: kubelet configuration status.', {
  active: ref(NodeConfigSource, 'Active configuration.'),
  assigned: ref(NodeConfigSource, 'Assigned configuration.'),
  error: string('Error.'),
  lastKnownGood: ref(NodeConfigSource, 'Last known good configuration.'),
});

export const NodeRuntimeHandlerFeatures = struct(`${CORE}.NodeRuntimeHandlerFeatures`, 'Features of a runtime handler.', {
  recursiveReadOnlyMounts: boolean('Supports recursive read-only mounts.'),
  userNamespaces: boolean('Supports user namespaces.'),
});

export const NodeRuntimeHandler = struct(`${CORE}.NodeRuntimeHandler`, 'A runtime handler of the node.', {
  features: ref(NodeRuntimeHandlerFeatures, 'Its features.'),
  name: string('Handler name; empty for the default.'),
});

export const NodeFeatures = struct(`${CORE}.NodeFeatures`, 'Features the node supports.', {
  supplementalGroupsPolicy: boolean('Supports supplementalGroupsPolicy.'),
});

export const NodeStatus = struct(`${CORE}.NodeStatus`, 'The observed state of a node.', {
  addresses: list(NodeAddress, 'Addresses of the node.').map('type').merge('type'),
  allocatable: map(ref(Quantity), 'Resources available to pods; defaults to capacity.'),
  capacity: map(ref(Quantity), 'Total resources of the node.'),
  conditions: list(NodeCondition, 'Current conditions.').map('type').merge('type'),
  config: ref(NodeConfigStatus, 'Deprecated.'),
  daemonEndpoints: value(NodeDaemonEndpoints, 'Ports of the node\'s daemons.'),
  features: ref(NodeFeatures, 'Supported features.'),
  images: list(ContainerImage, 'Images on the node.').atomic(),
  nodeInfo: value(NodeSystemInfo, 'What runs on the node.'),
  phase: string('Deprecated.'),
  runtimeHandlers: list(NodeRuntimeHandler, 'Runtime handlers.').atomic(),
  volumesAttached: list(AttachedVolume, 'Attached volumes.').atomic(),
  volumesInUse: list('string', 'Volumes in use.').atomic(),
});

export const [Node, NodeList] = kindAndList(
  'Node',
  'A machine pods run on: here, an edge node.',
  { spec: value(NodeSpec, 'Desired state.'), status: value(NodeStatus, 'Observed state.') },
  'nodes',
);

// ConfigMap and Secret

export const [ConfigMap, ConfigMapList] = kindAndList(
  'ConfigMap',
  'Configuration data for pods.',
  {
    binaryData: map(bytes(), 'Binary values, base64 encoded; keys must not repeat those of data.'),
    data: stringMap('Text values.'),
    immutable: boolean('When true, data cannot change (only the object\'s metadata).'),
  },
  'config maps',
);

export const [Secret, SecretList] = kindAndList(
  'Secret',
  'Sensitive data for pods.',
  {
    data: map(bytes(), 'Values, base64 encoded.'),
    immutable: boolean('When true, data cannot change.'),
    stringData: stringMap('Write-only plain values merged into data.'),
    type: string('Opaque (default), kubernetes.io/tls, kubernetes.io/dockerconfigjson, ...'),
  },
  'secrets',
);

// Service and Endpoints

export const ServicePort = struct(`${CORE}.ServicePort`, 'A port of a service.', {
  appProtocol: string('Application protocol, such as http or kubernetes.io/h2c.'),
  name: string('Name of the port; required when there are several.'),
  nodePort: int32('Port on every node, for NodePort and LoadBalancer services.'),
  port: int32('Port of the service.').default(0).required(),
  protocol: string('TCP, UDP or SCTP; defaults to TCP.').default('TCP').enum('SCTP', 'TCP', 'UDP'),
  targetPort: ref(IntOrString, 'Port number or name on the pods; defaults to port.'),
});

export const ClientIPConfig = struct(`${CORE}.ClientIPConfig`, 'Client IP session affinity settings.', {
  timeoutSeconds: int32('Session lifetime in seconds; defaults to 10800.'),
});

export const SessionAffinityConfig = struct(`${CORE}.SessionAffinityConfig`, 'Session affinity settings.', {
  clientIP: ref(ClientIPConfig, 'For ClientIP affinity.'),
});

export const ServiceSpec = struct(`${CORE}.ServiceSpec`, 'The desired state of a service.', {
  allocateLoadBalancerNodePorts: boolean('Allocate node ports for a LoadBalancer service; defaults to true.'),
  clusterIP: string('Virtual IP of the service; None for a headless service.'),
  clusterIPs: list('string', 'Virtual IPs of the service, one per family.').atomic(),
  externalIPs: list('string', 'Extra IPs the service accepts traffic on.').atomic(),
  externalName: string('DNS name returned for an ExternalName service.'),
  externalTrafficPolicy: string('Cluster or Local.').enum('Cluster', 'Local'),
  healthCheckNodePort: int32('Health check port for Local external traffic.'),
  internalTrafficPolicy: string('Cluster (default) or Local.').enum('Cluster', 'Local'),
  ipFamilies: list('string', 'IPv4 and/or IPv6.').atomic(),
  ipFamilyPolicy: string('SingleStack, PreferDualStack or RequireDualStack.').enum('PreferDualStack', 'RequireDualStack', 'SingleStack'),
  loadBalancerClass: string('Load balancer implementation.'),
  loadBalancerIP: string('Deprecated.'),
  loadBalancerSourceRanges: list('string', 'Client CIDRs allowed through the load balancer.').atomic(),
  ports: list(ServicePort, 'Ports of the service.').map('port', 'protocol').merge('port'),
  publishNotReadyAddresses: boolean('Publish endpoints of pods that are not ready.'),
  selector: stringMap('Labels of the pods that back the service.').atomicMap(),
  sessionAffinity: string('None (default) or ClientIP.').enum('ClientIP', 'None'),
  sessionAffinityConfig: ref(SessionAffinityConfig, 'Session affinity settings.'),
  trafficDistribution: string('Traffic distribution preference, such as PreferClose.'),
  type: string('ClusterIP (default), NodePort, LoadBalancer or ExternalName.').enum('ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'),
});

export const PortStatus = struct(`${CORE}.PortStatus`, 'Status of a load balancer port.', {
  error: string('Error, if any.'),
  port: int32('Port number.').default(0).required(),
  protocol: string('TCP, UDP or SCTP.').default('').required(),
});

export const LoadBalancerIngress = struct(`${CORE}.LoadBalancerIngress`, 'An ingress point of a load balancer.', {
  hostname: string('Host name.'),
  ip: string('IP address.'),
  ipMode: string('VIP or Proxy.'),
  ports: list(PortStatus, 'Port status.').atomic(),
});

export const LoadBalancerStatus = struct(`${CORE}.LoadBalancerStatus`, 'Status of a load balancer.', {
  ingress: list(LoadBalancerIngress, 'Ingress points.').atomic(),
});

export const ServiceStatus = struct(`${CORE}.ServiceStatus`, 'The observed state of a service.', {
  conditions: list(Condition, 'Current conditions.').map('type').merge('type'),
  loadBalancer: value(LoadBalancerStatus, 'Load balancer status.'),
});

export const [Service, ServiceList] = kindAndList(
  'Service',
  'A stable virtual address for a set of pods.',
  { spec: value(ServiceSpec, 'Desired state.'), status: value(ServiceStatus, 'Observed state.') },
  'services',
);

export const EndpointAddress = struct(
  `${CORE}.EndpointAddress`,
  'An address of an endpoint.',
  {
    hostname: string('Host name of the endpoint.'),
    ip: string('IP address.').default('').required(),
    nodeName: string('Node hosting the endpoint.'),
    targetRef: ref(ObjectReference, 'The pod behind the endpoint.'),
  },
  { atomic: true },
);

export const EndpointPort = struct(
  `${CORE}.EndpointPort`,
  'A port of an endpoint.',
  {
    appProtocol: string('Application protocol.'),
    name: string('Name matching the service port.'),
    port: int32('Port number.').default(0).required(),
    protocol: string('TCP, UDP or SCTP; defaults to TCP.').enum('SCTP', 'TCP', 'UDP'),
  },
  { atomic: true },
);

export const EndpointSubset = struct(`${CORE}.EndpointSubset`, 'Addresses sharing a set of ports.', {
  addresses: list(EndpointAddress, 'Ready addresses.').atomic(),
  notReadyAddresses: list(EndpointAddress, 'Addresses not ready yet.').atomic(),
  ports: list(EndpointPort, 'Ports of the addresses.').atomic(),
});

export const [Endpoints, EndpointsList] = kindAndList(
  'Endpoints',
  'The addresses that implement a service.',
  { subsets: list(EndpointSubset, 'Sets of addresses and ports.').atomic() },
  'endpoints',
);

// Event and ServiceAccount

export const EventSource = struct(`${CORE}.EventSource`, 'Who reported an event.', {
  component: string('Component that reported it.'),
  host: string('Node it was reported on.'),
});

export const EventSeries = struct(`${CORE}.EventSeries`, 'A series of repeated events.', {
  count: int32('Occurrences so far.'),
  lastObservedTime: ref(MicroTime, 'Time of the last occurrence.'),
});

export const [Event, EventList] = kindAndList(
  'Event',
  'A report of something that happened in the cluster.',
  {
    action: string('What was done (or failed).'),
    count: int32('Times this event occurred.'),
    eventTime: ref(MicroTime, 'When the event was first observed.'),
    firstTimestamp: ref(Time, 'First occurrence.'),
    involvedObject: value(ObjectReference, 'The object the event is about.').required(),
    lastTimestamp: ref(Time, 'Last occurrence.'),
    message: string('Human readable description.'),
    reason: string('Short CamelCase reason.'),
    related: ref(ObjectReference, 'A second object involved.'),
    reportingComponent: string('Controller that emitted the event.').default(''),
    reportingInstance: string('ID of the controller instance.').default(''),
    series: ref(EventSeries, 'Data about a series of events.'),
    source: value(EventSource, 'Who reported the event.'),
    type: string('Normal or Warning.'),
  },
  'events',
);

export const [ServiceAccount, ServiceAccountList] = kindAndList(
  'ServiceAccount',
  'An identity for processes running in pods.',
  {
    automountServiceAccountToken: boolean('Whether pods mount a token by default.'),
    imagePullSecrets: list(LocalObjectReference, 'Secrets for pulling images of its pods.').atomic(),
    secrets: list(ObjectReference, 'Secrets of the account (legacy tokens).').map('name').merge('name'),
  },
  'service accounts',
);
