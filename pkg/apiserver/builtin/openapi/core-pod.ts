/** core/v1 PodSpec (scheduling, security, DNS), PodTemplateSpec, PodStatus, Pod and Binding. */
import { boolean, int32, int64, list, map, ref, string, stringMap, struct, value, type Component } from './dsl';
import {
  Container,
  EphemeralContainer,
  LocalObjectReference,
  ResourceRequirements,
  SeccompProfile,
  AppArmorProfile,
  SELinuxOptions,
  WindowsSecurityContextOptions,
} from './core-container';
import { Volume } from './core-volume';
import { LabelSelector, listFields, ObjectMeta, objectMeta, Quantity, Time } from './meta';

const CORE = 'io.k8s.api.core.v1';

export const NodeSelectorRequirement = struct(`${CORE}.NodeSelectorRequirement`, 'A key, an operator and values a node label (or field) must satisfy.', {
  key: string('The label key.').default('').required(),
  operator: string('In, NotIn, Exists, DoesNotExist, Gt or Lt.').default('').required().enum('DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'),
  values: list('string', 'Values; one integer for Gt and Lt, none for Exists and DoesNotExist.').atomic(),
});

export const NodeSelectorTerm = struct(
  `${CORE}.NodeSelectorTerm`,
  'Requirements that are ANDed; an empty term matches no node.',
  {
    matchExpressions: list(NodeSelectorRequirement, 'Requirements on node labels.').atomic(),
    matchFields: list(NodeSelectorRequirement, 'Requirements on node fields (metadata.name).').atomic(),
  },
  { atomic: true },
);

export const NodeSelector = struct(
  `${CORE}.NodeSelector`,
  'Terms that are ORed.',
  { nodeSelectorTerms: list(NodeSelectorTerm, 'The terms.').atomic().required() },
  { atomic: true },
);

export const PreferredSchedulingTerm = struct(`${CORE}.PreferredSchedulingTerm`, 'A weighted node preference.', {
  preference: value(NodeSelectorTerm, 'The preferred nodes.').required(),
  weight: int32('Weight, 1-100.').default(0).required(),
});

export const NodeAffinity = struct(`${CORE}.NodeAffinity`, 'Node affinity rules.', {
  preferredDuringSchedulingIgnoredDuringExecution: list(PreferredSchedulingTerm, 'Preferred nodes.').atomic(),
  requiredDuringSchedulingIgnoredDuringExecution: ref(NodeSelector, 'Nodes the pod may run on.'),
});

export const PodAffinityTerm = struct(`${CORE}.PodAffinityTerm`, 'Pods to be near (or away from), within a topology domain.', {
  labelSelector: ref(LabelSelector, 'The pods.'),
  matchLabelKeys: list('string', 'Keys of this pod\'s labels added to the selector as key in (value).').atomic(),
  mismatchLabelKeys: list('string', 'Keys of this pod\'s labels added to the selector as key notin (value).').atomic(),
  namespaceSelector: ref(LabelSelector, 'Namespaces of the pods.'),
  namespaces: list('string', 'Namespaces of the pods; this pod\'s when empty.').atomic(),
  topologyKey: string('Node label whose value defines a domain.').default('').required(),
});

export const WeightedPodAffinityTerm = struct(`${CORE}.WeightedPodAffinityTerm`, 'A weighted pod affinity term.', {
  podAffinityTerm: value(PodAffinityTerm, 'The term.').required(),
  weight: int32('Weight, 1-100.').default(0).required(),
});

const podAffinity = (name: string, what: string): Component =>
  struct(`${CORE}.${name}`, `Pod ${what} rules.`, {
    preferredDuringSchedulingIgnoredDuringExecution: list(WeightedPodAffinityTerm, 'Preferred placements.').atomic(),
    requiredDuringSchedulingIgnoredDuringExecution: list(PodAffinityTerm, 'Required placements.').atomic(),
  });

export const PodAffinity = podAffinity('PodAffinity', 'affinity');
export const PodAntiAffinity = podAffinity('PodAntiAffinity', 'anti-affinity');

export const Affinity = struct(`${CORE}.Affinity`, 'Scheduling constraints.', {
  nodeAffinity: ref(NodeAffinity, 'Node affinity.'),
  podAffinity: ref(PodAffinity, 'Co-location with other pods.'),
  podAntiAffinity: ref(PodAntiAffinity, 'Separation from other pods.'),
});

export const Toleration = struct(`${CORE}.Toleration`, 'Lets the pod run on nodes with a matching taint.', {
  effect: string('Taint effect to match; all when empty.').enum('NoExecute', 'NoSchedule', 'PreferNoSchedule'),
  key: string('Taint key; all keys when empty (with operator Exists).'),
  operator: string('Equal or Exists; defaults to Equal.').enum('Equal', 'Exists'),
  tolerationSeconds: int64('For NoExecute: how long the pod stays bound after the taint appears.'),
  value: string('Taint value to match.'),
});

export const HostAlias = struct(`${CORE}.HostAlias`, 'An /etc/hosts entry.', {
  hostnames: list('string', 'Host names of the IP.').atomic(),
  ip: string('IP address.').default('').required(),
});

export const PodDNSConfigOption = struct(`${CORE}.PodDNSConfigOption`, 'A resolver option.', {
  name: string('Option name.'),
  value: string('Option value.'),
});

export const PodDNSConfig = struct(`${CORE}.PodDNSConfig`, 'DNS settings merged into those of the DNS policy.', {
  nameservers: list('string', 'Name server IPs.').atomic(),
  options: list(PodDNSConfigOption, 'Resolver options.').atomic(),
  searches: list('string', 'Search domains.').atomic(),
});

export const PodReadinessGate = struct(`${CORE}.PodReadinessGate`, 'A pod condition the pod\'s readiness also waits for.', {
  conditionType: string('The condition type.').default('').required(),
});

export const TopologySpreadConstraint = struct(`${CORE}.TopologySpreadConstraint`, 'How matching pods are spread across topology domains.', {
  labelSelector: ref(LabelSelector, 'The pods counted.'),
  matchLabelKeys: list('string', 'Keys of this pod\'s labels added to the selector.').atomic(),
  maxSkew: int32('Maximum difference in pod count between domains.').default(0).required(),
  minDomains: int32('Minimum number of eligible domains.'),
  nodeAffinityPolicy: string('Honor or Ignore the pod\'s node affinity when counting.').enum('Honor', 'Ignore'),
  nodeTaintsPolicy: string('Honor or Ignore node taints when counting.').enum('Honor', 'Ignore'),
  topologyKey: string('Node label whose value defines a domain.').default('').required(),
  whenUnsatisfiable: string('DoNotSchedule or ScheduleAnyway.').default('').required().enum('DoNotSchedule', 'ScheduleAnyway'),
});

export const Sysctl = struct(`${CORE}.Sysctl`, 'A kernel parameter.', {
  name: string('Parameter name.').default('').required(),
  value: string('Parameter value.').default('').required(),
});

export const PodSecurityContext = struct(`${CORE}.PodSecurityContext`, 'Security settings of every container of the pod.', {
  appArmorProfile: ref(AppArmorProfile, 'AppArmor profile.'),
  fsGroup: int64('Group owning the pod\'s volumes.'),
  fsGroupChangePolicy: string('OnRootMismatch or Always.').enum('Always', 'OnRootMismatch'),
  runAsGroup: int64('GID of the containers\' entrypoints.'),
  runAsNonRoot: boolean('Refuse to start containers as UID 0.'),
  runAsUser: int64('UID of the containers\' entrypoints.'),
  seLinuxChangePolicy: string('MountOption or Recursive relabelling of volumes.'),
  seLinuxOptions: ref(SELinuxOptions, 'SELinux context.'),
  seccompProfile: ref(SeccompProfile, 'Seccomp profile.'),
  supplementalGroups: list('int64', 'Extra groups of the first process.').atomic(),
  supplementalGroupsPolicy: string('Merge or Strict.'),
  sysctls: list(Sysctl, 'Namespaced kernel parameters.').atomic(),
  windowsOptions: ref(WindowsSecurityContextOptions, 'Windows-specific options.'),
});

export const PodOS = struct(`${CORE}.PodOS`, 'The OS of the pod\'s containers.', {
  name: string('linux or windows.').default('').required(),
});

export const PodSchedulingGate = struct(`${CORE}.PodSchedulingGate`, 'Keeps the pod from being scheduled while present.', {
  name: string('Name of the gate.').default('').required(),
});

export const PodResourceClaim = struct(`${CORE}.PodResourceClaim`, 'A ResourceClaim the pod needs.', {
  name: string('Name containers use to refer to it.').default('').required(),
  resourceClaimName: string('An existing ResourceClaim.'),
  resourceClaimTemplateName: string('A ResourceClaimTemplate to create the claim from.'),
});

export const PodSpec = struct(`${CORE}.PodSpec`, 'The desired state of a pod.', {
  activeDeadlineSeconds: int64('Seconds the pod may be active before it is failed.'),
  affinity: ref(Affinity, 'Scheduling constraints.'),
  automountServiceAccountToken: boolean('Whether a service account token is mounted.'),
  containers: list(Container, 'The containers; at least one.').map('name').merge('name').required(),
  dnsConfig: ref(PodDNSConfig, 'DNS parameters.'),
  dnsPolicy: string('ClusterFirst (default), ClusterFirstWithHostNet, Default or None.').enum('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'),
  enableServiceLinks: boolean('Inject service environment variables; defaults to true.'),
  ephemeralContainers: list(EphemeralContainer, 'Debugging containers; added through a subresource only.').map('name').merge('name'),
  hostAliases: list(HostAlias, 'Extra /etc/hosts entries.').map('ip').merge('ip'),
  hostIPC: boolean('Use the host\'s IPC namespace.'),
  hostNetwork: boolean('Use the host\'s network namespace.'),
  hostPID: boolean('Use the host\'s PID namespace.'),
  hostUsers: boolean('Use the host\'s user namespace; defaults to true.'),
  hostname: string('Host name of the pod; defaults to its name.'),
  imagePullSecrets: list(LocalObjectReference, 'Secrets for pulling images.').map('name').merge('name'),
  initContainers: list(Container, 'Containers run to completion, in order, before the others.').map('name').merge('name'),
  nodeName: string('Node the pod is bound to.'),
  nodeSelector: stringMap('Labels the node must have.').atomicMap(),
  os: ref(PodOS, 'The OS of the containers.'),
  overhead: map(ref(Quantity), 'Resources of the pod sandbox, set from its RuntimeClass.'),
  preemptionPolicy: string('PreemptLowerPriority (default) or Never.').enum('Never', 'PreemptLowerPriority'),
  priority: int32('Priority, set by admission from priorityClassName.'),
  priorityClassName: string('Name of a PriorityClass.'),
  readinessGates: list(PodReadinessGate, 'Extra conditions for readiness.').atomic(),
  resourceClaims: list(PodResourceClaim, 'Dynamically allocated resources.').map('name').merge('name', 'merge,retainKeys'),
  resources: ref(ResourceRequirements, 'Pod-level resources (alpha).'),
  restartPolicy: string('Always (default), OnFailure or Never.').enum('Always', 'Never', 'OnFailure'),
  runtimeClassName: string('Name of a RuntimeClass.'),
  schedulerName: string('Scheduler that places the pod; defaults to default-scheduler.'),
  schedulingGates: list(PodSchedulingGate, 'Gates that block scheduling while present.').map('name').merge('name'),
  securityContext: ref(PodSecurityContext, 'Pod-level security settings.'),
  serviceAccount: string('Deprecated alias of serviceAccountName.'),
  serviceAccountName: string('Service account the pod runs as.'),
  setHostnameAsFQDN: boolean('Use the FQDN as the host name.'),
  shareProcessNamespace: boolean('One PID namespace for all containers.'),
  subdomain: string('Subdomain: host name is <hostname>.<subdomain>.<namespace>.svc.'),
  terminationGracePeriodSeconds: int64('Seconds between the termination signal and the kill; defaults to 30.'),
  tolerations: list(Toleration, 'Taints the pod tolerates.').atomic(),
  topologySpreadConstraints: list(TopologySpreadConstraint, 'Spread rules.').map('topologyKey', 'whenUnsatisfiable').merge('topologyKey'),
  volumes: list(Volume, 'Volumes containers can mount.').map('name').merge('name', 'merge,retainKeys'),
});

export const PodTemplateSpec = struct(`${CORE}.PodTemplateSpec`, 'A pod to create: metadata and spec.', {
  metadata: value(ObjectMeta, 'Labels and annotations of the pods.'),
  spec: value(PodSpec, 'Spec of the pods.'),
});

export const PodCondition = struct(`${CORE}.PodCondition`, 'One condition of a pod.', {
  lastProbeTime: ref(Time, 'Last probe.'),
  lastTransitionTime: ref(Time, 'Last change of status.'),
  message: string('Details.'),
  reason: string('CamelCase reason.'),
  status: string('True, False or Unknown.').default('').required(),
  type: string('PodScheduled, Initialized, ContainersReady, Ready, ...').default('').required(),
});

export const PodIP = struct(`${CORE}.PodIP`, 'An IP address of the pod.', { ip: string('The address.').default('').required() });
export const HostIP = struct(`${CORE}.HostIP`, 'An IP address of the node.', { ip: string('The address.').default('').required() });

export const ContainerStateWaiting = struct(`${CORE}.ContainerStateWaiting`, 'Why a container is not running yet.', {
  message: string('Details.'),
  reason: string('Brief reason, such as ImagePullBackOff or CrashLoopBackOff.'),
});

export const ContainerStateRunning = struct(`${CORE}.ContainerStateRunning`, 'A running container.', {
  startedAt: ref(Time, 'When it (re)started.'),
});

export const ContainerStateTerminated = struct(`${CORE}.ContainerStateTerminated`, 'A container that exited.', {
  containerID: string('ID of the container.'),
  exitCode: int32('Exit status.').default(0).required(),
  finishedAt: ref(Time, 'When it exited.'),
  message: string('Details.'),
  reason: string('Brief reason, such as Completed or Error.'),
  signal: int32('Signal that ended it.'),
  startedAt: ref(Time, 'When it started.'),
});

export const ContainerState = struct(`${CORE}.ContainerState`, 'The state of a container; one of the three.', {
  running: ref(ContainerStateRunning, 'Running.'),
  terminated: ref(ContainerStateTerminated, 'Exited.'),
  waiting: ref(ContainerStateWaiting, 'Not running yet.'),
});

export const VolumeMountStatus = struct(`${CORE}.VolumeMountStatus`, 'Status of a volume mount.', {
  mountPath: string('Mount path.').default('').required(),
  name: string('Volume name.').default('').required(),
  readOnly: boolean('Mounted read-only.'),
  recursiveReadOnly: string('Disabled or Enabled.'),
});

export const LinuxContainerUser = struct(`${CORE}.LinuxContainerUser`, 'Linux identity of a container\'s first process.', {
  gid: int64('Primary GID.').default(0).required(),
  supplementalGroups: list('int64', 'Supplemental groups.').atomic(),
  uid: int64('UID.').default(0).required(),
});

export const ContainerUser = struct(`${CORE}.ContainerUser`, 'Identity of a container\'s first process.', {
  linux: ref(LinuxContainerUser, 'On Linux.'),
});

export const ResourceHealth = struct(`${CORE}.ResourceHealth`, 'Health of one device.', {
  health: string('Healthy, Unhealthy or Unknown.'),
  resourceID: string('Device ID.').default('').required(),
});

export const ResourceStatus = struct(`${CORE}.ResourceStatus`, 'Health of the devices of one resource.', {
  name: string('Resource name.').default('').required(),
  resources: list(ResourceHealth, 'Devices.').map('resourceID'),
});

export const ContainerStatus = struct(`${CORE}.ContainerStatus`, 'The observed state of a container.', {
  allocatedResources: map(ref(Quantity), 'Resources the node allocated.'),
  allocatedResourcesStatus: list(ResourceStatus, 'Health of allocated devices.').map('name').merge('name'),
  containerID: string('ID in the form <runtime>://<id>.'),
  image: string('Image the container runs.').default('').required(),
  imageID: string('ID of that image.').default('').required(),
  lastState: value(ContainerState, 'State of the last termination.'),
  name: string('Container name.').default('').required(),
  ready: boolean('Passes its readiness probe.').default(false).required(),
  resources: ref(ResourceRequirements, 'Resources in effect.'),
  restartCount: int32('Restarts so far.').default(0).required(),
  started: boolean('Started and past its startup probe.'),
  state: value(ContainerState, 'Current state.'),
  user: ref(ContainerUser, 'Identity of the first process.'),
  volumeMounts: list(VolumeMountStatus, 'Mount status.').map('mountPath').merge('mountPath'),
});

export const PodResourceClaimStatus = struct(`${CORE}.PodResourceClaimStatus`, 'The ResourceClaim generated for a pod claim.', {
  name: string('Name of the pod claim.').default('').required(),
  resourceClaimName: string('Name of the generated ResourceClaim.'),
});

export const PodStatus = struct(`${CORE}.PodStatus`, 'The observed state of a pod.', {
  conditions: list(PodCondition, 'Current conditions.').map('type').merge('type'),
  containerStatuses: list(ContainerStatus, 'Status of each container.').atomic(),
  ephemeralContainerStatuses: list(ContainerStatus, 'Status of each ephemeral container.').atomic(),
  hostIP: string('Primary IP of the node.'),
  hostIPs: list(HostIP, 'IPs of the node.').map('ip').merge('ip'),
  initContainerStatuses: list(ContainerStatus, 'Status of each init container.').atomic(),
  message: string('Why the pod is in this state.'),
  nominatedNodeName: string('Node nominated by preemption.'),
  phase: string('Pending, Running, Succeeded, Failed or Unknown.').enum('Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'),
  podIP: string('Primary IP of the pod.'),
  podIPs: list(PodIP, 'IPs of the pod.').map('ip').merge('ip'),
  qosClass: string('BestEffort, Burstable or Guaranteed.').enum('BestEffort', 'Burstable', 'Guaranteed'),
  reason: string('Brief reason, such as Evicted.'),
  resize: string('Status of an in-place resize.'),
  resourceClaimStatuses: list(PodResourceClaimStatus, 'Generated claims.').map('name').merge('name', 'merge,retainKeys'),
  startTime: ref(Time, 'When the kubelet acknowledged the pod.'),
});

export const Pod = struct(
  `${CORE}.Pod`,
  'A group of containers run together on one node.',
  { ...objectMeta(), spec: value(PodSpec, 'Desired state.'), status: value(PodStatus, 'Observed state.') },
  { gvk: [{ group: '', kind: 'Pod', version: 'v1' }] },
);

export const PodList = struct(`${CORE}.PodList`, 'A list of pods.', listFields(Pod, 'pods'), { gvk: [{ group: '', kind: 'PodList', version: 'v1' }] });

export const ObjectReference = struct(
  `${CORE}.ObjectReference`,
  'A reference to an object.',
  {
    apiVersion: string('API version of the referent.'),
    fieldPath: string('A part of the object, such as spec.containers{name}.'),
    kind: string('Kind of the referent.'),
    name: string('Name of the referent.'),
    namespace: string('Namespace of the referent.'),
    resourceVersion: string('Version of the referent.'),
    uid: string('UID of the referent.'),
  },
  { atomic: true },
);

export const Binding = struct(
  `${CORE}.Binding`,
  'Binds a pod to a node (what the scheduler posts to pods/binding).',
  { ...objectMeta(), target: value(ObjectReference, 'The node.').required() },
  { gvk: [{ group: '', kind: 'Binding', version: 'v1' }] },
);
