import type { ConfigMap, Pod, Secret } from './api';

/** What a projected serviceAccountToken source asks for; the token is bound to the pod, as kubelet requests it. */
export interface ServiceAccountTokenRequest {
  namespace: string;
  serviceAccountName: string;
  audience?: string;
  /** kubelet's default is 3607 s (1 h plus slack); the API server may shorten it. */
  expirationSeconds: number;
  boundPod: { name: string; uid: string };
}

export interface ServiceAccountToken {
  token: string;
  /** RFC 3339; when absent the token is treated as valid for expirationSeconds. */
  expirationTimestamp?: string;
}

/**
 * Where edged reads the objects a pod refers to (metamanager: local store offline, the cloud online). `undefined`
 * means "does not exist"; a rejection means "could not ask" and is reported as-is (the pod worker retries).
 */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Absent when the edge cannot mint tokens; projected token volumes then fail with a clear reason. */
  serviceAccountToken?(request: ServiceAccountTokenRequest): Promise<ServiceAccountToken | undefined>;
}

/** Decodes a Secret's values (data is base64; stringData is the write-only plain form, which wins as in the API). */
export function secretData(secret: Secret): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) out[key] = Buffer.from(value, 'base64');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out[key] = Buffer.from(value, 'utf8');
  return out;
}

/** A ConfigMap's values: data as UTF-8 text, binaryData decoded from base64. */
export function configMapData(configMap: ConfigMap): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(configMap.data ?? {})) out[key] = Buffer.from(value, 'utf8');
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) out[key] = Buffer.from(value, 'base64');
  return out;
}

/**
 * The configmaps and secrets a pod reads (volumes, projected sources, env, envFrom), by name in the pod's namespace:
 * when one changes, the pods naming it need volumes.refresh (env is only read at container start, as in kubelet).
 */
export function podReferences(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.configMap?.name) configMaps.add(volume.configMap.name);
    if (volume.secret?.secretName) secrets.add(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name) configMaps.add(source.configMap.name);
      if (source.secret?.name) secrets.add(source.secret.name);
    }
  }
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
      if (from.secretRef?.name) secrets.add(from.secretRef.name);
    }
    for (const variable of container.env ?? []) {
      if (variable.valueFrom?.configMapKeyRef?.name) configMaps.add(variable.valueFrom.configMapKeyRef.name);
      if (variable.valueFrom?.secretKeyRef?.name) secrets.add(variable.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps, secrets };
}
