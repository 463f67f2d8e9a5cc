/**
 * devicetwin: the edge's device twins (KubeEdge's DeviceTwin module). It keeps each device bound to this node with
 * its attributes, state and twins in memory and in SQLite (KubeEdge's device, device_attr and device_twin tables),
 * answers apps on KubeEdge's MQTT twin and state topics through eventbus, takes mapper reports through the DMI server
 * (./dmi), tells the mappers of membership and spec changes, and sends what changed at the edge to the cloud.
 * See README.md.
 */
import type { Registry } from 'prom-client';
import type { DaemonModule } from '../../pkg/cli';
import type { Logger } from '../../pkg/log';
import type { EdgeCoreConfig } from '../config';
import { Dmi, type DmiTwinSide } from './dmi';
import { DmiSide } from './dmi-side';
import { createTwinMetrics, NOOP_METRICS } from './metrics';
import { DeviceTwinModule, type DmiServer } from './module';
import { compileSettings, type DeviceTwinSettings } from './options';

export interface DeviceTwinOptions {
  readonly config: EdgeCoreConfig;
  readonly nodeName: string;
  readonly log: Logger;
  /** Where the devicetwin_* metrics (and the DMI server's) go; none when absent. */
  readonly registry?: Registry;
  /** Builds the DMI side; the real one (./dmi) when absent. Tests pass a recording one. */
  readonly dmi?: (twin: DmiTwinSide) => DmiServer;
  /** Tests shorten timings; see options.ts for the defaults. */
  readonly settings?: Partial<DeviceTwinSettings>;
  /** Milliseconds since the epoch; injected by tests. */
  readonly now?: () => number;
}

export function createDeviceTwin(options: DeviceTwinOptions): DaemonModule {
  const settings = compileSettings(options.config, options.nodeName, options.settings);
  const log = options.log;
  const side = new DmiSide();
  // Built once, with the module: the DMI server registers its metrics once, and is started and stopped with each run.
  const dmi =
    options.dmi?.(side) ??
    new Dmi({
      socketDir: settings.dmiSocketDir,
      nodeName: settings.nodeName,
      log: log.child({ part: 'dmi' }),
      ...(options.registry ? { registry: options.registry } : {}),
      twin: side,
      dataSource: settings.dataSource,
    });
  return new DeviceTwinModule({
    settings,
    log,
    metrics: options.registry ? createTwinMetrics(options.registry) : NOOP_METRICS,
    dmi,
    side,
    ...(options.now ? { now: options.now } : {}),
  });
}

export { DEVICETWIN, DEVICETWIN_GROUP, type DmiServer } from './module';
export { DEFAULT_SETTINGS, type DeviceTwinSettings } from './options';
export { TwinError } from './errors';
