/**
 * A device kept in memory, for the SDK's own tests: its values, faults and call log are in the test's hands. The
 * SDK also runs against real devices in mappers/modbus (pymodbus) and mappers/virtual.
 *
 * protocol `memory`; protocol configData {device}; visitor configData {key, scale?, offset?}.
 */
import type { DeviceDriver, DeviceHealth, ProtocolDriver } from '../driver';
import { DeviceError, type DeviceErrorCode } from '../errors';
import type { DeviceValue } from '../values';

export class MemoryDevice {
  readonly values = new Map<string, DeviceValue>();
  readonly reads: { key: string; at: number }[] = [];
  readonly writes: { key: string; value: DeviceValue; at: number }[] = [];
  connects = 0;
  closes = 0;
  connected = false;
  /** Set: connect() fails. */
  refuseConnect = false;
  /** Set: read() fails with this code (DISCONNECTED also drops the connection). */
  failReads: DeviceErrorCode | undefined;
  failWrites: DeviceErrorCode | undefined;
  /** Each read takes this long. */
  readDelayMs = 0;
  /** Each write takes this long (a real device's round trip, during which another write may be tried). */
  writeDelayMs = 0;
}

export function memoryDriver(devices: Map<string, MemoryDevice>): ProtocolDriver<{ device: string }, { key: string }> {
  return {
    protocol: 'memory',
    parseProtocol(reader) {
      return { device: reader.string('device', { required: true, hint: 'name the memory device' }) ?? '' };
    },
    parseVisitor(reader) {
      const key = reader.string('key', { required: true, hint: 'name the value to read' }) ?? '';
      const scale = reader.number('scale', { default: 1, nonZero: true, hint: 'write a number such as 0.1' });
      const offset = reader.number('offset', { default: 0, hint: 'write a number' });
      return { visitor: { key }, transform: { scale, offset } };
    },
    createDevice(protocol): DeviceDriver<{ key: string }> {
      const device = (): MemoryDevice => {
        const found = devices.get(protocol.device);
        if (found === undefined) throw new DeviceError('DISCONNECTED', `no memory device ${protocol.device}`);
        return found;
      };
      return {
        async connect() {
          const target = device();
          target.connects++;
          if (target.refuseConnect) throw new DeviceError('DISCONNECTED', 'connection refused');
          target.connected = true;
        },
        async read({ key }) {
          const target = device();
          target.reads.push({ key, at: Date.now() });
          if (target.readDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, target.readDelayMs));
          if (!target.connected) throw new DeviceError('DISCONNECTED', 'not connected');
          if (target.failReads) {
            if (target.failReads === 'DISCONNECTED') target.connected = false;
            throw new DeviceError(target.failReads, `injected ${target.failReads}`);
          }
          const value = target.values.get(key);
          if (value === undefined) throw new DeviceError('DEVICE_EXCEPTION', `no value ${key}`);
          return value;
        },
        async write({ key }, _property, value) {
          const target = device();
          if (!target.connected) throw new DeviceError('DISCONNECTED', 'not connected');
          if (target.failWrites) throw new DeviceError(target.failWrites, `injected ${target.failWrites}`);
          if (target.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, target.writeDelayMs));
          target.writes.push({ key, value, at: Date.now() });
          target.values.set(key, value);
        },
        async health(): Promise<DeviceHealth> {
          return devices.get(protocol.device)?.connected ? 'online' : 'offline';
        },
        async close() {
          const target = devices.get(protocol.device);
          if (target) {
            target.closes++;
            target.connected = false;
          }
        },
      };
    },
  };
}
