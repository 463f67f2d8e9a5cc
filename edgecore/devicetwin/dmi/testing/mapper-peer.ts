/**
 * The mapper side, for tests: a real DeviceMapperService gRPC server on a unix socket that records every call edgecore
 * makes and answers like KubeEdge's mapper framework, and a real DeviceManagerService client to register and report
 * with. Failures can be injected per method.
 */
import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  DeviceManagerServiceClient,
  DeviceMapperServiceService,
  type DeviceMapperServiceServer,
  type MapperRegisterRequest,
  type MapperRegisterResponse,
  type ReportDeviceStatesRequest,
  type ReportDeviceStatusRequest,
} from '../../../../gen/kubeedge/dmi/v1beta1/api';

export interface RecordedCall {
  method: string;
  request: unknown;
}

type Method = keyof DeviceMapperServiceServer & string;

export class MapperPeer {
  readonly calls: RecordedCall[] = [];
  /** Method -> how many of its next calls fail with UNAVAILABLE. */
  readonly failNext = new Map<Method, number>();
  private server: Server | undefined;

  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    const server = new Server();
    const record =
      <Q, R>(method: Method, answer: (request: Q) => R) =>
      (call: { request: Q }, callback: (error: Partial<ServiceError> | null, response?: R) => void): void => {
        this.calls.push({ method, request: call.request });
        const failures = this.failNext.get(method) ?? 0;
        if (failures > 0) {
          this.failNext.set(method, failures - 1);
          callback({ code: status.UNAVAILABLE, details: `${method} failed on purpose` });
          return;
        }
        callback(null, answer(call.request));
      };
    const implementation: DeviceMapperServiceServer = {
      registerDevice: record('registerDevice', (r: { device?: { name: string; namespace: string } }) => ({
        deviceName: r.device?.name ?? '',
        deviceNamespace: r.device?.namespace ?? '',
      })),
      removeDevice: record('removeDevice', () => ({})),
      updateDevice: record('updateDevice', () => ({})),
      createDeviceModel: record('createDeviceModel', (r: { model?: { name: string; namespace: string } }) => ({
        deviceModelName: r.model?.name ?? '',
        deviceModelNamespace: r.model?.namespace ?? '',
      })),
      removeDeviceModel: record('removeDeviceModel', () => ({})),
      updateDeviceModel: record('updateDeviceModel', () => ({})),
      getDevice: record('getDevice', () => ({})),
    };
    server.addService(DeviceMapperServiceService, implementation);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${this.socketPath}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
    this.server = server;
  }

  /** Like a mapper process dying: connections are cut and the socket goes away. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  async waitForCalls(count: number, timeoutMs = 5000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.calls.length < count) {
      if (Date.now() > deadline) throw new Error(`mapper got ${this.calls.length} calls (${this.methods().join(', ')}), expected ${count}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.calls;
  }
}

/** A DeviceManagerService client, as a mapper uses it. */
export class ManagerClient {
  private readonly client: DeviceManagerServiceClient;

  constructor(dmiSocket: string) {
    this.client = new DeviceManagerServiceClient(`unix://${dmiSocket}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  register(request: MapperRegisterRequest): Promise<MapperRegisterResponse> {
    return new Promise((resolve, reject) =>
      this.client.mapperRegister(request, new Metadata(), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r))),
    );
  }

  reportStatus(request: ReportDeviceStatusRequest): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.reportDeviceStatus(request, new Metadata(), { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())),
    );
  }

  reportStates(request: ReportDeviceStatesRequest): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.reportDeviceStates(request, new Metadata(), { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** MapperInfo as KubeEdge's mapper framework sends it. */
export function mapperInfo(name: string, protocol: string, socketPath: string): MapperRegisterRequest {
  return {
    withData: true,
    mapper: { name, version: 'v1.0.0', apiVersion: 'v1beta1', protocol, address: Buffer.from(socketPath), state: 'ok' },
  };
}
