/**
 * Image policy, as kubelet's imageManager.EnsureImageExists: honour imagePullPolicy, report ErrImageNeverPull,
 * ErrImagePull then ImagePullBackOff (with back-off between pulls), and record the same events.
 */
import type { Container, Pod } from '../api';
import type { CriClient } from '../cri';
import type { KeyedBackoff } from './backoff';
import type { EventType } from './types';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
    /** When to try again (back-off), if known. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The API server's default: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicy(container: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  const image = container.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export interface EnsureImageDeps {
  cri: CriClient;
  backoff: KeyedBackoff;
  recordEvent(type: EventType, reason: string, message: string): void;
  now(): number;
}

/** Makes sure the container's image is present; returns its image reference. Throws ImageError. */
export async function ensureImage(deps: EnsureImageDeps, pod: Pod, container: Container): Promise<string> {
  const image = container.image ?? '';
  if (image.trim() === '') {
    const msg = `container "${container.name}" has no image`;
    deps.recordEvent('Warning', 'InspectFailed', msg);
    throw new ImageError('InvalidImageName', msg);
  }
  const policy = pullPolicy(container);
  const present = await deps.cri.imageStatus(image);
  if (present !== undefined && policy !== 'Always') {
    deps.recordEvent('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return present.id;
  }
  if (policy === 'Never') {
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    deps.recordEvent('Warning', 'ErrImageNeverPull', msg);
    throw new ImageError('ErrImageNeverPull', msg);
  }
  const key = `${pod.metadata.uid}/${image}`;
  const wait = deps.backoff.remainingSinceUpdate(key);
  if (wait > 0) {
    const msg = `Back-off pulling image "${image}"`;
    deps.recordEvent('Normal', 'BackOff', msg);
    throw new ImageError('ImagePullBackOff', msg, wait);
  }
  deps.recordEvent('Normal', 'Pulling', `Pulling image "${image}"`);
  const started = deps.now();
  try {
    const ref = await deps.cri.pullImage(image);
    deps.backoff.forget(key);
    const seconds = ((deps.now() - started) / 1000).toFixed(3);
    deps.recordEvent('Normal', 'Pulled', `Successfully pulled image "${image}" in ${seconds}s`);
    return ref;
  } catch (err) {
    deps.backoff.next(key, deps.now());
    const detail = err instanceof Error ? err.message : String(err);
    const msg = `Failed to pull image "${image}": ${detail}`;
    deps.recordEvent('Warning', 'Failed', msg);
    throw new ImageError('ErrImagePull', msg, deps.backoff.remainingSinceUpdate(key));
  }
}
