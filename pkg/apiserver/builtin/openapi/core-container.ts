/** core/v1 Container and everything it holds: ports, env, resources, mounts, probes, lifecycle, security context. */
import { boolean, int32, int64, list, map, ref, string, struct, value, type Component, type Field } from './dsl';
import { IntOrString, Quantity } from './meta';

const CORE = 'io.k8s.api.core.v1';

export const LocalObjectReference = struct(
  `${CORE}.LocalObjectReference`,
  'A reference to an object in the same namespace, by name.',
  { name: string('Name of the referent.').default('') },
  { atomic: true },
);

export const ContainerPort = struct(`${CORE}.ContainerPort`, 'A network port of a container.', {
  containerPort: int32('Port number on the pod IP (1-65535).').required(),
  hostIP: string('Host IP to bind the host port to.'),
  hostPort: int32('Port number on the host, if any.'),
  name: string('IANA service name other objects can refer to the port by.'),
  protocol: string('TCP, UDP or SCTP; defaults to TCP.').default('TCP').enum('SCTP', 'TCP', 'UDP'),
});

export const ObjectFieldSelector = struct(
  `${CORE}.ObjectFieldSelector`,
  'Selects a field of the pod.',
  {
    apiVersion: string('Version the field path is written in; defaults to v1.'),
    fieldPath: string("Path of the field, such as metadata.name or metadata.labels['app'].").default('').required(),
  },
  { atomic: true },
);

export const ResourceFieldSelector = struct(
  `${CORE}.ResourceFieldSelector`,
  'Selects a resource limit or request of a container.',
  {
    containerName: string('Container name; required for volumes.'),
    divisor: ref(Quantity, 'Unit the value is expressed in; defaults to 1.'),
    resource: string('limits.cpu, requests.memory, ...').default('').required(),
  },
  { atomic: true },
);

const keySelector = (name: string, what: string): Component =>
  struct(
    `${CORE}.${name}`,
    `Selects a key of a ${what}.`,
    {
      key: string('The key to select.').default('').required(),
      name: string(`Name of the ${what}.`).default(''),
      optional: boolean(`Whether the ${what} or the key may be missing.`),
    },
    { atomic: true },
  );

export const ConfigMapKeySelector = keySelector('ConfigMapKeySelector', 'ConfigMap');
export const SecretKeySelector = keySelector('SecretKeySelector', 'Secret');

export const EnvVarSource = struct(`${CORE}.EnvVarSource`, 'Where an environment variable value comes from; exactly one source.', {
  configMapKeyRef: ref(ConfigMapKeySelector, 'A key of a ConfigMap.'),
  fieldRef: ref(ObjectFieldSelector, 'A field of the pod.'),
  resourceFieldRef: ref(ResourceFieldSelector, 'A resource limit or request of the container.'),
  secretKeyRef: ref(SecretKeySelector, 'A key of a Secret.'),
});

export const EnvVar = struct(`${CORE}.EnvVar`, 'An environment variable of a container.', {
  name: string('Name of the variable.').default('').required(),
  value: string('The value; $(VAR) references to earlier variables are expanded.'),
  valueFrom: ref(EnvVarSource, 'Source of the value, when value is empty.'),
});

const envSource = (name: string, what: string): Component =>
  struct(`${CORE}.${name}`, `Selects a ${what} whose keys become environment variables.`, {
    name: string(`Name of the ${what}.`).default(''),
    optional: boolean(`Whether the ${what} may be missing.`),
  });

export const ConfigMapEnvSource = envSource('ConfigMapEnvSource', 'ConfigMap');
export const SecretEnvSource = envSource('SecretEnvSource', 'Secret');

export const EnvFromSource = struct(`${CORE}.EnvFromSource`, 'A set of environment variables from a ConfigMap or Secret.', {
  configMapRef: ref(ConfigMapEnvSource, 'The ConfigMap.'),
  prefix: string('Prefix added to every key.'),
  secretRef: ref(SecretEnvSource, 'The Secret.'),
});

export const ResourceClaim = struct(`${CORE}.ResourceClaim`, 'A use of a pod resource claim by a container.', {
  name: string('Name of an entry of the pod\'s resourceClaims.').default('').required(),
  request: string('One request of the claim, if not all of it.'),
});

const resourceList = (description: string): Field => map(ref(Quantity), description);

export const ResourceRequirements = struct(`${CORE}.ResourceRequirements`, 'Compute resource requests and limits.', {
  claims: list(ResourceClaim, 'Dynamically allocated resources the container uses.').map('name'),
  limits: resourceList('Maximum amounts of compute resources allowed.'),
  requests: resourceList('Minimum amounts of compute resources required; default to the limits.'),
});

export const ContainerResizePolicy = struct(`${CORE}.ContainerResizePolicy`, 'How a container is resized in place.', {
  resourceName: string('cpu or memory.').default('').required(),
  restartPolicy: string('NotRequired or RestartContainer.').default('').required(),
});

export const VolumeMount = struct(`${CORE}.VolumeMount`, 'A volume mounted into a container.', {
  mountPath: string('Path in the container; must not contain ":".').default('').required(),
  mountPropagation: string('None, HostToContainer or Bidirectional.').enum('Bidirectional', 'HostToContainer', 'None'),
  name: string('Name of the pod volume.').default('').required(),
  readOnly: boolean('Mount read-only.'),
  recursiveReadOnly: string('Disabled, IfPossible or Enabled: read-only submounts too.'),
  subPath: string('Path inside the volume to mount instead of its root.'),
  subPathExpr: string('Like subPath, with $(VAR) references to the container\'s environment.'),
});

export const VolumeDevice = struct(`${CORE}.VolumeDevice`, 'A raw block volume mapped into a container.', {
  devicePath: string('Device path in the container.').default('').required(),
  name: string('Name of a persistentVolumeClaim volume of the pod.').default('').required(),
});

export const ExecAction = struct(`${CORE}.ExecAction`, 'A command run in the container; exit status 0 is success.', {
  command: list('string', 'Command line, not run in a shell.').atomic(),
});

export const HTTPHeader = struct(`${CORE}.HTTPHeader`, 'A header of an HTTP probe.', {
  name: string('Header name.').default('').required(),
  value: string('Header value.').default('').required(),
});

export const HTTPGetAction = struct(`${CORE}.HTTPGetAction`, 'An HTTP GET request; 2xx and 3xx are success.', {
  host: string('Host name; defaults to the pod IP.'),
  httpHeaders: list(HTTPHeader, 'Extra request headers.').atomic(),
  path: string('Path of the request.'),
  port: ref(IntOrString, 'Port number or name.').required(),
  scheme: string('HTTP or HTTPS; defaults to HTTP.').enum('HTTP', 'HTTPS'),
});

export const TCPSocketAction = struct(`${CORE}.TCPSocketAction`, 'A TCP connection attempt.', {
  host: string('Host name; defaults to the pod IP.'),
  port: ref(IntOrString, 'Port number or name.').required(),
});

export const GRPCAction = struct(`${CORE}.GRPCAction`, 'A gRPC health check.', {
  port: int32('Port number of the gRPC service.').default(0).required(),
  service: string('Service name sent in the HealthCheckRequest.').default(''),
});

export const SleepAction = struct(`${CORE}.SleepAction`, 'A pause of some seconds.', {
  seconds: int64('Seconds to sleep.').default(0).required(),
});

export const Probe = struct(`${CORE}.Probe`, 'A health check of a container; exactly one action.', {
  exec: ref(ExecAction, 'Run a command.'),
  failureThreshold: int32('Consecutive failures for the probe to fail; defaults to 3.'),
  grpc: ref(GRPCAction, 'Call a gRPC health service.'),
  httpGet: ref(HTTPGetAction, 'Send an HTTP GET.'),
  initialDelaySeconds: int32('Seconds after start before probing.'),
  periodSeconds: int32('Seconds between probes; defaults to 10.'),
  successThreshold: int32('Consecutive successes for the probe to succeed; defaults to 1 (must be 1 for liveness and startup).'),
  tcpSocket: ref(TCPSocketAction, 'Open a TCP connection.'),
  terminationGracePeriodSeconds: int64('Grace period when a failure kills the container; overrides the pod\'s.'),
  timeoutSeconds: int32('Seconds before a probe times out; defaults to 1.'),
});

export const LifecycleHandler = struct(`${CORE}.LifecycleHandler`, 'An action run at a lifecycle event; exactly one action.', {
  exec: ref(ExecAction, 'Run a command.'),
  httpGet: ref(HTTPGetAction, 'Send an HTTP GET.'),
  sleep: ref(SleepAction, 'Sleep.'),
  tcpSocket: ref(TCPSocketAction, 'Deprecated; accepted for compatibility.'),
});

export const Lifecycle = struct(`${CORE}.Lifecycle`, 'Actions run on container lifecycle events.', {
  postStart: ref(LifecycleHandler, 'Run right after the container is created.'),
  preStop: ref(LifecycleHandler, 'Run before the container is stopped.'),
});

export const Capabilities = struct(`${CORE}.Capabilities`, 'POSIX capabilities added to or dropped from the default set.', {
  add: list('string', 'Capabilities to add.').atomic(),
  drop: list('string', 'Capabilities to drop.').atomic(),
});

export const SELinuxOptions = struct(`${CORE}.SELinuxOptions`, 'SELinux labels.', {
  level: string('SELinux level label.'),
  role: string('SELinux role label.'),
  type: string('SELinux type label.'),
  user: string('SELinux user label.'),
});

export const WindowsSecurityContextOptions = struct(`${CORE}.WindowsSecurityContextOptions`, 'Windows-specific security options.', {
  gmsaCredentialSpec: string('Contents of the GMSA credential spec.'),
  gmsaCredentialSpecName: string('Name of the GMSA credential spec.'),
  hostProcess: boolean('Run as a host process.'),
  runAsUserName: string('User name to run the entrypoint as.'),
});

export const SeccompProfile = struct(`${CORE}.SeccompProfile`, 'A seccomp profile.', {
  localhostProfile: string('Path of a profile on the node, for type Localhost.'),
  type: string('Localhost, RuntimeDefault or Unconfined.').default('').required().enum('Localhost', 'RuntimeDefault', 'Unconfined'),
});

export const AppArmorProfile = struct(`${CORE}.AppArmorProfile`, 'An AppArmor profile.', {
  localhostProfile: string('Name of a profile loaded on the node, for type Localhost.'),
  type: string('Localhost, RuntimeDefault or Unconfined.').default('').required().enum('Localhost', 'RuntimeDefault', 'Unconfined'),
});

export const SecurityContext = struct(`${CORE}.SecurityContext`, 'Security settings of a container; they override the pod\'s.', {
  allowPrivilegeEscalation: boolean('Whether a process may gain more privileges than its parent.'),
  appArmorProfile: ref(AppArmorProfile, 'AppArmor profile.'),
  capabilities: ref(Capabilities, 'Capabilities to add or drop.'),
  privileged: boolean('Run privileged: root on the host.'),
  procMount: string('Default or Unmasked /proc.'),
  readOnlyRootFilesystem: boolean('Mount the root filesystem read-only.'),
  runAsGroup: int64('GID of the entrypoint.'),
  runAsNonRoot: boolean('Refuse to start as UID 0.'),
  runAsUser: int64('UID of the entrypoint.'),
  seLinuxOptions: ref(SELinuxOptions, 'SELinux context.'),
  seccompProfile: ref(SeccompProfile, 'Seccomp profile.'),
  windowsOptions: ref(WindowsSecurityContextOptions, 'Windows-specific options.'),
});

/** The fields Container and EphemeralContainer share. */
function containerFields(): Record<string, Field> {
  return {
    args: list('string', 'Arguments to the entrypoint; $(VAR) references are expanded.').atomic(),
    command: list('string', 'Entrypoint; not run in a shell. Defaults to the image\'s.').atomic(),
    env: list(EnvVar, 'Environment variables.').map('name').merge('name'),
    envFrom: list(EnvFromSource, 'Sources of environment variables; env wins on conflicts.').atomic(),
    image: string('Container image reference.'),
    imagePullPolicy: string('Always, Never or IfNotPresent; defaults to Always for :latest, else IfNotPresent.').enum('Always', 'IfNotPresent', 'Never'),
    lifecycle: ref(Lifecycle, 'Actions on lifecycle events.'),
    livenessProbe: ref(Probe, 'Restarts the container when it fails.'),
    name: string('Name of the container, a DNS label unique in the pod.').default('').required(),
    ports: list(ContainerPort, 'Ports to expose (informational).').map('containerPort', 'protocol').merge('containerPort'),
    readinessProbe: ref(Probe, 'Removes the pod from service endpoints when it fails.'),
    resizePolicy: list(ContainerResizePolicy, 'How the container is resized in place.').atomic(),
    resources: value(ResourceRequirements, 'Compute resources.'),
    restartPolicy: string('Only Always, for init containers that run beside the others (sidecars).'),
    securityContext: ref(SecurityContext, 'Security settings.'),
    startupProbe: ref(Probe, 'Other probes wait until it succeeds.'),
    stdin: boolean('Allocate a stdin buffer.'),
    stdinOnce: boolean('Close stdin after the first attach detaches.'),
    terminationMessagePath: string('File the termination message is read from; defaults to /dev/termination-log.'),
    terminationMessagePolicy: string('File or FallbackToLogsOnError.').enum('FallbackToLogsOnError', 'File'),
    tty: boolean('Allocate a TTY.'),
    volumeDevices: list(VolumeDevice, 'Raw block devices.').map('devicePath').merge('devicePath'),
    volumeMounts: list(VolumeMount, 'Volumes to mount.').map('mountPath').merge('mountPath'),
    workingDir: string('Working directory of the entrypoint.'),
  };
}

export const Container = struct(`${CORE}.Container`, 'An application container of a pod.', containerFields());

export const EphemeralContainer = struct(`${CORE}.EphemeralContainer`, 'A temporary container added to a running pod, for debugging.', {
  ...containerFields(),
  targetContainerName: string('Container whose namespaces to share.'),
});
