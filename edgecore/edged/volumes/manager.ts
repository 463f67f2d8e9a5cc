import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parseQuantity } from '../../../pkg/apiserver/builtin/util/quantity';
import type { Pod, Volume } from '../api';
import type { ObjectSource } from '../object-source';
import { PodConfigError, PodConfigReason } from '../pod-errors';
import { writeAtomically, type Payload } from './atomic-writer';
import { checkHostPath } from './host-path';
import { systemMounter, type Mounter } from './mounts';
import { configMapPayload, DEFAULT_FILE_MODE, downwardAPIPayload, mergePayloads, PayloadError, secretPayload, type DownwardAPIFile, type Ownership } from './payload';
import { TokenCache } from './tokens';

/** What the volume manager logs through; a pino Logger fits. */
export interface VolumeLog {
  debug(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

export interface VolumeManagerOptions {
  /** kubelet's root directory (edged rootDirectory, default /var/lib/kubelet); pod volumes live in pods/<uid>/volumes. */
  rootDirectory: string;
  objects: ObjectSource;
  log: VolumeLog;
  /** Default: mount(8)/umount(8). */
  mounter?: Mounter;
  /**
   * kubelet keeps secret and projected volumes on tmpfs so their content never reaches the disk. Default true; when
   * the mount fails (not root), edged writes to disk instead and warns once per volume.
   */
  secretsInMemory?: boolean;
  now?: () => number;
}

/** The plugin folder names kubelet uses, so tools that look under /var/lib/kubelet/pods find the same layout. */
const PLUGIN_DIR = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  projected: 'kubernetes.io~projected',
  downwardAPI: 'kubernetes.io~downward-api',
} as const;

const SUPPORTED = ['emptyDir', 'hostPath', 'configMap', 'secret', 'projected', 'downwardAPI'];
/** Volume fields that are not sources. */
const NOT_SOURCES = new Set(['name']);

/**
 * Sets up a pod's volumes on the host before its containers are created (kubelet's volume manager, without
 * attach/detach: edged supports only node-local sources). Every method is idempotent and calls for one pod are
 * serialized, so the pod worker's prepare and a configmap notice's refresh cannot interleave.
 */
export class VolumeManager {
  private readonly mounter: Mounter;
  private readonly secretsInMemory: boolean;
  private readonly tokens: TokenCache;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Secret folders already warned about (a failed tmpfs mount is retried at every sync; warn once). */
  private readonly warnedOnDisk = new Set<string>();

  constructor(private readonly options: VolumeManagerOptions) {
    this.mounter = options.mounter ?? systemMounter;
    this.secretsInMemory = options.secretsInMemory ?? true;
    this.tokens = new TokenCache(options.objects, options.now ?? Date.now);
  }

  /** `<root>/pods/<uid>`: the pod's folder (volumes, and whatever else the pod worker keeps per pod). */
  podDir(uid: string): string {
    return join(this.options.rootDirectory, 'pods', uid);
  }

  /**
   * Makes every volume of the pod ready and returns volume name -> host path to bind-mount. A volume that cannot be
   * set up throws PodConfigError(FailedMount, `MountVolume.SetUp failed for volume "x" : <why>`); the volumes before
   * it stay set up (the next call resumes).
   */
  async prepare(pod: Pod): Promise<Map<string, string>> {
    return this.serialized(uidOf(pod), async () => {
      const paths = new Map<string, string>();
      for (const volume of pod.spec.volumes ?? []) paths.set(volume.name, await this.setUp(pod, volume, false));
      return paths;
    });
  }

  /**
   * Rewrites the object-backed volumes (configMap, secret, projected, downwardAPI) of a prepared pod from the
   * current objects, atomically (a container sees the old or the new version, never a mix). emptyDir and hostPath
   * are left alone. Errors as prepare; the previous content stays in place.
   */
  async refresh(pod: Pod): Promise<void> {
    return this.serialized(uidOf(pod), async () => {
      for (const volume of pod.spec.volumes ?? []) {
        if (volume.hostPath !== undefined || volume.emptyDir !== undefined) continue;
        await this.setUp(pod, volume, true);
      }
    });
  }

  /** Unmounts and removes everything under the pod's folder. Safe for a pod that was never prepared. */
  cleanup(uid: string): Promise<void> {
    return this.serialized(uid, async () => {
      const dir = this.podDir(uid);
      for (const point of await this.mounter.mountsUnder(dir)) await this.mounter.unmount(point);
      await fs.rm(dir, { recursive: true, force: true });
      this.tokens.forget(uid);
      for (const warned of this.warnedOnDisk) if (warned.startsWith(`${dir}/`)) this.warnedOnDisk.delete(warned);
    });
  }

  /** uids that have a folder under <root>/pods (to clean up pods that are gone after a restart). */
  async podsOnDisk(): Promise<string[]> {
    try {
      return await fs.readdir(join(this.options.rootDirectory, 'pods'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async setUp(pod: Pod, volume: Volume, refreshing: boolean): Promise<string> {
    try {
      return await this.setUpSource(pod, volume, refreshing);
    } catch (err) {
      // Bad sources and unreachable objects alike: the pod waits in ContainerCreating and the worker retries.
      const why = err instanceof Error ? err.message : String(err);
      throw new PodConfigError(PodConfigReason.FailedMount, `MountVolume.SetUp failed for volume "${volume.name}" : ${why}`, { cause: err });
    }
  }

  private async setUpSource(pod: Pod, volume: Volume, refreshing: boolean): Promise<string> {
    const uid = uidOf(pod);
    const namespace = pod.metadata.namespace ?? 'default';
    const ownership: Ownership = pod.spec.securityContext?.fsGroup === undefined ? {} : { fsGroup: pod.spec.securityContext.fsGroup };
    const sources = Object.keys(volume).filter((key) => !NOT_SOURCES.has(key) && volume[key] !== undefined && volume[key] !== null);
    if (sources.length === 0) throw new PayloadError(`no volume source set; set one of ${SUPPORTED.join(', ')}`);
    if (sources.length > 1) throw new PayloadError(`more than one volume source set (${sources.join(', ')}); set exactly one`);

    if (volume.hostPath !== undefined) {
      const problem = await checkHostPath(volume.hostPath.path, volume.hostPath.type);
      if (problem !== undefined) throw new PayloadError(problem);
      return volume.hostPath.path;
    }
    if (volume.emptyDir !== undefined) {
      const dir = this.volumeDir(uid, PLUGIN_DIR.emptyDir, volume.name);
      await this.emptyDir(dir, volume.emptyDir.medium === 'Memory', volume.emptyDir.sizeLimit, ownership);
      return dir;
    }
    if (volume.configMap !== undefined) {
      const source = volume.configMap;
      const dir = this.volumeDir(uid, PLUGIN_DIR.configMap, volume.name);
      const configMap = await this.options.objects.configMap(namespace, source.name ?? '');
      let payload: Payload = new Map();
      if (configMap !== undefined) payload = configMapPayload(configMap, source.items, source.defaultMode ?? DEFAULT_FILE_MODE, source.optional === true, ownership);
      else if (source.optional !== true) throw new PayloadError(`configmap "${source.name ?? ''}" not found`);
      await this.write(dir, payload, false, refreshing);
      return dir;
    }
    if (volume.secret !== undefined) {
      const source = volume.secret;
      const dir = this.volumeDir(uid, PLUGIN_DIR.secret, volume.name);
      const secret = await this.options.objects.secret(namespace, source.secretName ?? '');
      let payload: Payload = new Map();
      if (secret !== undefined) payload = secretPayload(secret, source.items, source.defaultMode ?? DEFAULT_FILE_MODE, source.optional === true, ownership);
      else if (source.optional !== true) throw new PayloadError(`secret "${source.secretName ?? ''}" not found`);
      await this.write(dir, payload, true, refreshing);
      return dir;
    }
    if (volume.projected !== undefined) {
      const dir = this.volumeDir(uid, PLUGIN_DIR.projected, volume.name);
      await this.write(dir, await this.projectedPayload(pod, volume, ownership), true, refreshing);
      return dir;
    }
    if (volume['downwardAPI'] !== undefined) {
      const source = volume['downwardAPI'] as { items?: DownwardAPIFile[]; defaultMode?: number };
      const dir = this.volumeDir(uid, PLUGIN_DIR.downwardAPI, volume.name);
      const payload = downwardAPIPayload(pod, source.items ?? [], source.defaultMode ?? DEFAULT_FILE_MODE, runtimeFieldsForVolumes(pod), ownership);
      await this.write(dir, payload, false, refreshing);
      return dir;
    }
    throw new PayloadError(`unsupported volume source ${sources[0]}; edged supports ${SUPPORTED.join(', ')}`);
  }

  private async projectedPayload(pod: Pod, volume: Volume, ownership: Ownership): Promise<Payload> {
    const projected = volume.projected ?? {};
    const namespace = pod.metadata.namespace ?? 'default';
    const defaultMode = projected.defaultMode ?? DEFAULT_FILE_MODE;
    const payload: Payload = new Map();
    for (const source of projected.sources ?? []) {
      if (source.configMap !== undefined) {
        const { name = '', items, optional = false } = source.configMap;
        const configMap = await this.options.objects.configMap(namespace, name);
        if (configMap === undefined) {
          if (optional) continue;
          throw new PayloadError(`configmap "${name}" not found`);
        }
        mergePayloads(payload, configMapPayload(configMap, items, defaultMode, optional, ownership));
      } else if (source.secret !== undefined) {
        const { name = '', items, optional = false } = source.secret;
        const secret = await this.options.objects.secret(namespace, name);
        if (secret === undefined) {
          if (optional) continue;
          throw new PayloadError(`secret "${name}" not found`);
        }
        mergePayloads(payload, secretPayload(secret, items, defaultMode, optional, ownership));
      } else if (source.downwardAPI !== undefined) {
        const items = (source.downwardAPI as { items?: DownwardAPIFile[] }).items ?? [];
        mergePayloads(payload, downwardAPIPayload(pod, items, defaultMode, runtimeFieldsForVolumes(pod), ownership));
      } else if (source.serviceAccountToken !== undefined) {
        const token = await this.tokens.get(pod, volume.name, source.serviceAccountToken);
        const projection: Payload = new Map([[source.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode }]]);
        if (ownership.fsGroup !== undefined) projection.set(source.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode | 0o440, gid: ownership.fsGroup });
        mergePayloads(payload, projection);
      } else {
        const kinds = Object.keys(source).join(', ') || 'none';
        throw new PayloadError(`unsupported projected source (${kinds}); edged supports configMap, secret, downwardAPI, serviceAccountToken`);
      }
    }
    return payload;
  }

  private volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.podDir(uid), 'volumes', plugin, name);
  }

  /** emptyDir: a 0777 folder (any container user may write), on tmpfs for medium Memory. */
  private async emptyDir(dir: string, memory: boolean, sizeLimit: string | number | undefined, ownership: Ownership): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    if (memory && !(await this.isMountPoint(dir))) {
      const size = sizeLimit === undefined ? undefined : bytes(sizeLimit);
      try {
        await this.mounter.mountTmpfs(dir, size);
      } catch (err) {
        throw new PayloadError(
          `emptyDir medium Memory needs a tmpfs mount, which failed (${err instanceof Error ? err.message : String(err)}); run edgecore as root or drop medium: Memory`,
        );
      }
    }
    await fs.chmod(dir, 0o777);
    if (ownership.fsGroup !== undefined && process.getuid?.() === 0) {
      await fs.chown(dir, -1, ownership.fsGroup);
      await fs.chmod(dir, 0o2777);
    }
  }

  /** Writes an object-backed volume; secrets go on tmpfs when possible (see secretsInMemory). */
  private async write(dir: string, payload: Payload, sensitive: boolean, refreshing: boolean): Promise<void> {
    if (!refreshing) await fs.mkdir(dir, { recursive: true });
    else if (!(await exists(dir))) return; // Not prepared (yet): prepare will write it.
    if (sensitive && this.secretsInMemory && !(await this.isMountPoint(dir))) {
      try {
        await this.mounter.mountTmpfs(dir, undefined);
      } catch (err) {
        if (!this.warnedOnDisk.has(dir)) {
          this.warnedOnDisk.add(dir);
          this.options.log.warn({ dir, err: err instanceof Error ? err.message : String(err) }, 'cannot mount tmpfs for a secret volume; writing it to disk');
        }
      }
    }
    if (await writeAtomically(dir, payload)) this.options.log.debug({ dir, files: payload.size }, 'volume content written');
  }

  private async isMountPoint(dir: string): Promise<boolean> {
    return (await this.mounter.mountsUnder(dir)).includes(dir);
  }

  private serialized<T>(uid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uid) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(uid, settled);
    void settled.then(() => {
      if (this.locks.get(uid) === settled) this.locks.delete(uid);
    });
    return next;
  }
}

/** downwardAPI volumes may only name metadata fields, so the runtime values are never read. */
function runtimeFieldsForVolumes(pod: Pod): { nodeName: string; hostIP: string; podIP: string } {
  return { nodeName: pod.spec.nodeName ?? '', hostIP: '', podIP: '' };
}

function uidOf(pod: Pod): string {
  const uid = pod.metadata.uid;
  if (uid === undefined || uid === '' || uid.includes('/') || uid.startsWith('.')) {
    throw new PodConfigError(PodConfigReason.FailedMount, `pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} has no usable metadata.uid (${JSON.stringify(uid)})`);
  }
  return uid;
}

function bytes(quantity: string | number): number {
  const q = parseQuantity(quantity);
  if (q === undefined || q.numerator < 0n) throw new PayloadError(`emptyDir sizeLimit ${JSON.stringify(quantity)} is not a non-negative quantity`);
  const scale = 10n ** BigInt(q.scale);
  return Number((q.numerator + scale - 1n) / scale);
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
