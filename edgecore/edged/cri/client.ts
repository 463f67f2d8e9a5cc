/**
 * A promise-based client for the CRI runtime.v1 API (containerd's RuntimeService and ImageService) over a unix
 * socket. Every call has a deadline; failures are CriErrors that carry the gRPC code and name the endpoint.
 */
import { credentials, Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import {
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ImageServiceClient,
  PodSandboxConfig,
  PodSandboxFilter,
  RuntimeServiceClient,
  CgroupDriver,
  type Container,
  type Image,
  type PodSandbox,
  type PodSandboxStatus,
  type RuntimeCondition,
} from '../../../gen/runtime/v1/api';
import { CriError, isNotFound, toCriError } from './errors';
import { status as GrpcStatus } from '@grpc/grpc-js';

export interface CriClientOptions {
  /** `unix:///run/containerd/containerd.sock` or a plain socket path. */
  endpoint: string;
  /** Deadline of ordinary calls. Default 30 s (kubelet uses 2 min; a local runtime answers in milliseconds). */
  callTimeoutMs?: number;
  /** Deadline of PullImage. Default 5 min. */
  pullTimeoutMs?: number;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

type Callback<R> = (error: ServiceError | null, response: R) => void;
type Unary<Q, R> = (request: Q, metadata: Metadata, options: Partial<CallOptions>, callback: Callback<R>) => ClientUnaryCall;

export function normalizeEndpoint(endpoint: string): string {
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

export class CriClient {
  readonly endpoint: string;
  private readonly runtime: RuntimeServiceClient;
  private readonly images: ImageServiceClient;
  private readonly callTimeoutMs: number;
  private readonly pullTimeoutMs: number;

  constructor(options: CriClientOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 5 * 60_000;
    // containerd's messages (ListContainers with many exited containers) can exceed grpc's 4 MB default.
    const channelOptions = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 };
    this.runtime = new RuntimeServiceClient(this.endpoint, credentials.createInsecure(), channelOptions);
    this.images = new ImageServiceClient(this.endpoint, credentials.createInsecure(), channelOptions);
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }

  private call<Q, R>(method: string, fn: Unary<Q, R>, target: object, request: Q, timeoutMs = this.callTimeoutMs): Promise<R> {
    return new Promise((resolve, reject) => {
      fn.call(target, request, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error) reject(toCriError(method, this.endpoint, error));
        else resolve(response);
      });
    });
  }

  /** The runtime's name and version; throws unless it speaks CRI v1. */
  async version(): Promise<RuntimeVersion> {
    const r = await this.call('Version', this.runtime.version, this.runtime, { version: 'v1' });
    if (r.runtimeApiVersion !== 'v1' && r.runtimeApiVersion !== '0.1.0') {
      throw new CriError(
        'Version',
        this.endpoint,
        GrpcStatus.FAILED_PRECONDITION,
        `runtime ${r.runtimeName} ${r.runtimeVersion} speaks CRI ${r.runtimeApiVersion}; edged needs runtime.v1 (containerd >= 1.6)`,
      );
    }
    return { runtimeName: r.runtimeName, runtimeVersion: r.runtimeVersion, runtimeApiVersion: r.runtimeApiVersion };
  }

  /** RuntimeReady / NetworkReady conditions. */
  async status(): Promise<RuntimeCondition[]> {
    const r = await this.call('Status', this.runtime.status, this.runtime, { verbose: false });
    return r.status?.conditions ?? [];
  }

  /**
   * The runtime's cgroup driver: from RuntimeConfig (containerd 1.7+), else from the CRI config that containerd 1.6
   * shows in a verbose Status (`containerd.runtimes.<default>.options.SystemdCgroup`); undefined when neither says.
   */
  async cgroupDriver(): Promise<'systemd' | 'cgroupfs' | undefined> {
    try {
      const r = await this.call('RuntimeConfig', this.runtime.runtimeConfig, this.runtime, {});
      if (r.linux !== undefined) return r.linux.cgroupDriver === CgroupDriver.SYSTEMD ? 'systemd' : 'cgroupfs';
    } catch (err) {
      if (!(err instanceof CriError && err.code === GrpcStatus.UNIMPLEMENTED)) throw err;
    }
    const r = await this.call('Status', this.runtime.status, this.runtime, { verbose: true });
    return cgroupDriverOfConfig(r.info['config']);
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const r = await this.call('RunPodSandbox', this.runtime.runPodSandbox, this.runtime, {
      config: PodSandboxConfig.fromPartial(config),
      runtimeHandler,
    });
    return r.podSandboxId;
  }

  /** Stops the sandbox and every container in it (SIGKILL); idempotent, a missing sandbox is fine. */
  async stopPodSandbox(id: string): Promise<void> {
    await this.ignoreNotFound(this.call('StopPodSandbox', this.runtime.stopPodSandbox, this.runtime, { podSandboxId: id }));
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.ignoreNotFound(this.call('RemovePodSandbox', this.runtime.removePodSandbox, this.runtime, { podSandboxId: id }));
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    try {
      const r = await this.call('PodSandboxStatus', this.runtime.podSandboxStatus, this.runtime, { podSandboxId: id, verbose: false });
      return r.status;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listPodSandbox(filter?: Partial<PodSandboxFilter>): Promise<PodSandbox[]> {
    const r = await this.call('ListPodSandbox', this.runtime.listPodSandbox, this.runtime, {
      filter: filter === undefined ? undefined : PodSandboxFilter.fromPartial(filter),
    });
    return r.items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.call('CreateContainer', this.runtime.createContainer, this.runtime, {
      podSandboxId,
      config: ContainerConfig.fromPartial(config),
      sandboxConfig: PodSandboxConfig.fromPartial(sandboxConfig),
    });
    return r.containerId;
  }

  async startContainer(id: string): Promise<void> {
    await this.call('StartContainer', this.runtime.startContainer, this.runtime, { containerId: id });
  }

  /** SIGTERM, then SIGKILL after timeoutSeconds (0 = kill at once). Idempotent. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    await this.ignoreNotFound(
      this.call('StopContainer', this.runtime.stopContainer, this.runtime, { containerId: id, timeout }, timeout * 1000 + this.callTimeoutMs),
    );
  }

  async removeContainer(id: string): Promise<void> {
    await this.ignoreNotFound(this.call('RemoveContainer', this.runtime.removeContainer, this.runtime, { containerId: id }));
  }

  async listContainers(filter?: Partial<ContainerFilter>): Promise<Container[]> {
    const r = await this.call('ListContainers', this.runtime.listContainers, this.runtime, {
      filter: filter === undefined ? undefined : ContainerFilter.fromPartial(filter),
    });
    return r.containers;
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    try {
      const r = await this.call('ContainerStatus', this.runtime.containerStatus, this.runtime, { containerId: id, verbose: false });
      return r.status === undefined ? undefined : ContainerStatus.fromPartial(r.status);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Runs a command in a running container; timeoutSeconds 0 means no limit on the runtime side. */
  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    const r = await this.call(
      'ExecSync',
      this.runtime.execSync,
      this.runtime,
      { containerId: id, cmd, timeout },
      (timeout || 60) * 1000 + this.callTimeoutMs,
    );
    return { exitCode: r.exitCode, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) };
  }

  /** The image if present in the runtime's store, else undefined. */
  async imageStatus(image: string): Promise<Image | undefined> {
    const r = await this.call('ImageStatus', this.images.imageStatus, this.images, {
      image: { image, annotations: {}, userSpecifiedImage: image, runtimeHandler: '', imageRef: '' },
      verbose: false,
    });
    return r.image;
  }

  /** Pulls an image; returns its reference (image id). */
  async pullImage(image: string, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const r = await this.call(
      'PullImage',
      this.images.pullImage,
      this.images,
      {
        image: { image, annotations: {}, userSpecifiedImage: image, runtimeHandler: '', imageRef: '' },
        sandboxConfig: sandboxConfig === undefined ? undefined : PodSandboxConfig.fromPartial(sandboxConfig),
      },
      this.pullTimeoutMs,
    );
    return r.imageRef;
  }

  async listImages(): Promise<Image[]> {
    const r = await this.call('ListImages', this.images.listImages, this.images, {});
    return r.images;
  }

  async removeImage(image: string): Promise<void> {
    await this.ignoreNotFound(
      this.call('RemoveImage', this.images.removeImage, this.images, {
        image: { image, annotations: {}, userSpecifiedImage: image, runtimeHandler: '', imageRef: '' },
      }),
    );
  }

  private async ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

type CriConfig = { containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: { SystemdCgroup?: boolean } }> } };

/** The cgroup driver of containerd's default runtime, from the config JSON of a verbose CRI Status. */
export function cgroupDriverOfConfig(json: string | undefined): 'systemd' | 'cgroupfs' | undefined {
  if (json === undefined) return undefined;
  let config: CriConfig;
  try {
    config = JSON.parse(json) as CriConfig;
  } catch {
    return undefined;
  }
  const runtimes = config.containerd?.runtimes;
  const runtime = runtimes?.[config.containerd?.defaultRuntimeName ?? 'runc'];
  if (runtime === undefined) return undefined;
  return runtime.options?.SystemdCgroup === true ? 'systemd' : 'cgroupfs';
}
