/**
 * The mapper's side of DeviceManagerService (edgecore's DMI server on a unix socket, /etc/kubeedge/dmi.sock by
 * default): MapperRegister, retried with back-off until edgecore is up, then ReportDeviceStatus and
 * ReportDeviceStates. An unreachable edgecore is logged once per outage, not once per retry or report.
 */
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  DeviceManagerServiceClient,
  type MapperInfo,
  type MapperRegisterResponse,
  type ReportDeviceStatesRequest,
  type ReportDeviceStatusRequest,
} from '../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../pkg/log';
import { Backoff, sleep, type BackoffOptions } from '../../pkg/timing';
import { StreakLog } from './streak-log';

export interface DmiClientOptions {
  /** edgecore's DMI socket (common.edgecore_sock). */
  readonly edgecoreSock: string;
  readonly log: Logger;
  /** Deadline of each call. */
  readonly callTimeoutMs?: number;
  /** Between MapperRegister attempts. */
  readonly registerBackoff?: BackoffOptions;
}

const DEFAULT_CALL_TIMEOUT_MS = 5000;
const DEFAULT_REGISTER_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000 };

export class DmiClient {
  private readonly client: DeviceManagerServiceClient;
  private readonly callTimeoutMs: number;
  private readonly reports: StreakLog;

  constructor(private readonly options: DmiClientOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    // grpc-js backs off up to 2 minutes between reconnects by default; a mapper waiting for edgecore to start
    // should notice it within seconds.
    this.client = new DeviceManagerServiceClient(`unix://${options.edgecoreSock}`, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
    this.reports = new StreakLog(options.log, { edgecoreSock: options.edgecoreSock });
  }

  /**
   * MapperRegister{withData: true}, retried until it succeeds or `signal` aborts (then rejects with its reason).
   * Returns the devices and models edgecore holds for this mapper's protocol.
   */
  async register(mapper: MapperInfo, signal: AbortSignal): Promise<MapperRegisterResponse> {
    const backoff = new Backoff(this.options.registerBackoff ?? DEFAULT_REGISTER_BACKOFF);
    const waiting = new StreakLog(this.options.log, { edgecoreSock: this.options.edgecoreSock, protocol: mapper.protocol });
    for (;;) {
      signal.throwIfAborted();
      try {
        const response = await this.call<MapperRegisterResponse>((deadline, done) =>
          this.client.mapperRegister({ withData: true, mapper }, new Metadata(), { deadline }, done),
        );
        waiting.succeeded('edgecore reachable');
        this.options.log.info(
          { protocol: mapper.protocol, devices: response.deviceList.length, models: response.modelList.length, attempts: backoff.attempts + 1 },
          'registered with edgecore',
        );
        return response;
      } catch (error) {
        const { code, details } = error as ServiceError;
        const transient = code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED || code === status.RESOURCE_EXHAUSTED;
        waiting.failed(
          `${status[code] ?? code}: ${details}`,
          transient ? 'edgecore is not reachable yet; retrying MapperRegister with back-off' : 'edgecore refused MapperRegister; retrying with back-off',
          transient ? 'warn' : 'error',
        );
      }
      await sleep(backoff.next(), signal);
    }
  }

  /** ReportDeviceStatus. Throws the gRPC error; an outage is logged here, once. */
  async reportStatus(request: ReportDeviceStatusRequest): Promise<void> {
    await this.report(() => this.call((deadline, done) => this.client.reportDeviceStatus(request, new Metadata(), { deadline }, done)));
  }

  /** ReportDeviceStates. Throws the gRPC error; an outage is logged here, once. */
  async reportStates(request: ReportDeviceStatesRequest): Promise<void> {
    await this.report(() => this.call((deadline, done) => this.client.reportDeviceStates(request, new Metadata(), { deadline }, done)));
  }

  close(): void {
    this.client.close();
  }

  private async report(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
      this.reports.succeeded('edgecore accepts reports again');
    } catch (error) {
      const { code, details } = error as ServiceError;
      this.reports.failed(`${status[code] ?? code}: ${details}`, 'reports to edgecore fail; values are reported again on the next cycle');
      throw error;
    }
  }

  private call<T>(start: (deadline: Date, done: (error: ServiceError | null, response: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start(new Date(Date.now() + this.callTimeoutMs), (error, response) => (error ? reject(error) : resolve(response)));
    });
  }
}
