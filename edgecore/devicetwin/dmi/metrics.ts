/** DMI counters, behind a narrow interface so that a Dmi without a registry records nothing. */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface DmiMetrics {
  /** A DeviceManagerService call answered, with its gRPC status name (OK, INVALID_ARGUMENT, ...). */
  request(method: string, code: string): void;
  /** A call to a mapper finished. */
  mapperCall(protocol: string, method: string, ok: boolean): void;
  /** How many mappers are registered, and how many of them are unreachable. */
  mappers(registered: number, dead: number): void;
}

export const NOOP_DMI_METRICS: DmiMetrics = { request() {}, mapperCall() {}, mappers() {} };

export function createDmiMetrics(registry: Registry): DmiMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'devicetwin_dmi_requests_total',
    help: 'DeviceManagerService calls from mappers, by method and gRPC status (RESOURCE_EXHAUSTED: over the rate limit).',
    labelNames: ['method', 'code'],
    registers,
  });
  const calls = new Counter({
    name: 'devicetwin_dmi_mapper_calls_total',
    help: 'Calls to mappers (RegisterDevice, UpdateDevice, ...), each attempt counted, by protocol, method and result.',
    labelNames: ['protocol', 'method', 'result'],
    registers,
  });
  const mappers = new Gauge({
    name: 'devicetwin_dmi_mappers',
    help: 'Registered mappers, by whether their socket answers (alive) or has been unreachable long enough to count as dead.',
    labelNames: ['health'],
    registers,
  });
  return {
    request: (method, code) => requests.inc({ method, code }),
    mapperCall: (protocol, method, ok) => calls.inc({ protocol, method, result: ok ? 'ok' : 'error' }),
    mappers: (registered, dead) => {
      mappers.set({ health: 'alive' }, registered - dead);
      mappers.set({ health: 'dead' }, dead);
    },
  };
}
