/** The devices and models bound to this node, in memory: what every request reads and the store writer copies. */
import type { DeviceRecord, ModelRecord } from './types';
import type { StateView } from '../store/writer';

export class TwinState implements StateView {
  constructor(
    readonly devicesById: Map<string, DeviceRecord> = new Map(),
    readonly modelsById: Map<string, ModelRecord> = new Map(),
  ) {}

  device(id: string): DeviceRecord | undefined {
    return this.devicesById.get(id);
  }

  model(id: string): ModelRecord | undefined {
    return this.modelsById.get(id);
  }

  devices(): Iterable<DeviceRecord> {
    return this.devicesById.values();
  }
}
