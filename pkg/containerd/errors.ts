/** Errors of the local containerd helpers. Callers branch on `code`, never on message text. */

export type ContainerdErrorCode =
  /** A package (containerd, runc, CNI plugins, gcc, busybox-static) is missing: run install.sh as root. */
  | 'NOT_INSTALLED'
  /** start.sh failed or the CRI never answered. */
  | 'START_FAILED'
  /** build-images.sh failed or an image is still absent from the CRI afterwards. */
  | 'IMAGES_FAILED'
  /** containerd did not exit after SIGKILL. */
  | 'STOP_FAILED'
  /** A CRI call failed (containerd down, wrong socket, deadline). */
  | 'CRI_FAILED';

export class ContainerdError extends Error {
  constructor(
    readonly code: ContainerdErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ContainerdError';
  }
}
