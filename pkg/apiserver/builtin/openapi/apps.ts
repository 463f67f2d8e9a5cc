/** apps/v1 Deployment, ReplicaSet and DaemonSet, and autoscaling/v1 Scale for their /scale subresource. */
import { boolean, int32, int64, list, ref, string, struct, value, type Component, type Field } from './dsl';
import { PodTemplateSpec } from './core-pod';
import { IntOrString, LabelSelector, listFields, ObjectMeta, objectMeta, Time } from './meta';

const APPS = 'io.k8s.api.apps.v1';

function kindAndList(kind: string, description: string, fields: Record<string, Field>, plural: string): [Component, Component] {
  const k = struct(`${APPS}.${kind}`, description, { ...objectMeta(), ...fields }, { gvk: [{ group: 'apps', kind, version: 'v1' }] });
  const l = struct(`${APPS}.${kind}List`, `A list of ${plural}.`, listFields(k, plural), { gvk: [{ group: 'apps', kind: `${kind}List`, version: 'v1' }] });
  return [k, l];
}

const condition = (name: string, what: string, withUpdateTime: boolean): Component =>
  struct(`${APPS}.${name}`, `One condition of a ${what}.`, {
    lastTransitionTime: ref(Time, 'Last change of status.'),
    ...(withUpdateTime ? { lastUpdateTime: ref(Time, 'Last update of the condition.') } : {}),
    message: string('Details.'),
    reason: string('CamelCase reason.'),
    status: string('True, False or Unknown.').default('').required(),
    type: string('Condition type.').default('').required(),
  });

export const RollingUpdateDeployment = struct(`${APPS}.RollingUpdateDeployment`, 'Pace of a rolling update.', {
  maxSurge: ref(IntOrString, 'Pods above the desired count during the update; defaults to 25%.'),
  maxUnavailable: ref(IntOrString, 'Pods that may be unavailable during the update; defaults to 25%.'),
});

export const DeploymentStrategy = struct(`${APPS}.DeploymentStrategy`, 'How old pods are replaced.', {
  rollingUpdate: ref(RollingUpdateDeployment, 'Rolling update parameters, for type RollingUpdate.'),
  type: string('Recreate or RollingUpdate (default).').enum('Recreate', 'RollingUpdate'),
});

export const DeploymentSpec = struct(`${APPS}.DeploymentSpec`, 'The desired state of a deployment.', {
  minReadySeconds: int32('Seconds a new pod must be ready to count as available.'),
  paused: boolean('Pause rollouts.'),
  progressDeadlineSeconds: int32('Seconds before a stalled rollout is reported; defaults to 600.'),
  replicas: int32('Desired number of pods; defaults to 1.'),
  revisionHistoryLimit: int32('Old ReplicaSets kept for rollback; defaults to 10.'),
  selector: ref(LabelSelector, 'Pods the deployment manages; must match the template\'s labels. Immutable.').required(),
  strategy: value(DeploymentStrategy, 'How pods are replaced.').extra({ 'x-kubernetes-patch-strategy': 'retainKeys' }),
  template: value(PodTemplateSpec, 'Pods to create.').required(),
});

export const DeploymentCondition = condition('DeploymentCondition', 'deployment', true);

export const DeploymentStatus = struct(`${APPS}.DeploymentStatus`, 'The observed state of a deployment.', {
  availableReplicas: int32('Pods available for at least minReadySeconds.'),
  collisionCount: int32('Hash collisions of the template.'),
  conditions: list(DeploymentCondition, 'Current conditions.').map('type').merge('type'),
  observedGeneration: int64('Generation last acted on.'),
  readyReplicas: int32('Ready pods.'),
  replicas: int32('Pods of the deployment.'),
  unavailableReplicas: int32('Pods still needed for full availability.'),
  updatedReplicas: int32('Pods with the current template.'),
});

export const [Deployment, DeploymentList] = kindAndList(
  'Deployment',
  'Declarative updates of a set of identical pods.',
  { spec: value(DeploymentSpec, 'Desired state.'), status: value(DeploymentStatus, 'Observed state.') },
  'deployments',
);

export const ReplicaSetSpec = struct(`${APPS}.ReplicaSetSpec`, 'The desired state of a replica set.', {
  minReadySeconds: int32('Seconds a new pod must be ready to count as available.'),
  replicas: int32('Desired number of pods; defaults to 1.'),
  selector: ref(LabelSelector, 'Pods the replica set manages. Immutable.').required(),
  template: value(PodTemplateSpec, 'Pods to create.'),
});

export const ReplicaSetCondition = condition('ReplicaSetCondition', 'replica set', false);

export const ReplicaSetStatus = struct(`${APPS}.ReplicaSetStatus`, 'The observed state of a replica set.', {
  availableReplicas: int32('Available pods.'),
  conditions: list(ReplicaSetCondition, 'Current conditions.').map('type').merge('type'),
  fullyLabeledReplicas: int32('Pods with all the template\'s labels.'),
  observedGeneration: int64('Generation last acted on.'),
  readyReplicas: int32('Ready pods.'),
  replicas: int32('Pods of the replica set.').default(0).required(),
});

export const [ReplicaSet, ReplicaSetList] = kindAndList(
  'ReplicaSet',
  'A number of identical pods kept running.',
  { spec: value(ReplicaSetSpec, 'Desired state.'), status: value(ReplicaSetStatus, 'Observed state.') },
  'replica sets',
);

export const RollingUpdateDaemonSet = struct(`${APPS}.RollingUpdateDaemonSet`, 'Pace of a daemon set rolling update.', {
  maxSurge: ref(IntOrString, 'Nodes that may run an old and a new pod at once; defaults to 0.'),
  maxUnavailable: ref(IntOrString, 'Nodes that may be without an available pod; defaults to 1.'),
});

export const DaemonSetUpdateStrategy = struct(`${APPS}.DaemonSetUpdateStrategy`, 'How daemon pods are replaced.', {
  rollingUpdate: ref(RollingUpdateDaemonSet, 'Rolling update parameters.'),
  type: string('RollingUpdate (default) or OnDelete.').enum('OnDelete', 'RollingUpdate'),
});

export const DaemonSetSpec = struct(`${APPS}.DaemonSetSpec`, 'The desired state of a daemon set.', {
  minReadySeconds: int32('Seconds a new pod must be ready to count as available.'),
  revisionHistoryLimit: int32('Old revisions kept for rollback; defaults to 10.'),
  selector: ref(LabelSelector, 'Pods the daemon set manages. Immutable.').required(),
  template: value(PodTemplateSpec, 'Pods to run on every eligible node.').required(),
  updateStrategy: value(DaemonSetUpdateStrategy, 'How pods are replaced.'),
});

export const DaemonSetCondition = condition('DaemonSetCondition', 'daemon set', false);

export const DaemonSetStatus = struct(`${APPS}.DaemonSetStatus`, 'The observed state of a daemon set.', {
  collisionCount: int32('Hash collisions of the template.'),
  conditions: list(DaemonSetCondition, 'Current conditions.').map('type').merge('type'),
  currentNumberScheduled: int32('Nodes running a daemon pod that should.').default(0).required(),
  desiredNumberScheduled: int32('Nodes that should run a daemon pod.').default(0).required(),
  numberAvailable: int32('Nodes with an available daemon pod.'),
  numberMisscheduled: int32('Nodes running a daemon pod that should not.').default(0).required(),
  numberReady: int32('Nodes with a ready daemon pod.').default(0).required(),
  numberUnavailable: int32('Nodes without an available daemon pod.'),
  observedGeneration: int64('Generation last acted on.'),
  updatedNumberScheduled: int32('Nodes running the current template.'),
});

export const [DaemonSet, DaemonSetList] = kindAndList(
  'DaemonSet',
  'A pod on every eligible node.',
  { spec: value(DaemonSetSpec, 'Desired state.'), status: value(DaemonSetStatus, 'Observed state.') },
  'daemon sets',
);

const AUTOSCALING = 'io.k8s.api.autoscaling.v1';

export const ScaleSpec = struct(`${AUTOSCALING}.ScaleSpec`, 'Desired scale.', { replicas: int32('Desired number of instances.') });

export const ScaleStatus = struct(`${AUTOSCALING}.ScaleStatus`, 'Observed scale.', {
  replicas: int32('Actual number of instances.').default(0).required(),
  selector: string('Label selector of the instances, in string form.'),
});

export const Scale = struct(
  `${AUTOSCALING}.Scale`,
  'The scale subresource of a workload.',
  {
    apiVersion: string('Versioned schema of this representation.'),
    kind: string('Kind of this representation.'),
    metadata: value(ObjectMeta, 'Metadata of the scaled object.'),
    spec: value(ScaleSpec, 'Desired scale.'),
    status: value(ScaleStatus, 'Observed scale.'),
  },
  { gvk: [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }] },
);
