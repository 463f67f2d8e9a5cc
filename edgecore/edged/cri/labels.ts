/**
 * Label and annotation keys edged puts on CRI sandboxes and containers. They are kubelet's own keys, so tools that
 * know kubelet (crictl, nerdctl) show our pods the same way, and so edged can find its pods again after a restart.
 */

export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const POD_UID = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
/** Marks a sandbox/container as created by edged (kubelet uses io.kubernetes.docker.type / container type labels). */
export const MANAGED_BY = 'io.kubeedge.edged.managed';

/** Annotations on containers. */
export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const CONTAINER_INIT = 'io.kubeedge.container.init';
export const POD_TERMINATION_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
