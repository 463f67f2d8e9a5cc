/**
 * The cloud's Device and DeviceModel objects, as metamanager stored them (contract 5), turned into membership: device
 * rows, attributes from labels, spec twins, and the mapper calls. Only a change of spec reaches the mappers
 * (deviceUpdated / modelUpdated); labels, status and resourceVersion bumps do not. A notice older than what is applied
 * is dropped (at start the list and the notices in flight may overlap); an equal one is applied again, which changes
 * nothing.
 */
import type { Device, DeviceModel } from '../../pkg/devices/api';
import { parseResourceVersion } from '../../pkg/message';
import { attributesChanged, membershipChanged, twinsChanged, type Effects } from './effects';
import {
  applyAttributes,
  applySpecTwins,
  descriptionOf,
  modelIdOf,
  specAttributes,
  specTwins,
  type SpecProblem,
} from './state/spec';
import type { TwinState } from './state/twin-state';
import { canonicalJson, newDevice, type DeviceRecord } from './state/types';

export class DeviceChanges {
  constructor(
    private readonly state: TwinState,
    private readonly effects: Effects,
  ) {}

  applyDevice(object: Device, version: bigint | undefined): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    const id = `${namespace}/${name}`;
    const boundTo = object.spec?.nodeName ?? '';
    if (boundTo !== this.effects.nodeName) {
      // A device that moved to another node, sent here as an update (a resend can race the cloud's delete): it is
      // gone from this node, as the delete would have said.
      this.effects.log.info({ device: id, nodeName: boundTo }, 'device is bound to another node; removing it here');
      this.removeDevice(namespace, name, object, version);
      return;
    }
    const existing = this.state.device(id);
    if (existing && isOlder(version, existing.resourceVersion)) {
      this.effects.metrics.ignored('stale_notice');
      return;
    }
    const modelId = modelIdOf(object);
    const model = modelId ? this.state.model(modelId)?.object : undefined;
    const problem = this.problemReporter(`Device ${id}`);
    const next = specTwins(object, model, problem);
    const specJson = canonicalJson(object.spec ?? {});
    const now = this.effects.now();
    const device = existing ?? newDevice(namespace, name, object, specJson);
    const previous = existing ? specTwins(existing.object, model, () => {}) : undefined;
    const specChanged = existing !== undefined && existing.specJson !== specJson;
    device.object = object;
    device.specJson = specJson;
    device.resourceVersion = version ?? parseVersion(object);
    device.description = descriptionOf(object);
    if (!existing) this.state.devicesById.set(id, device);
    this.effects.writer.deviceChanged(id);
    const twins = applySpecTwins(device, previous, next, now);
    twinsChanged(this.effects, device, twins, 'cloud', '');
    const attributes = applyAttributes(device, specAttributes(object, problem));
    if (attributes && existing) attributesChanged(this.effects, device, attributes.changed);
    else for (const name of attributes?.names ?? []) this.effects.writer.attrChanged(id, name);
    if (!existing) {
      this.effects.log.info({ device: id }, 'device added');
      membershipChanged(this.effects, [device], []);
      this.effects.dmi.enqueue({ kind: 'deviceAdded', device: object, model });
    } else if (specChanged) {
      this.effects.log.info({ device: id, twinsChanged: twins.changed.length }, 'device spec changed');
      this.effects.dmi.enqueue({ kind: 'deviceUpdated', device: object, model });
    }
  }

  removeDevice(namespace: string, name: string, object: Device | undefined, version: bigint | undefined): void {
    const id = `${namespace}/${name}`;
    const device = this.state.device(id);
    if (!device) return;
    if (isOlder(version, device.resourceVersion)) {
      this.effects.metrics.ignored('stale_notice');
      return;
    }
    this.state.devicesById.delete(id);
    this.effects.writer.deviceRemoved(id);
    this.effects.cloud.forget(id);
    this.effects.log.info({ device: id }, 'device removed');
    membershipChanged(this.effects, [], [device]);
    this.effects.dmi.enqueue({ kind: 'deviceRemoved', device: object ?? device.object });
  }

  applyModel(object: DeviceModel, version: bigint | undefined): void {
    const id = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    const existing = this.state.model(id);
    if (existing && isOlder(version, existing.resourceVersion)) {
      this.effects.metrics.ignored('stale_notice');
      return;
    }
    const specJson = canonicalJson(object.spec ?? {});
    const specChanged = existing !== undefined && existing.specJson !== specJson;
    this.state.modelsById.set(id, { id, object, specJson, resourceVersion: version ?? parseVersion(object) });
    this.effects.writer.modelChanged(id);
    if (!existing) this.effects.dmi.enqueue({ kind: 'modelAdded', model: object });
    else if (specChanged) this.effects.dmi.enqueue({ kind: 'modelUpdated', model: object });
    if (existing && !specChanged) return;
    // Property types come from the model: twins of the devices that use it take the new types.
    for (const device of this.state.devices()) {
      if (modelIdOf(device.object) === id) this.retype(device, object);
    }
  }

  removeModel(namespace: string, name: string, object: DeviceModel | undefined, version: bigint | undefined): void {
    const id = `${namespace}/${name}`;
    const model = this.state.model(id);
    if (!model) return;
    if (isOlder(version, model.resourceVersion)) {
      this.effects.metrics.ignored('stale_notice');
      return;
    }
    this.state.modelsById.delete(id);
    this.effects.writer.modelChanged(id);
    this.effects.dmi.enqueue({ kind: 'modelRemoved', model: object ?? model.object });
  }

  /**
   * At start: metamanager's devices and models against what the store had. Models first (devices take their twin
   * types from them), then devices; what the store had and metamanager has not was deleted while edgecore was down.
   */
  reconcile(devices: readonly Device[], models: readonly DeviceModel[]): void {
    const modelIds = new Set<string>();
    for (const model of models) {
      modelIds.add(`${model.metadata?.namespace ?? ''}/${model.metadata?.name ?? ''}`);
      this.applyModel(model, parseVersion(model));
    }
    const deviceIds = new Set<string>();
    for (const device of devices) {
      deviceIds.add(`${device.metadata?.namespace ?? ''}/${device.metadata?.name ?? ''}`);
      this.applyDevice(device, parseVersion(device));
    }
    for (const device of [...this.state.devices()]) {
      if (!deviceIds.has(device.id)) this.removeDevice(device.namespace, device.name, undefined, undefined);
    }
    for (const model of [...this.state.modelsById.values()]) {
      if (modelIds.has(model.id)) continue;
      const [namespace = '', name = ''] = model.id.split('/');
      this.removeModel(namespace, name, undefined, undefined);
    }
  }

  private retype(device: DeviceRecord, model: DeviceModel): void {
    const twins = specTwins(device.object, model, () => {});
    // The same spec as before and after: only types (and missing twins) change, no desired value is applied again.
    const changes = applySpecTwins(device, twins, twins, this.effects.now());
    twinsChanged(this.effects, device, changes, 'cloud', '');
  }

  private problemReporter(what: string): SpecProblem {
    return (field, problem) => {
      this.effects.metrics.specProblem();
      this.effects.log.warn({ field }, `${what}: ${field}: ${problem}; the rest of it is applied`);
    };
  }
}

function isOlder(version: bigint | undefined, applied: bigint | undefined): boolean {
  return version !== undefined && applied !== undefined && version < applied;
}

function parseVersion(object: Device | DeviceModel): bigint | undefined {
  return parseResourceVersion(object.metadata?.resourceVersion);
}
