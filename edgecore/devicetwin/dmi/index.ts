/**
 * The DMI side of devicetwin: DeviceManagerService for mappers on `<dmiSockPath>/dmi.sock`, the mapper registry (one
 * mapper per protocol, kept in SQLite) and the calls to each mapper's DeviceMapperService.
 */
export type { DmiOptions, DmiRateLimit, DmiTimings, DmiTwinSide } from './types';
export { DEFAULT_DMI_RATE_LIMIT, DEFAULT_DMI_TIMINGS, Dmi } from './dmi';
export { DmiReportError, DmiSocketError, type DmiReportErrorKind } from './errors';
export { MapperStoreError } from './mapper-store';
export { DMI_SOCKET_NAME } from './socket';
