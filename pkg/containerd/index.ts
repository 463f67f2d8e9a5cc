/**
 * A private containerd for tests and development, and the local test images. Scripts beside this file do the work
 * (install.sh, start.sh, stop.sh, build-images.sh); these helpers run them and check the result through the CRI.
 */
export {
  checkContainerdInstalled,
  DEFAULT_CNI_SUBNET,
  startContainerd,
  type RunningContainerd,
  type StartContainerdOptions,
  type StopContainerdOptions,
} from './containerd';
export { connectCri, criCall, removeAllSandboxes, waitForCri, CRI_CALL_TIMEOUT_MS, type CriConnection } from './cri';
export { ContainerdError, type ContainerdErrorCode } from './errors';
export { DEFAULT_IMAGE_CACHE, ensureTestImages, TEST_IMAGES, type EnsureTestImagesOptions } from './images';

