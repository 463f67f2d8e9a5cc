/**
 * Calls to the DMI side (the mappers), made in order per device and per model, never waiting in the twin module's
 * loop: a mapper that takes 10 s to answer delays only the calls for its own device, and the add, update and remove
 * of one device still reach it in that order.
 */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { Logger } from '../../../pkg/log';

/** What devicetwin calls on the DMI side (the Dmi class of ./dmi implements it). */
export interface DmiCalls {
  deviceAdded(device: Device, model: DeviceModel | undefined): Promise<void>;
  deviceUpdated(device: Device, model: DeviceModel | undefined): Promise<void>;
  deviceRemoved(device: Device): Promise<void>;
  modelAdded(model: DeviceModel): Promise<void>;
  modelUpdated(model: DeviceModel): Promise<void>;
  modelRemoved(model: DeviceModel): Promise<void>;
}

export type DmiCall =
  | { readonly kind: 'deviceAdded' | 'deviceUpdated'; readonly device: Device; readonly model: DeviceModel | undefined }
  | { readonly kind: 'deviceRemoved'; readonly device: Device }
  | { readonly kind: 'modelAdded' | 'modelUpdated' | 'modelRemoved'; readonly model: DeviceModel };

export class DmiCallQueue {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly dmi: DmiCalls,
    private readonly log: Logger,
    /** Calls wait for this (the DMI side's start) before the first one is made. */
    private readonly ready: Promise<void> = Promise.resolve(),
  ) {}

  enqueue(call: DmiCall): void {
    const key = keyOf(call);
    const previous = this.chains.get(key) ?? this.ready;
    const next = previous.then(() => this.invoke(call));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Resolves when every call queued so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async invoke(call: DmiCall): Promise<void> {
    try {
      switch (call.kind) {
        case 'deviceAdded':
          return await this.dmi.deviceAdded(call.device, call.model);
        case 'deviceUpdated':
          return await this.dmi.deviceUpdated(call.device, call.model);
        case 'deviceRemoved':
          return await this.dmi.deviceRemoved(call.device);
        case 'modelAdded':
          return await this.dmi.modelAdded(call.model);
        case 'modelUpdated':
          return await this.dmi.modelUpdated(call.model);
        case 'modelRemoved':
          return await this.dmi.modelRemoved(call.model);
      }
    } catch (error) {
      // The Dmi logs its own failures; this catches what it should not have thrown.
      this.log.error({ err: error, call: call.kind, key: keyOf(call) }, 'the DMI side failed a call');
    }
  }
}

function keyOf(call: DmiCall): string {
  const object = 'device' in call ? call.device : call.model;
  const prefix = 'device' in call ? 'device' : 'model';
  return `${prefix}:${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
