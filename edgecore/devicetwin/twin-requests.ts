/**
 * The requests apps (MQTT) and mappers (DMI) make of the twin module, one code path for both: KubeEdge injects DMI
 * reports as if they had arrived on `.../twin/update` and `.../state/update` (facts §1.4).
 */
import { rfc3339 } from '../../pkg/timing';
import type { Device, DeviceModel } from '../../pkg/devices/api';
import { DEVICE_STATES } from '../../pkg/devices/twin-json';
import { twinsChanged, type Effects } from './effects';
import { badRequest, notFound } from './errors';
import type { Origin } from './metrics';
import { applyEdgeUpdate, type TwinChanges } from './state/edge-update';
import type { StateUpdateRequest, TwinUpdateRequest } from './state/requests';
import { modelIdOf } from './state/spec';
import type { TwinState } from './state/twin-state';
import type { DeviceRecord } from './state/types';

const STATES: readonly string[] = DEVICE_STATES;
/** States that mean the device answers: they set last_online. */
const ONLINE: ReadonlySet<string> = new Set(['online', 'ok']);

export type StateOutcome = { readonly device: DeviceRecord; readonly stateChanged: boolean } | 'ignored';

export class TwinRequests {
  constructor(
    private readonly state: TwinState,
    private readonly effects: Effects,
  ) {}

  /** The device, or a 404 naming it. */
  device(namespace: string, name: string): DeviceRecord {
    const device = this.state.device(`${namespace}/${name}`);
    if (!device) {
      throw notFound(
        `device ${namespace}/${name}: no such device on node ${this.effects.nodeName}; devices come from the cloud ` +
          `(kubectl get devices -n ${namespace})`,
      );
    }
    return device;
  }

  updateTwins(namespace: string, name: string, request: TwinUpdateRequest): TwinChanges {
    const device = this.device(namespace, name);
    const changes = applyEdgeUpdate(device, request, this.effects.now());
    twinsChanged(this.effects, device, changes, 'edge', request.eventId);
    return changes;
  }

  /**
   * online, offline, ok, unknown, unhealthy (any case) are taken; KubeEdge ignores other states. An app is told (400),
   * a mapper is not (mapper-framework also reports states such as "disconnected" that KubeEdge does not keep).
   */
  updateState(namespace: string, name: string, request: StateUpdateRequest, origin: Origin): StateOutcome {
    const device = this.device(namespace, name);
    const state = request.state.toLowerCase();
    if (!STATES.includes(state)) {
      if (origin === 'dmi') return 'ignored';
      throw badRequest(`state: ${JSON.stringify(request.state.slice(0, 64))} is not a device state; use one of ${STATES.join(', ')}`);
    }
    const stateChanged = device.state !== state;
    const lastOnline = ONLINE.has(state) ? rfc3339(this.effects.now()) : device.lastOnline;
    if (!stateChanged && lastOnline === device.lastOnline) return { device, stateChanged };
    device.state = state;
    device.lastOnline = lastOnline;
    this.effects.writer.deviceChanged(device.id);
    this.effects.cloud.stateChanged(device);
    return { device, stateChanged };
  }

  /** DMI MapperRegister: the devices of a protocol, and the models they use or that name the protocol. */
  devicesForProtocol(protocol: string): { devices: Device[]; models: DeviceModel[] } {
    const devices: Device[] = [];
    const modelIds = new Set<string>();
    for (const device of this.state.devices()) {
      if (device.object.spec?.protocol?.protocolName !== protocol) continue;
      devices.push(device.object);
      const modelId = modelIdOf(device.object);
      if (modelId) modelIds.add(modelId);
    }
    const models: DeviceModel[] = [];
    for (const model of this.state.modelsById.values()) {
      if (modelIds.has(model.id) || model.object.spec?.protocol === protocol) models.push(model.object);
    }
    return { devices, models };
  }
}
