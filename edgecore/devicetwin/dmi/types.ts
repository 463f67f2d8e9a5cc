/**
 * The seam between devicetwin (H3) and its DMI side: what the DMI server needs from the twin module, and how the Dmi
 * object is built. Kept in its own file so the server parts import the types without importing the Dmi class.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../../../pkg/log';
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { DeviceStateUpdate, DeviceTwinUpdate } from '../../../pkg/devices/twin-json';

/**
 * What the DMI server asks of the twin module. Any method may reject with a DmiReportError (exported from this folder's
 * index) to give the mapper NOT_FOUND (unknown device), INVALID_ARGUMENT (bad twin name/value) or UNAVAILABLE (not
 * running yet) with its message; any other rejection reaches the mapper as INTERNAL and is logged as an error.
 */
export interface DmiTwinSide {
  /** Devices and models bound to this node whose spec.protocol.protocolName (device) is `protocol`. */
  devicesForProtocol(protocol: string): Promise<{ devices: Device[]; models: DeviceModel[] }>;
  /** A ReportDeviceStatus, already turned into the JSON an MQTT client would publish on .../twin/update. */
  reportTwins(namespace: string, name: string, update: DeviceTwinUpdate): Promise<void>;
  /** A ReportDeviceStates, as the JSON of .../state/update. */
  reportState(namespace: string, name: string, update: DeviceStateUpdate): Promise<void>;
}

/** Timings; the defaults are KubeEdge's where it has one. Tests shorten them. */
export interface DmiTimings {
  /** How long a new mapper client waits for the mapper's socket before a call fails (KubeEdge: 10 s). */
  connectTimeoutMs: number;
  /** Deadline of each call to a mapper. */
  callTimeoutMs: number;
  /** Attempts per call to a mapper, the first included (KubeEdge: 5). */
  callAttempts: number;
  /** Pause before the first retry; later ones grow (KubeEdge waits 1 s each time). */
  retryDelayMs: number;
  /** A change given up after callAttempts is tried again this much later. */
  failedRetryMs: number;
  /** A mapper whose socket stays unreachable this long is dead: its devices are reported offline. */
  mapperDeadAfterMs: number;
}

export interface DmiRateLimit {
  /** Sustained calls per second to DeviceManagerService (KubeEdge: 1). */
  ratePerSecond: number;
  /** Calls allowed at once after a quiet spell (KubeEdge: 100). */
  burst: number;
}

export interface DmiOptions {
  /** Folder of the DMI socket (modules.deviceTwin.dmiSockPath); the socket is `<socketDir>/dmi.sock`. */
  socketDir: string;
  nodeName: string;
  log: Logger;
  registry?: Registry;
  twin: DmiTwinSide;
  /** database.dataSource: the edge's SQLite file; the mappers are kept in its table `device_mapper`. */
  dataSource: string;
  timings?: Partial<DmiTimings>;
  rateLimit?: Partial<DmiRateLimit>;
}
