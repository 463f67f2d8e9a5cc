/**
 * DeviceManagerService: the gRPC service mappers call (register, report twins, report states). This file is the
 * boundary: it applies the rate limit, calls the handlers and maps every error to a gRPC status. Handlers throw
 * DmiRequestError / DmiReportError for the mapper's mistakes; anything else is ours, logged and answered INTERNAL.
 */
import { type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import type {
  DeviceManagerServiceServer,
  MapperRegisterRequest,
  MapperRegisterResponse,
  ReportDeviceStatesRequest,
  ReportDeviceStatusRequest,
} from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../../pkg/log';
import type { TokenBucket } from '../../../pkg/timing';
import { DmiReportError, DmiRequestError } from './errors';
import type { DmiMetrics } from './metrics';
import type { DmiRateLimit } from './types';

export interface ManagerHandlers {
  register(request: MapperRegisterRequest): Promise<MapperRegisterResponse>;
  reportTwins(request: ReportDeviceStatusRequest): Promise<void>;
  reportStates(request: ReportDeviceStatesRequest): Promise<void>;
}

export interface ManagerServiceOptions {
  handlers: ManagerHandlers;
  limiter: TokenBucket;
  rateLimit: DmiRateLimit;
  log: Logger;
  metrics: DmiMetrics;
}

export function managerService(options: ManagerServiceOptions): DeviceManagerServiceServer {
  const { handlers } = options;
  return {
    mapperRegister: unary(options, 'MapperRegister', 'fail to register mapper', (r: MapperRegisterRequest) => r.mapper?.name ?? '', (r) =>
      handlers.register(r),
    ),
    reportDeviceStatus: unary(options, 'ReportDeviceStatus', 'fail to report device status', (r: ReportDeviceStatusRequest) => r.deviceName, async (r) => {
      await handlers.reportTwins(r);
      return {};
    }),
    reportDeviceStates: unary(options, 'ReportDeviceStates', 'fail to report device states', (r: ReportDeviceStatesRequest) => r.deviceName, async (r) => {
      await handlers.reportStates(r);
      return {};
    }),
  };
}

function unary<Q, R>(
  options: ManagerServiceOptions,
  method: string,
  failure: string,
  subject: (request: Q) => string,
  handle: (request: Q) => Promise<R>,
): (call: ServerUnaryCall<Q, R>, callback: sendUnaryData<R>) => void {
  const { limiter, rateLimit, log, metrics } = options;
  return (call, callback) => {
    const answer = (code: status, error: { details: string } | null, response?: R): void => {
      metrics.request(method, status[code] ?? String(code));
      if (error === null) callback(null, response);
      else callback({ code, details: error.details });
    };
    if (!limiter.tryTake()) {
      // KubeEdge's words, so that tools matching them keep working, then why and what to do.
      answer(status.RESOURCE_EXHAUSTED, {
        details:
          `${failure} because of too many request: ${subject(call.request)} (edgecore's DMI server takes ${rateLimit.ratePerSecond} ` +
          `call(s) per second after a burst of ${rateLimit.burst}; report less often, or several twins per ReportDeviceStatus)`,
      });
      return;
    }
    // A handler that throws synchronously is answered like one that rejects.
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
      (response) => answer(status.OK, null, response),
      (error: unknown) => {
        if (error instanceof DmiRequestError) {
          log.info({ method, err: error.message }, 'DMI request refused');
          answer(error.code, { details: error.message });
        } else if (error instanceof DmiReportError) {
          log.info({ method, err: error.message }, 'DMI report refused by devicetwin');
          answer(error.grpcCode, { details: error.message });
        } else {
          log.error({ method, err: error }, 'DMI request failed');
          answer(status.INTERNAL, { details: `${failure}: ${(error as Error)?.message ?? String(error)}` });
        }
      },
    );
  };
}
