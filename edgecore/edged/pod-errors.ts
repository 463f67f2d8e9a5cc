/**
 * Errors in a pod's inputs (volumes, env, probes, limits) that the runtime cannot run. They are not edged failures:
 * the pod worker turns them into a container's waiting reason and an event, as a kubelet does, and retries on the next
 * sync (the input may appear later, e.g. a configmap that arrives after the pod).
 */

/** The reasons a kubelet reports for bad pod inputs; the pod worker shows them as-is. */
export const PodConfigReason = {
  /**
   * env or envFrom names a configmap/secret/key that is missing, a fieldRef that is not supported, or a probe is
   * malformed. The container waits with this reason and a Failed event carries the message.
   */
  CreateContainerConfigError: 'CreateContainerConfigError',
  /** The runtime refused the container config (bad limits, bad mount...). */
  CreateContainerError: 'CreateContainerError',
  /**
   * A volume could not be set up. This is an event reason, not a waiting reason: kubelet leaves the containers
   * waiting in ContainerCreating and records a Warning FailedMount event with the message.
   */
  FailedMount: 'FailedMount',
} as const;
export type PodConfigReason = (typeof PodConfigReason)[keyof typeof PodConfigReason] | string;

export class PodConfigError extends Error {
  override readonly name = 'PodConfigError';

  /**
   * @param reason a kubelet reason (see PodConfigReason), shown as the container's waiting reason or the event reason
   * @param message what is wrong, kubelet-style: `configmap "x" not found`
   */
  constructor(
    readonly reason: PodConfigReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPodConfigError(err: unknown): err is PodConfigError {
  return err instanceof PodConfigError;
}
