/** Which protobuf message holds which Kubernetes kind. */

const CORE = 'k8s.io.api.core.v1';

/** `apiVersion/kind` → message. Only kinds this server serves; every message they reach is in proto/k8s. */
const KINDS: ReadonlyMap<string, string> = new Map([
  ...['Pod', 'ConfigMap', 'Secret', 'Service', 'Endpoints', 'Namespace', 'Node', 'Event', 'ServiceAccount', 'Binding'].map(
    (kind): [string, string] => [`v1/${kind}`, `${CORE}.${kind}`],
  ),
  ...['Deployment', 'ReplicaSet', 'DaemonSet'].map((kind): [string, string] => [`apps/v1/${kind}`, `k8s.io.api.apps.v1.${kind}`]),
  ['coordination.k8s.io/v1/Lease', 'k8s.io.api.coordination.v1.Lease'],
  ['events.k8s.io/v1/Event', 'k8s.io.api.events.v1.Event'],
  ['autoscaling/v1/Scale', 'k8s.io.api.autoscaling.v1.Scale'],
]);

/**
 * Kinds that every group version registers (client-go sends a DELETE's options with the version of the resource's
 * group, e.g. apps/v1 DeleteOptions), so their message does not depend on the apiVersion.
 */
const OPTION_KINDS: ReadonlyMap<string, string> = new Map([['DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions']]);

/** The message of a kind, or undefined when this server has no protobuf schema for it. */
export function protobufMessageOf(apiVersion: string, kind: string): string | undefined {
  return OPTION_KINDS.get(kind) ?? KINDS.get(`${apiVersion}/${kind}`);
}

/** Whether a kind is version-independent (see OPTION_KINDS). */
export function isOptionsKind(kind: string): boolean {
  return OPTION_KINDS.has(kind);
}

/** Every `apiVersion/kind` that can arrive as protobuf, for discovery and tests. */
export function protobufKinds(): { apiVersion: string; kind: string }[] {
  return [...KINDS.keys()].map((key) => {
    const slash = key.lastIndexOf('/');
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}
