/**
 * A device's reports as changes to its DeviceStatus status, and the pure rules that merge a burst of them into one
 * and apply them to the twins already written. A merge patch replaces lists, so the twins list written is always the
 * whole list: what is there, with the changes applied in order, keyed by propertyName.
 */
import type { Twin, TwinProperty } from '../../pkg/devices';

/** One property's change: removed, or new reported and/or observed desired values. */
export type TwinChange =
  | { kind: 'delete' }
  /** `reset`: the twin was removed earlier in the same batch, so nothing of the old entry is kept. */
  | { kind: 'set'; reset: boolean; reported?: TwinProperty; observedDesired?: TwinProperty };

/** What one or more reports change in a DeviceStatus status. */
export interface StatusReport {
  /** In arrival order of the first change to each property. */
  twins: Map<string, TwinChange>;
  state?: string;
  lastOnlineTime?: string;
}

export function emptyReport(): StatusReport {
  return { twins: new Map() };
}

/** Merges `next` (newer) into `into` in place: the newer value of each field wins, and nothing else is lost. */
export function mergeReport(into: StatusReport, next: StatusReport): void {
  for (const [name, change] of next.twins) {
    const old = into.twins.get(name);
    into.twins.set(name, mergeChange(old, change));
  }
  if (next.state !== undefined) into.state = next.state;
  if (next.lastOnlineTime !== undefined) into.lastOnlineTime = next.lastOnlineTime;
}

function mergeChange(old: TwinChange | undefined, next: TwinChange): TwinChange {
  if (old === undefined || next.kind === 'delete') return next;
  if (old.kind === 'delete') return { ...next, reset: true };
  return {
    kind: 'set',
    reset: old.reset || next.reset,
    ...withValue('reported', next.reported ?? old.reported),
    ...withValue('observedDesired', next.observedDesired ?? old.observedDesired),
  };
}

/** The twins list after the changes: existing entries keep their place, new ones are appended. */
export function applyTwins(base: readonly Twin[], changes: ReadonlyMap<string, TwinChange>): Twin[] {
  const twins = base.map((twin) => ({ ...twin }));
  for (const [name, change] of changes) {
    const at = twins.findIndex((twin) => twin.propertyName === name);
    if (change.kind === 'delete') {
      if (at >= 0) twins.splice(at, 1);
      continue;
    }
    const entry: Twin = at >= 0 && !change.reset ? twins[at]! : { propertyName: name };
    if (change.reported) entry.reported = change.reported;
    if (change.observedDesired) entry.observedDesired = change.observedDesired;
    if (at >= 0) twins[at] = entry;
    else twins.push(entry);
  }
  return twins;
}

function withValue<K extends 'reported' | 'observedDesired'>(key: K, value: TwinProperty | undefined): Partial<Record<K, TwinProperty>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, TwinProperty>);
}
