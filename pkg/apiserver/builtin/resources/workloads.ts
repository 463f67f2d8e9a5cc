/** apps/v1 deployments, replicasets and daemonsets, with /status and /scale. */
import { defaultPodTemplate } from '../defaults/pod';
import { DaemonSet, DaemonSetList, Deployment, DeploymentList, ReplicaSet, ReplicaSetList } from '../openapi/apps';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, NAME_COLUMN, nameOf, wide } from '../tables/columns';
import type { BuiltinDefinition, KObject, ScaleSubresource } from '../types';
import { ensureObject, isObject, num, obj, setDefault } from '../util/json';
import { formatLabels, formatLabelSelector, selectorString } from '../util/label-selector';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { immutableSelector, validateDaemonSetSpec, validateDeploymentSpec, validateReplicaSetSpec } from '../validation/workloads';
import { quantityError } from './pods';
import { bumpGeneration, firstGeneration, keepStatus, STANDARD_VERBS } from './common';

const SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
  selector: (o) => selectorString(obj(o.spec).selector),
};

/** Template quantities that do not parse fail decoding (400), as for pods. */
const templateQuantityError = (o: KObject): string | undefined => quantityError(obj(obj(obj(o.spec).template).spec));

const replicas = (o: KObject): number => num(obj(o.spec).replicas);
const statusNumber = (o: KObject, field: string): number => num(obj(o.status)[field]);

function defaultReplicas(spec: KObject): void {
  if (typeof spec.replicas !== 'number') spec.replicas = 1;
}

function defaultIntOrString(o: KObject, field: string, value: number | string): void {
  if (o[field] === undefined || o[field] === null) o[field] = value;
}

export const deployments: BuiltinDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: ['status', 'scale'],
  defaults(d) {
    const spec = ensureObject(d, 'spec');
    defaultReplicas(spec);
    const strategy = ensureObject(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      defaultIntOrString(ru, 'maxUnavailable', '25%');
      defaultIntOrString(ru, 'maxSurge', '25%');
    }
    if (typeof spec.revisionHistoryLimit !== 'number') spec.revisionHistoryLimit = 10;
    if (typeof spec.progressDeadlineSeconds !== 'number') spec.progressDeadlineSeconds = 600;
    defaultPodTemplate(ensureObject(spec, 'template'));
    ensureObject(d, 'status');
  },
  prepareForCreate(d) {
    d.status = {};
    firstGeneration(d);
  },
  prepareForUpdate(next, old) {
    keepStatus(next, old);
    bumpGeneration(next, old, true);
  },
  validate(d, old) {
    const errs = validateMetadata(d, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    errs.push(...validateDeploymentSpec(d.spec));
    if (old !== undefined) errs.push(...immutableSelector(d.spec, old.spec));
    return errs;
  },
  decodeError: templateQuantityError,
  table: {
    columns: [
      NAME_COLUMN,
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'string', 'Pods with the current template.'),
      column('Available', 'string', 'Pods available for at least minReadySeconds.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      wide('Selector', 'string', 'Label selector of the pods.'),
    ],
    cells(d, nowMs = Date.now()) {
      const spec = obj(d.spec);
      const [names, images] = containerCells(spec.template);
      const selector = isObject(spec.selector) && formatLabelSelector(spec.selector) === '<error>' ? '<invalid>' : selectorString(spec.selector);
      return [
        nameOf(d),
        `${statusNumber(d, 'readyReplicas')}/${replicas(d)}`,
        statusNumber(d, 'updatedReplicas'),
        statusNumber(d, 'availableReplicas'),
        ageOf(d, nowMs),
        names,
        images,
        selector,
      ];
    },
  },
  scale: SCALE,
  openapi: typeSchema(Deployment, DeploymentList),
};

export const replicaSets: BuiltinDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: ['status', 'scale'],
  defaults(rs) {
    const spec = ensureObject(rs, 'spec');
    defaultReplicas(spec);
    defaultPodTemplate(ensureObject(spec, 'template'));
    const status = ensureObject(rs, 'status');
    if (typeof status.replicas !== 'number') status.replicas = 0;
  },
  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
    firstGeneration(rs);
  },
  prepareForUpdate(next, old) {
    keepStatus(next, old);
    bumpGeneration(next, old);
  },
  validate(rs, old) {
    const errs = validateMetadata(rs, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    errs.push(...validateReplicaSetSpec(rs.spec));
    if (old !== undefined) errs.push(...immutableSelector(rs.spec, old.spec));
    return errs;
  },
  decodeError: templateQuantityError,
  table: {
    columns: [
      NAME_COLUMN,
      column('Desired', 'integer', 'Desired number of pods.'),
      column('Current', 'integer', 'Pods of the replica set.'),
      column('Ready', 'integer', 'Ready pods.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      wide('Selector', 'string', 'Label selector of the pods.'),
    ],
    cells(rs, nowMs = Date.now()) {
      const [names, images] = containerCells(obj(rs.spec).template);
      return [nameOf(rs), replicas(rs), statusNumber(rs, 'replicas'), statusNumber(rs, 'readyReplicas'), ageOf(rs, nowMs), names, images, formatLabelSelector(obj(rs.spec).selector)];
    },
  },
  scale: SCALE,
  openapi: typeSchema(ReplicaSet, ReplicaSetList),
};

const DAEMON_STATUS_ZEROES = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'];

export const daemonSets: BuiltinDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  defaults(ds) {
    const spec = ensureObject(ds, 'spec');
    const strategy = ensureObject(spec, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      defaultIntOrString(ru, 'maxUnavailable', 1);
      defaultIntOrString(ru, 'maxSurge', 0);
    }
    if (typeof spec.revisionHistoryLimit !== 'number') spec.revisionHistoryLimit = 10;
    defaultPodTemplate(ensureObject(spec, 'template'));
    const status = ensureObject(ds, 'status');
    for (const f of DAEMON_STATUS_ZEROES) if (typeof status[f] !== 'number') status[f] = 0;
  },
  prepareForCreate(ds) {
    ds.status = Object.fromEntries(DAEMON_STATUS_ZEROES.map((f) => [f, 0]));
    firstGeneration(ds);
  },
  prepareForUpdate(next, old) {
    keepStatus(next, old);
    bumpGeneration(next, old);
  },
  validate(ds, old) {
    const errs = validateMetadata(ds, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    errs.push(...validateDaemonSetSpec(ds.spec));
    if (old !== undefined) errs.push(...immutableSelector(ds.spec, old.spec));
    return errs;
  },
  decodeError: templateQuantityError,
  table: {
    columns: [
      NAME_COLUMN,
      column('Desired', 'integer', 'Nodes that should run a daemon pod.'),
      column('Current', 'integer', 'Nodes running a daemon pod.'),
      column('Ready', 'integer', 'Nodes with a ready daemon pod.'),
      column('Up-to-date', 'integer', 'Nodes running the current template.'),
      column('Available', 'integer', 'Nodes with an available daemon pod.'),
      column('Node Selector', 'string', 'Labels the nodes must have.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      wide('Selector', 'string', 'Label selector of the pods.'),
    ],
    cells(ds, nowMs = Date.now()) {
      const spec = obj(ds.spec);
      const [names, images] = containerCells(spec.template);
      return [
        nameOf(ds),
        statusNumber(ds, 'desiredNumberScheduled'),
        statusNumber(ds, 'currentNumberScheduled'),
        statusNumber(ds, 'numberReady'),
        statusNumber(ds, 'updatedNumberScheduled'),
        statusNumber(ds, 'numberAvailable'),
        formatLabels(obj(obj(spec.template).spec).nodeSelector),
        ageOf(ds, nowMs),
        names,
        images,
        formatLabelSelector(spec.selector),
      ];
    },
  },
  openapi: typeSchema(DaemonSet, DaemonSetList),
};

