import type { Pod } from '../api';

/** Values kubelet knows about a pod that are not in its spec yet (the pod worker fills them in). */
export interface PodRuntimeFields {
  nodeName: string;
  hostIP: string;
  podIP: string;
  /** All pod IPs (dual stack); defaults to [podIP]. */
  podIPs?: string[];
  hostIPs?: string[];
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/**
 * The value of a downward API fieldPath, as kubelet's podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString
 * compute it. Returns an Error (not thrown) for an unsupported path so callers can word it for their context.
 * `metadata.labels` / `metadata.annotations` (whole maps) are only allowed in downward API volumes (`allowMaps`).
 */
export function fieldPathValue(pod: Pod, fieldPath: string, fields: PodRuntimeFields, allowMaps = false): string | Error {
  const meta = pod.metadata;
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? fields.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return fields.hostIP;
    case 'status.hostIPs':
      return (fields.hostIPs ?? [fields.hostIP]).join(',');
    case 'status.podIP':
      return fields.podIP;
    case 'status.podIPs':
      return (fields.podIPs ?? [fields.podIP]).join(',');
    case 'metadata.labels':
      return allowMaps ? formatMap(meta.labels) : new Error(`unsupported fieldPath: ${fieldPath}`);
    case 'metadata.annotations':
      return allowMaps ? formatMap(meta.annotations) : new Error(`unsupported fieldPath: ${fieldPath}`);
  }
  const subscript = SUBSCRIPT.exec(fieldPath);
  if (subscript !== null) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscript[2] as string] ?? '';
  }
  return new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** kubelet's fieldpath.FormatMap: sorted `key="value"` lines, values quoted like Go's %q. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify((map as Record<string, string>)[key])}`)
    .join('\n');
}
