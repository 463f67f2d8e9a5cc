/**
 * edgecore's side of DMI for tests: a real DeviceManagerService on a real unix socket (grpc-js) that records every
 * MapperRegister and report, answers MapperRegister with the devices and models it is given, and calls the
 * mapper's DeviceMapperService back on the address the mapper registered, as edgecore does.
 */
import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  DeviceManagerServiceService,
  DeviceMapperServiceClient,
  type DeviceManagerServiceServer,
  type Device,
  type DeviceModel,
  type MapperRegisterRequest,
  type ReportDeviceStatesRequest,
  type ReportDeviceStatusRequest,
} from '../../../gen/kubeedge/dmi/v1beta1/api';

export interface Recorded<T> {
  /** ms since the epoch, when it arrived. */
  readonly at: number;
  readonly request: T;
}

export class EdgecorePeer {
  readonly registrations: Recorded<MapperRegisterRequest>[] = [];
  readonly statusReports: Recorded<ReportDeviceStatusRequest>[] = [];
  readonly stateReports: Recorded<ReportDeviceStatesRequest>[] = [];
  /** What MapperRegister answers with. */
  devices: Device[] = [];
  models: DeviceModel[] = [];
  /** When set, every call fails with this status (e.g. RESOURCE_EXHAUSTED, as edgecore's rate limiter). */
  failWith: status | undefined;
  private readonly server = new Server();
  private client: DeviceMapperServiceClient | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socketPath: string) {}

  static async start(socketPath: string): Promise<EdgecorePeer> {
    const peer = new EdgecorePeer(socketPath);
    await peer.listen();
    return peer;
  }

  private async listen(): Promise<void> {
    const fail = (): ServiceError | null =>
      this.failWith === undefined ? null : ({ code: this.failWith, details: 'too many request', metadata: new Metadata() } as ServiceError);
    const service: DeviceManagerServiceServer = {
      mapperRegister: (call, callback) => {
        this.record(this.registrations, call.request);
        const error = fail();
        if (error) return callback(error);
        callback(null, { deviceList: this.devices, modelList: this.models });
      },
      reportDeviceStatus: (call, callback) => {
        const error = fail();
        if (error) return callback(error);
        this.record(this.statusReports, call.request);
        callback(null, {});
      },
      reportDeviceStates: (call, callback) => {
        const error = fail();
        if (error) return callback(error);
        this.record(this.stateReports, call.request);
        callback(null, {});
      },
    };
    this.server.addService(DeviceManagerServiceService, service);
    await new Promise<void>((resolve, reject) =>
      this.server.bindAsync(`unix://${this.socketPath}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
  }

  /** A client of the mapper's DeviceMapperService, dialled at the address from its latest MapperRegister. */
  mapper(): DeviceMapperServiceClient {
    const registration = this.registrations.at(-1);
    if (registration === undefined) throw new Error('no mapper has registered yet');
    this.client ??= new DeviceMapperServiceClient(`unix://${Buffer.from(registration.request.mapper?.address ?? []).toString()}`, credentials.createInsecure());
    return this.client;
  }

  /** Calls a DeviceMapperService method as a promise. */
  call<Req, Res>(method: (request: Req, callback: (error: ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
    const client = this.mapper();
    return new Promise((resolve, reject) => method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));
  }

  /** Resolves when `check` holds (checked after every recorded call), rejects after `timeoutMs` saying what was waited for. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Reported values of one property, in arrival order. */
  reported(device: string, property: string): { at: number; value: string; metadata: Record<string, string>; observedDesired?: string }[] {
    return this.statusReports
      .filter(({ request }) => request.deviceName === device)
      .flatMap(({ at, request }) =>
        (request.reportedDevice?.twins ?? [])
          .filter((twin) => twin.propertyName === property)
          .map((twin) => ({ at, value: twin.reported?.value ?? '', metadata: twin.reported?.metadata ?? {}, observedDesired: twin.observedDesired?.value })),
      );
  }

  states(device: string): string[] {
    return this.stateReports.filter(({ request }) => request.deviceName === device).map(({ request }) => request.state);
  }

  async stop(): Promise<void> {
    this.client?.close();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private record<T>(list: Recorded<T>[], request: T): void {
    list.push({ at: Date.now(), request });
    for (const waiter of [...this.waiters]) waiter();
  }
}
