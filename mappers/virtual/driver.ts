/**
 * The `virtual` protocol: simulated devices for demos and the quickstart, with no hardware. Each property is either
 * a sensor whose value wanders (a random walk within bounds, like a room's temperature or humidity) or an actuator
 * (a switch, a setpoint) that holds what was last written to it.
 *
 * protocol configData:  offline: true   simulates a device that is switched off (connect fails), to show states
 * visitor configData:
 *   kind: randomWalk   initial (default: middle of min..max), step (largest change per read, default 0.5),
 *                      min (default 0), max (default 100)
 *   kind: actuator     initial (default 0, false or "" by the property's type)
 */
import type { DeviceDriver, DeviceHealth, ProtocolDriver } from '../sdk/driver';
import { DeviceError } from '../sdk/errors';
import type { DeviceValue } from '../sdk/values';

export const VIRTUAL_PROTOCOL = 'virtual';

export interface VirtualProtocol {
  readonly offline: boolean;
}

export type VirtualVisitor =
  | { readonly kind: 'randomWalk'; readonly initial: number; readonly step: number; readonly min: number; readonly max: number }
  | { readonly kind: 'actuator'; readonly initial: DeviceValue };

export function virtualDriver(options: { random?: () => number } = {}): ProtocolDriver<VirtualProtocol, VirtualVisitor> {
  const random = options.random ?? Math.random;
  return {
    protocol: VIRTUAL_PROTOCOL,
    parseProtocol(reader) {
      return { offline: reader.boolean('offline', { default: false }) };
    },
    parseVisitor(reader, property) {
      const kind = reader.oneOf('kind', ['randomWalk', 'actuator'], { required: true });
      if (kind === 'actuator') {
        let initial: DeviceValue;
        if (property.type === 'boolean') initial = reader.boolean('initial', { default: false });
        else if (property.type === 'string' || property.type === 'bytes') initial = reader.string('initial', { default: '', hint: 'write the starting text' });
        else initial = reader.number('initial', { default: 0, hint: 'write the starting number' });
        return { visitor: { kind, initial } };
      }
      const min = reader.number('min', { default: 0, hint: 'write the lowest value, such as 15' });
      const max = reader.number('max', { default: 100, hint: 'write the highest value, such as 30' });
      if (min > max) reader.problem('min', `is above max ${max}`, min, 'swap min and max');
      const step = reader.number('step', { default: 0.5, hint: 'write the largest change per read, such as 0.2' });
      if (step < 0) reader.problem('step', 'is negative', step, 'write a positive number such as 0.2');
      const initial = reader.number('initial', { default: (min + max) / 2, hint: `write a starting value from ${min} to ${max}` });
      if (initial < min || initial > max) reader.problem('initial', 'is outside min..max', initial, `write a starting value from ${min} to ${max}`);
      return { visitor: { kind: 'randomWalk', initial, step, min, max } };
    },
    createDevice(protocol): DeviceDriver<VirtualVisitor> {
      const values = new Map<string, DeviceValue>();
      let connected = false;
      return {
        async connect() {
          if (protocol.offline) throw new DeviceError('DISCONNECTED', 'the simulated device is switched off (protocol configData offline: true)');
          connected = true;
        },
        async read(visitor, property) {
          if (!connected) throw new DeviceError('DISCONNECTED', 'not connected');
          const current = values.get(property.name) ?? visitor.initial;
          if (visitor.kind === 'actuator') return current;
          const next = Math.min(visitor.max, Math.max(visitor.min, Number(current) + (random() * 2 - 1) * visitor.step));
          const rounded = Math.round(next * 100) / 100;
          values.set(property.name, rounded);
          return rounded;
        },
        async write(visitor, property, value) {
          if (!connected) throw new DeviceError('DISCONNECTED', 'not connected');
          if (visitor.kind !== 'actuator') throw new DeviceError('BAD_VALUE', `property ${property.name} is a simulated sensor (kind: randomWalk); only kind: actuator properties hold written values`);
          values.set(property.name, value);
        },
        async health(): Promise<DeviceHealth> {
          return connected ? 'online' : 'offline';
        },
        async close() {
          connected = false;
        },
      };
    },
  };
}
