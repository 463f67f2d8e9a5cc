/**
 * Which configmaps and secrets a pod needs on its node: volumes (also inside projected volumes), env and envFrom of
 * every container kind, and image pull secrets. The edge must hold each of them to start the pod, offline too.
 */
import type { KubeObject } from '../../pkg/kube';

interface KeyRef {
  name?: string;
}

interface EnvSource {
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef };
}

interface Container {
  env?: EnvSource[];
  envFrom?: { configMapRef?: KeyRef; secretRef?: KeyRef }[];
}

interface Volume {
  configMap?: KeyRef;
  secret?: { secretName?: string };
  projected?: { sources?: { configMap?: KeyRef; secret?: KeyRef }[] };
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    volumes?: Volume[];
    imagePullSecrets?: KeyRef[];
  };
}

export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

/** The names (in the pod's namespace) of the configmaps and secrets the pod uses. */
export function podReferences(pod: Pod): PodReferences {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const add = (into: Set<string>, name: string | undefined): void => {
    if (name) into.add(name);
  };
  const spec = pod.spec ?? {};
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const env of container.env ?? []) {
      add(configMaps, env.valueFrom?.configMapKeyRef?.name);
      add(secrets, env.valueFrom?.secretKeyRef?.name);
    }
    for (const from of container.envFrom ?? []) {
      add(configMaps, from.configMapRef?.name);
      add(secrets, from.secretRef?.name);
    }
  }
  for (const volume of spec.volumes ?? []) {
    add(configMaps, volume.configMap?.name);
    add(secrets, volume.secret?.secretName);
    for (const source of volume.projected?.sources ?? []) {
      add(configMaps, source.configMap?.name);
      add(secrets, source.secret?.name);
    }
  }
  for (const pull of spec.imagePullSecrets ?? []) add(secrets, pull.name);
  return { configMaps, secrets };
}

/** Index values for the pod informer: `<namespace>/<name>` of each configmap the pod uses. */
export function configMapIndexValues(pod: Pod): string[] {
  const namespace = pod.metadata?.namespace ?? '';
  return [...podReferences(pod).configMaps].map((name) => `${namespace}/${name}`);
}

/** Index values for the pod informer: `<namespace>/<name>` of each secret the pod uses. */
export function secretIndexValues(pod: Pod): string[] {
  const namespace = pod.metadata?.namespace ?? '';
  return [...podReferences(pod).secrets].map((name) => `${namespace}/${name}`);
}
