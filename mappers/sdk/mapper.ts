/**
 * A whole mapper: DeviceMapperService on its socket, the REST API, then MapperRegister with edgecore (retried in the
 * background until edgecore is up), whose devices and models start at once; later changes arrive as DMI calls.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../pkg/log';
import type { BackoffOptions } from '../../pkg/timing';
import type { MapperConfig } from './config';
import type { RunnerOptions } from './device-runner';
import { DmiClient } from './dmi-client';
import { serveDeviceMapper } from './dmi-server';
import type { ProtocolDriver } from './driver';
import { PushHub } from './push';
import { DeviceRegistry } from './registry';
import { RestApi } from './rest-api';

export interface MapperOptions<P, V> {
  readonly config: MapperConfig;
  readonly driver: ProtocolDriver<P, V>;
  readonly log: Logger;
  /** Tuning for tests: health checks, reconnect back-off, queue size. */
  readonly runner?: Pick<RunnerOptions, 'healthCheckMs' | 'reconnect' | 'queueLimit'>;
  readonly registerBackoff?: BackoffOptions;
  readonly callTimeoutMs?: number;
}

export interface RunningMapper<P, V> {
  readonly registry: DeviceRegistry<P, V>;
  /** Where the REST API listens (the real port when http_port is 0). */
  readonly restAddress: AddressInfo;
  /** Resolves once edgecore accepted MapperRegister and its devices were handed to the registry. */
  readonly registered: Promise<void>;
  /** Stops everything: DMI server, REST API, devices (each reported offline), the edgecore client. */
  stop(): Promise<void>;
}

export async function startMapper<P, V>(options: MapperOptions<P, V>): Promise<RunningMapper<P, V>> {
  const { config, driver, log } = options;
  const pushes = new PushHub(log.child({ part: 'push' }));
  const dmi = new DmiClient({
    edgecoreSock: config.edgecoreSock,
    log: log.child({ part: 'dmi-client' }),
    ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
    ...(options.registerBackoff ? { registerBackoff: options.registerBackoff } : {}),
  });
  const registry = new DeviceRegistry(driver, { reporter: dmi, pusher: pushes, log: log.child({ part: 'devices' }), ...options.runner });
  const stopDmiServer = await serveDeviceMapper(config.socketPath, registry, log.child({ part: 'dmi-server' }));
  let rest: Awaited<ReturnType<RestApi<P, V>['listen']>>;
  try {
    rest = await new RestApi(registry, log.child({ part: 'rest' })).listen(config.address, config.httpPort);
  } catch (error) {
    await stopDmiServer();
    throw new Error(`the REST API cannot listen on ${config.address}:${config.httpPort} (common.address, common.http_port): ${(error as Error).message}`, { cause: error });
  }

  const stopping = new AbortController();
  const registered = dmi
    .register(
      { name: config.name, version: config.version, apiVersion: config.apiVersion, protocol: config.protocol, address: Buffer.from(config.socketPath), state: 'ok' },
      stopping.signal,
    )
    .then(async (response) => {
      await Promise.all(response.modelList.map((model) => registry.putModel(model).catch((error: unknown) => log.error({ model: model.name, error: (error as Error).message }, 'device model from edgecore refused'))));
      await Promise.all(
        response.deviceList.map((device) =>
          registry.putDevice(device).catch((error: unknown) => log.error({ device: `${device.namespace}/${device.name}`, error: (error as Error).message }, 'device from edgecore cannot run')),
        ),
      );
    });
  // Stopping before edgecore answered is not an error.
  registered.catch(() => undefined);

  return {
    registry,
    restAddress: rest.address,
    registered,
    async stop() {
      stopping.abort(new Error('mapper stopping'));
      await stopDmiServer();
      await rest.close();
      await registry.stopAll();
      dmi.close();
      await pushes.close();
      log.info('mapper stopped');
    },
  };
}
