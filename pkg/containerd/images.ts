/** The local test images: built from Debian packages by build-images.sh (no registry is reachable) and imported. */
import { join } from 'node:path';
import { runScript, SCRIPTS_DIR } from './containerd';
import { connectCri, criCall } from './cri';
import { ContainerdError } from './errors';

/** Image names as a pod spec writes them; the CRI reports these as repoTags. */
export const TEST_IMAGES = {
  /** The sandbox image start.sh configures (sandbox_image): a static pause that exits on SIGTERM/SIGINT. */
  pause: 'docker.io/kubeedge/pause:3.6',
  /** busybox 1.35 (busybox-static) with every applet on PATH, /etc/passwd, /etc/group, /tmp. */
  busybox: 'docker.io/library/busybox:1.35',
  /** The same image as `busybox`. */
  busyboxLatest: 'docker.io/library/busybox:latest',
} as const;

/** Where build-images.sh caches its OCI archives unless told otherwise. */
export const DEFAULT_IMAGE_CACHE = join(SCRIPTS_DIR, '../../.tmp/images');

export interface EnsureTestImagesOptions {
  /** Folder of cached OCI archives. Default DEFAULT_IMAGE_CACHE (<repo>/.tmp/images). */
  cacheDir?: string;
}

/**
 * Makes every TEST_IMAGES image present in the containerd at `endpoint` (namespace k8s.io): builds the archives once
 * (~1 s), then imports them (~0.2 s). Throws ContainerdError IMAGES_FAILED with the script's message, or when the CRI
 * still does not list an image afterwards.
 */
export async function ensureTestImages(endpoint: string, options: EnsureTestImagesOptions = {}): Promise<void> {
  const result = await runScript('build-images.sh', [endpoint], { IMAGE_CACHE: options.cacheDir ?? DEFAULT_IMAGE_CACHE });
  if (result.code !== 0) {
    throw new ContainerdError('IMAGES_FAILED', `pkg/containerd/build-images.sh ${endpoint} failed:\n${result.stderr.trim()}`);
  }
  const conn = connectCri(endpoint);
  try {
    for (const image of Object.values(TEST_IMAGES)) {
      const status = await criCall(conn.image, conn.image.imageStatus, {
        image: { image, annotations: {}, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' },
        verbose: false,
      });
      if (!status.image) {
        throw new ContainerdError('IMAGES_FAILED', `${image} is absent from the CRI of ${endpoint} after build-images.sh`);
      }
    }
  } finally {
    conn.close();
  }
}
