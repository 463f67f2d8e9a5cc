/**
 * The mapper's devices and models, as edgecore sent them (MapperRegister, then DeviceMapperService calls), each
 * device compiled against its model and run by a DeviceRunner. A device whose model has not arrived yet waits for
 * it. Changes are applied one at a time, in arrival order.
 */
import type { Device, DeviceModel } from '../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../pkg/log';
import { DeviceRunner, type RunnerOptions } from './device-runner';
import type { ProtocolDriver } from './driver';
import { SpecError } from './errors';
import { compileDevice, deviceId, modelIdOf, namespaceOf } from './spec';

interface Entry<P, V> {
  device: Device;
  runner: DeviceRunner<P, V> | undefined;
}

export class DeviceRegistry<P, V> {
  private readonly models = new Map<string, DeviceModel>();
  private readonly devices = new Map<string, Entry<P, V>>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private readonly driver: ProtocolDriver<P, V>,
    private readonly options: RunnerOptions,
  ) {
    this.log = options.log;
  }

  /**
   * RegisterDevice and UpdateDevice alike: starts the device, or updates it in place when its connection settings
   * are unchanged (the driver stays connected), or restarts it on a new connection. Throws SpecError for a device
   * that cannot run; an update that fails leaves the running device as it was.
   */
  putDevice(device: Device): Promise<{ namespace: string; name: string; waitingForModel?: string }> {
    return this.serial(async () => {
      if (device.name === '') throw new SpecError('device', ['name: missing; send the Device with its metadata name']);
      const namespace = namespaceOf(device.namespace);
      const id = deviceId(namespace, device.name);
      const modelId = modelIdOf(device);
      const model = this.models.get(modelId);
      const entry = this.devices.get(id);
      if (model === undefined) {
        if (entry?.runner) await entry.runner.stop();
        this.devices.set(id, { device, runner: undefined });
        this.log.info({ device: id, model: modelId }, 'device waits for its model (CreateDeviceModel)');
        return { namespace, name: device.name, waitingForModel: modelId };
      }
      const spec = compileDevice(device, model, this.driver);
      if (entry?.runner && entry.runner.currentSpec.protocolKey === spec.protocolKey) {
        entry.runner.update(spec);
        entry.device = device;
        this.log.info({ device: id }, 'device updated; its connection is kept');
      } else {
        if (entry?.runner) await entry.runner.stop();
        const runner = new DeviceRunner(spec, this.driver.createDevice(spec.protocol, { id, log: this.log.child({ device: id }) }), this.options);
        this.devices.set(id, { device, runner });
        runner.start();
        this.log.info({ device: id, model: modelId, properties: spec.properties.length }, entry?.runner ? 'device restarted on new connection settings' : 'device started');
      }
      return { namespace, name: device.name };
    });
  }

  /** RemoveDevice: false when there is no such device. */
  removeDevice(namespace: string, name: string): Promise<boolean> {
    return this.serial(async () => {
      const id = deviceId(namespaceOf(namespace), name);
      const entry = this.devices.get(id);
      if (entry === undefined) return false;
      this.devices.delete(id);
      await entry.runner?.stop();
      this.log.info({ device: id }, 'device removed');
      return true;
    });
  }

  /** CreateDeviceModel and UpdateDeviceModel: stores the model and (re)compiles the devices that use it. */
  putModel(model: DeviceModel): Promise<{ namespace: string; name: string }> {
    return this.serial(async () => {
      if (model.name === '') throw new SpecError('device model', ['name: missing; send the DeviceModel with its metadata name']);
      const namespace = namespaceOf(model.namespace);
      const id = deviceId(namespace, model.name);
      this.models.set(id, model);
      this.log.info({ model: id }, 'device model stored');
      const users = [...this.devices.values()].filter((entry) => modelIdOf(entry.device) === id).map((entry) => entry.device);
      // Outside this serial section: putDevice queues behind it.
      for (const device of users) {
        void this.putDevice(device).catch((error: unknown) =>
          this.log.error({ device: deviceId(namespaceOf(device.namespace), device.name), model: id, error: (error as Error).message }, 'device cannot run with the new model; it keeps running as before'),
        );
      }
      return { namespace, name: model.name };
    });
  }

  /** RemoveDeviceModel: false when there is no such model. Devices keep running with what they were compiled from. */
  removeModel(namespace: string, name: string): Promise<boolean> {
    return this.serial(async () => {
      const id = deviceId(namespaceOf(namespace), name);
      const removed = this.models.delete(id);
      if (removed) this.log.info({ model: id }, 'device model removed');
      return removed;
    });
  }

  /** The device as edgecore sent it, with its latest readings as status twins (GetDevice). */
  getDevice(namespace: string, name: string): Device | undefined {
    const entry = this.devices.get(deviceId(namespaceOf(namespace), name));
    if (entry === undefined) return undefined;
    const status = { reportToCloud: entry.device.status?.reportToCloud ?? false, reportCycle: entry.device.status?.reportCycle ?? 0 };
    return { ...entry.device, status: { ...status, twins: entry.runner?.twins() ?? [] } };
  }

  runner(namespace: string, name: string): DeviceRunner<P, V> | undefined {
    return this.devices.get(deviceId(namespaceOf(namespace), name))?.runner;
  }

  hasDevice(namespace: string, name: string): boolean {
    return this.devices.has(deviceId(namespaceOf(namespace), name));
  }

  model(namespace: string, name: string): DeviceModel | undefined {
    return this.models.get(deviceId(namespaceOf(namespace), name));
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  /** Stops every device (at shutdown), reporting each one offline. */
  stopAll(): Promise<void> {
    return this.serial(async () => {
      await Promise.all([...this.devices.values()].map((entry) => entry.runner?.stop({ reportOffline: true })));
      this.devices.clear();
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
