/**
 * devicetwin's side of the seam, for these tests: holds the node's devices and models and records what the DMI server
 * hands over. devicetwin's own tests and the end-to-end tests run the real module against the Dmi.
 */
import type { Device, DeviceModel } from '../../../../pkg/devices/api';
import type { DeviceStateUpdate, DeviceTwinUpdate } from '../../../../pkg/devices/twin-json';
import { DmiReportError } from '../errors';
import type { DmiTwinSide } from '../types';

export class RecordingTwinSide implements DmiTwinSide {
  readonly devices = new Map<string, Device>();
  readonly models = new Map<string, DeviceModel>();
  readonly twins: { namespace: string; name: string; update: DeviceTwinUpdate }[] = [];
  readonly states: { namespace: string; name: string; update: DeviceStateUpdate }[] = [];

  add(...objects: (Device | DeviceModel)[]): void {
    for (const o of objects) {
      const id = `${o.metadata?.namespace}/${o.metadata?.name}`;
      if (o.kind === 'DeviceModel') this.models.set(id, o as DeviceModel);
      else this.devices.set(id, o as Device);
    }
  }

  async devicesForProtocol(protocol: string): Promise<{ devices: Device[]; models: DeviceModel[] }> {
    const devices = [...this.devices.values()].filter((d) => d.spec?.protocol?.protocolName === protocol);
    const wanted = new Set(devices.map((d) => `${d.metadata?.namespace}/${d.spec?.deviceModelRef?.name}`));
    const models = [...this.models.entries()].filter(([id, m]) => wanted.has(id) || m.spec?.protocol === protocol).map(([, m]) => m);
    return { devices, models };
  }

  async reportTwins(namespace: string, name: string, update: DeviceTwinUpdate): Promise<void> {
    this.known(namespace, name);
    this.twins.push({ namespace, name, update });
  }

  async reportState(namespace: string, name: string, update: DeviceStateUpdate): Promise<void> {
    this.known(namespace, name);
    this.states.push({ namespace, name, update });
  }

  private known(namespace: string, name: string): void {
    if (!this.devices.has(`${namespace}/${name}`)) {
      throw new DmiReportError('unknownDevice', `device ${namespace}/${name} is not bound to this node`);
    }
  }
}
