import type { ConfigMap, Container, Pod, ResourceList, Secret } from '../api';
import { secretData, type ObjectSource } from '../object-source';
import { PodConfigError, PodConfigReason } from '../pod-errors';
import { expand } from './expand';
import { fieldPathValue } from './field-path';
import { resourceFieldValue } from './resources';

export interface EnvContext {
  objects: ObjectSource;
  nodeName: string;
  hostIP: string;
  podIP: string;
  podIPs?: string[];
  hostIPs?: string[];
  /** Stands in for resource limits a container does not set (resourceFieldRef), as kubelet does. */
  nodeAllocatable?: ResourceList;
}

export interface EnvValue {
  name: string;
  value: string;
}

/**
 * A container's environment as kubelet's makeEnvironmentVariables builds it: envFrom sources first (in order, with
 * their prefix), then env entries, each expanding `$(VAR)` against what is defined so far; a later definition of a
 * name replaces the earlier one in place. A missing configmap/secret/key that is not optional, or an unsupported
 * fieldRef/resourceFieldRef, throws PodConfigError(CreateContainerConfigError) with kubelet's message.
 * Service link variables (FOO_SERVICE_HOST...) are not added: edged has no service list.
 */
export async function resolveEnv(pod: Pod, container: Container, ctx: EnvContext): Promise<EnvValue[]> {
  const namespace = pod.metadata.namespace ?? 'default';
  const lookups = new ObjectLookups(ctx.objects, namespace);
  const env = new Map<string, string>();

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef !== undefined) {
      const name = source.configMapRef.name ?? '';
      const configMap = await lookups.configMap(name, source.configMapRef.optional === true);
      // kubelet uses only `data` for envFrom (binaryData is not text).
      for (const [key, value] of Object.entries(configMap?.data ?? {})) setVar(env, prefix + key, value);
    }
    if (source.secretRef !== undefined) {
      const name = source.secretRef.name ?? '';
      const secret = await lookups.secret(name, source.secretRef.optional === true);
      if (secret !== undefined) {
        for (const [key, value] of Object.entries(secretData(secret))) setVar(env, prefix + key, value.toString('utf8'));
      }
    }
  }

  for (const variable of container.env ?? []) {
    const value = await valueOf(variable, pod, container, ctx, lookups, env);
    if (value !== undefined) env.set(variable.name, value);
  }
  return [...env].map(([name, value]) => ({ name, value }));
}

/** kubelet skips envFrom keys that are not valid variable names (printable ASCII without '='). */
function setVar(env: Map<string, string>, name: string, value: string): void {
  if (/^[\x20-\x3c\x3e-\x7e]+$/.test(name)) env.set(name, value);
}

async function valueOf(
  variable: NonNullable<Container['env']>[number],
  pod: Pod,
  container: Container,
  ctx: EnvContext,
  lookups: ObjectLookups,
  env: Map<string, string>,
): Promise<string | undefined> {
  const from = variable.valueFrom;
  if (from === undefined) return expand(variable.value ?? '', (name) => env.get(name));
  const namespace = pod.metadata.namespace ?? 'default';
  if (from.fieldRef !== undefined) {
    const value = fieldPathValue(pod, from.fieldRef.fieldPath, ctx);
    if (value instanceof Error) throw configError(value.message);
    return value;
  }
  if (from.resourceFieldRef !== undefined) {
    const ref = from.resourceFieldRef;
    const target = ref.containerName ? findContainer(pod, ref.containerName) : container;
    if (target === undefined) throw configError(`container ${ref.containerName} not found in pod ${namespace}/${pod.metadata.name}`);
    const value = resourceFieldValue(target, ref.resource, ref.divisor, ctx.nodeAllocatable ?? {});
    if (value instanceof Error) throw configError(value.message);
    return value;
  }
  if (from.configMapKeyRef !== undefined) {
    const { name = '', key, optional = false } = from.configMapKeyRef;
    const configMap = await lookups.configMap(name, optional);
    if (configMap === undefined) return undefined;
    const value = configMap.data?.[key];
    if (value !== undefined) return value;
    if (optional) return undefined;
    throw configError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
  }
  if (from.secretKeyRef !== undefined) {
    const { name = '', key, optional = false } = from.secretKeyRef;
    const secret = await lookups.secret(name, optional);
    if (secret === undefined) return undefined;
    const value = secretData(secret)[key];
    if (value !== undefined) return value.toString('utf8');
    if (optional) return undefined;
    throw configError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
  }
  throw configError(`env ${variable.name}: valueFrom names no source; set one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef`);
}

function findContainer(pod: Pod, name: string): Container | undefined {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === name);
}

function configError(message: string, cause?: unknown): PodConfigError {
  return new PodConfigError(PodConfigReason.CreateContainerConfigError, message, cause === undefined ? undefined : { cause });
}

/** One fetch per object per resolution, like kubelet's per-call configMaps/secrets maps. */
class ObjectLookups {
  private readonly configMaps = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<Secret | undefined>>();

  constructor(
    private readonly objects: ObjectSource,
    private readonly namespace: string,
  ) {}

  /** The configmap, undefined when it is missing and optional; throws kubelet's error when missing and required. */
  async configMap(name: string, optional: boolean): Promise<ConfigMap | undefined> {
    let pending = this.configMaps.get(name);
    if (pending === undefined) {
      pending = this.objects.configMap(this.namespace, name);
      this.configMaps.set(name, pending);
    }
    const found = await fetched(pending, `configmap "${name}"`);
    if (found === undefined && !optional) throw configError(`configmap "${name}" not found`);
    return found;
  }

  async secret(name: string, optional: boolean): Promise<Secret | undefined> {
    let pending = this.secrets.get(name);
    if (pending === undefined) {
      pending = this.objects.secret(this.namespace, name);
      this.secrets.set(name, pending);
    }
    const found = await fetched(pending, `secret "${name}"`);
    if (found === undefined && !optional) throw configError(`secret "${name}" not found`);
    return found;
  }
}

/** A failed lookup (store or cloud unreachable) is still a config error for the container, naming the object. */
async function fetched<T>(pending: Promise<T>, what: string): Promise<T> {
  try {
    return await pending;
  } catch (err) {
    throw configError(`failed to get ${what}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
