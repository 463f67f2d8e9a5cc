/**
 * Edgecore's side of DMI for the Python mapper's tests: a grpc-js DeviceManagerService on a real unix socket that
 * records what the mapper sends, and a DeviceMapperService client to call the mapper. It stands in for edgecore only
 * in these tests; the end-to-end test runs the mapper against edgecore's own DMI server.
 */
import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  DeviceManagerServiceService,
  DeviceMapperServiceClient,
  type CreateDeviceModelRequest,
  type CreateDeviceModelResponse,
  type DeviceManagerServiceServer,
  type GetDeviceRequest,
  type GetDeviceResponse,
  type MapperRegisterRequest,
  type MapperRegisterResponse,
  type RegisterDeviceRequest,
  type RegisterDeviceResponse,
  type RemoveDeviceModelRequest,
  type RemoveDeviceModelResponse,
  type RemoveDeviceRequest,
  type RemoveDeviceResponse,
  type ReportDeviceStatesRequest,
  type ReportDeviceStatusRequest,
  type UpdateDeviceModelRequest,
  type UpdateDeviceModelResponse,
  type UpdateDeviceRequest,
  type UpdateDeviceResponse,
} from '../../../gen/kubeedge/dmi/v1beta1/api';

export interface Received<T> {
  atMs: number;
  request: T;
}

/** What MapperRegister answers: the response (withData), or a gRPC error. */
export type RegisterReply = MapperRegisterResponse | { code: status; details: string };

export class DmiPeer {
  readonly registrations: Received<MapperRegisterRequest>[] = [];
  readonly statuses: Received<ReportDeviceStatusRequest>[] = [];
  readonly states: Received<ReportDeviceStatesRequest>[] = [];

  private constructor(
    private readonly server: Server,
    private readonly registerReply: () => RegisterReply,
  ) {}

  static async start(socketPath: string, registerReply: () => RegisterReply): Promise<DmiPeer> {
    const server = new Server();
    const peer = new DmiPeer(server, registerReply);
    const implementation: DeviceManagerServiceServer = {
      mapperRegister: (call, callback) => {
        peer.registrations.push({ atMs: Date.now(), request: call.request });
        const reply = peer.registerReply();
        if ('code' in reply) callback({ code: reply.code, details: reply.details } as ServiceError);
        else callback(null, reply);
      },
      reportDeviceStatus: (call, callback) => {
        peer.statuses.push({ atMs: Date.now(), request: call.request });
        callback(null, {});
      },
      reportDeviceStates: (call, callback) => {
        peer.states.push({ atMs: Date.now(), request: call.request });
        callback(null, {});
      },
    };
    server.addService(DeviceManagerServiceService, implementation);
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return peer;
  }

  statusesOf(namespace: string, name: string): Received<ReportDeviceStatusRequest>[] {
    return this.statuses.filter((s) => s.request.deviceNamespace === namespace && s.request.deviceName === name);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

/** Polls `probe` until it returns something other than undefined; the error says what was awaited. */
export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Promise-returning calls of the mapper's DeviceMapperService, as edgecore makes them. */
export class MapperClient {
  private readonly client: DeviceMapperServiceClient;

  constructor(socketPath: string) {
    this.client = new DeviceMapperServiceClient(`unix://${socketPath}`, credentials.createInsecure());
  }

  registerDevice(request: RegisterDeviceRequest): Promise<RegisterDeviceResponse> {
    return unary((cb) => this.client.registerDevice(request, new Metadata(), deadline(), cb));
  }

  updateDevice(request: UpdateDeviceRequest): Promise<UpdateDeviceResponse> {
    return unary((cb) => this.client.updateDevice(request, new Metadata(), deadline(), cb));
  }

  removeDevice(request: RemoveDeviceRequest): Promise<RemoveDeviceResponse> {
    return unary((cb) => this.client.removeDevice(request, new Metadata(), deadline(), cb));
  }

  getDevice(request: GetDeviceRequest): Promise<GetDeviceResponse> {
    return unary((cb) => this.client.getDevice(request, new Metadata(), deadline(), cb));
  }

  createDeviceModel(request: CreateDeviceModelRequest): Promise<CreateDeviceModelResponse> {
    return unary((cb) => this.client.createDeviceModel(request, new Metadata(), deadline(), cb));
  }

  updateDeviceModel(request: UpdateDeviceModelRequest): Promise<UpdateDeviceModelResponse> {
    return unary((cb) => this.client.updateDeviceModel(request, new Metadata(), deadline(), cb));
  }

  removeDeviceModel(request: RemoveDeviceModelRequest): Promise<RemoveDeviceModelResponse> {
    return unary((cb) => this.client.removeDeviceModel(request, new Metadata(), deadline(), cb));
  }

  close(): void {
    this.client.close();
  }
}

const deadline = () => ({ deadline: Date.now() + 5000 });

function unary<T>(start: (callback: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response))));
}
