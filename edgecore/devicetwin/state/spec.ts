/**
 * What a Device (and its DeviceModel) says the edge should have: one twin per spec.properties[] (type from the model's
 * property of that name, expected from desired.value), attributes from the labels, the description label. Applying a
 * new spec is KubeEdge's cloud-sync deal type: a desired value that changed in the spec becomes the expected value
 * and bumps the cloud half of its version; a desired value that did not change leaves whatever the edge set since.
 */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { TwinVersion } from '../../../pkg/devices/twin-json';
import { msgTwin } from './json';
import { emptyChanges, type TwinChanges } from './edge-update';
import { DELETED, newTwin, type AttrRecord, type DeviceRecord } from './types';
import { nameProblem, twinTypeOf, valueProblem } from './values';

export interface SpecTwin {
  readonly type: string;
  /** The desired value, when the spec has a valid one. */
  readonly desired?: string;
}

/** Reported for a spec entry that cannot become a twin or a value (the rest of the device still applies). */
export type SpecProblem = (field: string, problem: string) => void;

/** The model a device refers to: same namespace, spec.deviceModelRef.name. */
export function modelIdOf(device: Device): string | undefined {
  const name = device.spec?.deviceModelRef?.name;
  return name ? `${device.metadata?.namespace ?? ''}/${name}` : undefined;
}

export function specTwins(device: Device, model: DeviceModel | undefined, problem: SpecProblem): Map<string, SpecTwin> {
  const types = new Map<string, string>();
  for (const property of model?.spec?.properties ?? []) {
    if (property.name) types.set(property.name, twinTypeOf(property.type));
  }
  const twins = new Map<string, SpecTwin>();
  for (const [index, property] of (device.spec?.properties ?? []).entries()) {
    const field = `spec.properties[${index}]`;
    const name = property.name ?? '';
    const bad = nameProblem(name);
    if (bad) {
      problem(`${field}.name`, `${JSON.stringify(name)} ${bad}`);
      continue;
    }
    const type = types.get(name) ?? 'string';
    const desired = property.desired?.value;
    if (desired === undefined || desired === null || desired === '') {
      twins.set(name, { type });
      continue;
    }
    const valueBad = typeof desired === 'string' ? valueProblem(type, desired) : 'is not a string';
    if (valueBad) {
      problem(`${field}.desired.value`, valueBad);
      twins.set(name, { type });
      continue;
    }
    twins.set(name, { type, desired });
  }
  return twins;
}

function bumpCloud(version: TwinVersion | undefined): TwinVersion {
  return { cloud: (version?.cloud ?? 0) + 1, edge: version?.edge ?? 0 };
}

/**
 * Brings the device's spec twins to `next`. `previous` is what the last applied spec said (undefined for a new
 * device): only a desired value that differs from it overrides the edge's expected value.
 */
export function applySpecTwins(
  device: DeviceRecord,
  previous: ReadonlyMap<string, SpecTwin> | undefined,
  next: ReadonlyMap<string, SpecTwin>,
  nowMs: number,
): TwinChanges {
  const changes = emptyChanges();
  for (const [name, spec] of next) {
    let twin = device.twins.get(name);
    const last = twin && twin.type !== DELETED ? msgTwin(twin, { versions: false }) : null;
    let changed = false;
    if (!twin) {
      twin = newTwin(name, spec.type, true, false);
      device.twins.set(name, twin);
      changed = true;
    } else if (!twin.fromSpec || twin.optional || twin.type !== spec.type) {
      // An app's twin (or a deleted one) of the same name becomes the spec's.
      twin.fromSpec = true;
      twin.optional = false;
      twin.type = spec.type;
      changed = true;
    }
    const desiredChanged = spec.desired !== undefined && spec.desired !== previous?.get(name)?.desired;
    if (desiredChanged && spec.desired !== twin.expected?.value) {
      twin.expected = { value: spec.desired!, timestampMs: nowMs };
      twin.expectedVersion = bumpCloud(twin.expectedVersion);
      changed = true;
    }
    if (changed) {
      changes.document[name] = { last, current: msgTwin(twin, { versions: false }) };
      changes.changed.push(name);
    }
  }
  for (const twin of [...device.twins.values()]) {
    if (!twin.fromSpec || next.has(twin.name)) continue;
    // The property left the spec: the twin goes with it (row and all).
    device.twins.delete(twin.name);
    if (twin.type !== DELETED) changes.document[twin.name] = { last: msgTwin(twin, { versions: false }), current: null };
    changes.changed.push(twin.name);
  }
  return changes;
}

/** Attributes from the Device's labels (all but `description`, which is the device's description, as KubeEdge). */
export function specAttributes(device: Device, problem: SpecProblem): Map<string, AttrRecord> {
  const attributes = new Map<string, AttrRecord>();
  for (const [name, value] of Object.entries(device.metadata?.labels ?? {})) {
    if (name === 'description') continue;
    const bad = nameProblem(name);
    if (bad) {
      problem(`metadata.labels[${JSON.stringify(name)}]`, `${bad}; it is not kept as an attribute`);
      continue;
    }
    attributes.set(name, { name, value: String(value), optional: false, type: 'string' });
  }
  return attributes;
}

/** Replaces the device's attributes; returns what changed as `.../updated` reports it (null: removed), or undefined. */
export function applyAttributes(
  device: DeviceRecord,
  next: ReadonlyMap<string, AttrRecord>,
): { changed: Record<string, AttrRecord | null>; names: string[] } | undefined {
  const changed: Record<string, AttrRecord | null> = {};
  const names: string[] = [];
  for (const [name, attr] of next) {
    const old = device.attributes.get(name);
    if (old && old.value === attr.value && old.type === attr.type && old.optional === attr.optional) continue;
    device.attributes.set(name, attr);
    changed[name] = attr;
    names.push(name);
  }
  for (const name of [...device.attributes.keys()]) {
    if (next.has(name)) continue;
    device.attributes.delete(name);
    changed[name] = null;
    names.push(name);
  }
  return names.length === 0 ? undefined : { changed, names };
}

export function descriptionOf(device: Device): string {
  return device.metadata?.labels?.description ?? '';
}
