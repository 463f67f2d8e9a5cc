/**
 * The benchmark's mapper, in this process: a DeviceMapperService on its own unix socket (so that edgecore's
 * RegisterDevice / CreateDeviceModel calls succeed, and the benchmark learns when each device reached the mapper) and a
 * DeviceManagerService client on edgecore's dmi.sock that registers for the protocol `bench` and sends
 * ReportDeviceStatus with a fresh value each time (a per-device sequence number), as a real mapper does after reading
 * its device. The raw generated gRPC client is used, not mappers/sdk: the benchmark decides when each report goes.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  DeviceManagerServiceClient,
  DeviceMapperServiceService,
  type DeviceMapperServiceServer,
  type MapperRegisterResponse,
} from '../../gen/kubeedge/dmi/v1beta1/api';

export const BENCH_PROTOCOL = 'bench';
/** The one twin every benchmark device has (an INT property of the model). */
export const BENCH_PROPERTY = 'seq';

const CALL_TIMEOUT_MS = 10_000;

export class BenchMapper {
  /** `<ns>/<name>` of every device edgecore registered (or updated) here and did not remove. */
  readonly devices = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private server: Server | undefined;
  private client: DeviceManagerServiceClient | undefined;
  /** Calls from edgecore, by method. */
  readonly calls = new Map<string, number>();

  constructor(
    readonly socketPath: string,
    private readonly dmiSocket: string,
  ) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.socketPath), { recursive: true });
    const server = new Server();
    server.addService(DeviceMapperServiceService, this.service());
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${this.socketPath}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
    await chmod(this.socketPath, 0o600);
    this.server = server;
    this.client = new DeviceManagerServiceClient(`unix://${this.dmiSocket}`, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }

  /** MapperRegister for BENCH_PROTOCOL, retried (edgecore may still be starting) until `timeoutMs`. */
  async register(timeoutMs: number): Promise<MapperRegisterResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.unary<MapperRegisterResponse>((metadata, options, done) =>
          this.client!.mapperRegister(
            {
              withData: true,
              mapper: { name: 'bench-mapper', version: 'v1.0.0', apiVersion: 'v1beta1', protocol: BENCH_PROTOCOL, address: Buffer.from(this.socketPath), state: 'ok' },
            },
            metadata,
            options,
            done,
          ),
        );
      } catch (error) {
        const { code, details } = error as ServiceError;
        if (Date.now() > deadline) throw new Error(`MapperRegister on ${this.dmiSocket} failed for ${timeoutMs} ms, last: ${status[code] ?? code}: ${details}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** ReportDeviceStatus of `value` for the device's twin; resolves once edgecore answered, rejects with the gRPC error. */
  async report(namespace: string, name: string, value: number): Promise<void> {
    await this.unary((metadata, options, done) =>
      this.client!.reportDeviceStatus(
        {
          deviceNamespace: namespace,
          deviceName: name,
          reportedDevice: {
            twins: [{ propertyName: BENCH_PROPERTY, reported: { value: String(value), metadata: { timestamp: String(Date.now()) } } }],
            reportToCloud: true,
            reportCycle: 0,
          },
        },
        metadata,
        options,
        done,
      ),
    );
  }

  /** Resolves once every key is registered here, or rejects after `timeoutMs` saying how many are missing. */
  async waitForDevices(keys: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const missing = (): string[] => keys.filter((key) => !this.devices.has(key));
    while (missing().length > 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const absent = missing();
        throw new Error(`${absent.length} of ${keys.length} devices not registered at the mapper within ${timeoutMs} ms (e.g. ${absent.slice(0, 3).join(', ')})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.min(left, 500));
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    this.client?.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const force = setTimeout(() => server.forceShutdown(), 2000);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    clearTimeout(force);
  }

  private service(): DeviceMapperServiceServer {
    const answer =
      <Q, R>(method: string, run: (request: Q) => R) =>
      (call: { request: Q }, callback: (error: Partial<ServiceError> | null, response?: R) => void): void => {
        this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
        callback(null, run(call.request));
        for (const wake of [...this.waiters]) wake();
      };
    type DeviceRequest = { device?: { name: string; namespace: string } };
    const put = (request: DeviceRequest): void => {
      if (request.device) this.devices.add(`${request.device.namespace || 'default'}/${request.device.name}`);
    };
    return {
      registerDevice: answer('RegisterDevice', (request: DeviceRequest) => {
        put(request);
        return { deviceName: request.device?.name ?? '', deviceNamespace: request.device?.namespace ?? '' };
      }),
      updateDevice: answer('UpdateDevice', (request: DeviceRequest) => {
        put(request);
        return {};
      }),
      removeDevice: answer('RemoveDevice', (request: { deviceName: string; deviceNamespace: string }) => {
        this.devices.delete(`${request.deviceNamespace || 'default'}/${request.deviceName}`);
        return {};
      }),
      createDeviceModel: answer('CreateDeviceModel', (request: { model?: { name: string; namespace: string } }) => ({
        deviceModelName: request.model?.name ?? '',
        deviceModelNamespace: request.model?.namespace ?? '',
      })),
      updateDeviceModel: answer('UpdateDeviceModel', () => ({})),
      removeDeviceModel: answer('RemoveDeviceModel', () => ({})),
      getDevice: answer('GetDevice', () => ({})),
    };
  }

  private unary<T>(start: (metadata: Metadata, options: { deadline: number }, done: (error: ServiceError | null, response: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start(new Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }
}
