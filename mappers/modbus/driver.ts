/**
 * The `modbus` protocol over TCP (modbus-serial), with KubeEdge's configData:
 *
 *   protocol configData:  ip (required), port (502), slaveID (1), timeout (ms per request, 1000)
 *   visitor configData:   register: CoilRegister | DiscreteInputRegister | HoldingRegister | InputRegister
 *                         offset (zero-based address, required), limit (registers or bits, 1), scale (1),
 *                         isSwap (bytes in each register), isRegisterSwap (register order),
 *                         dataType (optional: int16 uint16 int32 uint32 int64 uint64 float32 float64 string;
 *                         by default from the property's type and limit, see codec.ts)
 *
 * Coils and discrete inputs read as a boolean (limit 1) or as a whole number whose bit i is the bit at offset+i.
 * A Modbus exception is DEVICE_EXCEPTION naming its code, no answer within the timeout is TIMEOUT (after 3 in a row
 * the connection is dropped and made again), a refused or closed connection is DISCONNECTED.
 */
import ModbusRTU from 'modbus-serial';
import type { Logger } from '../../pkg/log';
import type { DeviceDriver, DeviceHealth, PropertyContext, ProtocolDriver } from '../sdk/driver';
import { DeviceError } from '../sdk/errors';
import type { DeviceValue } from '../sdk/values';
import { DATA_TYPES, decodeRegisters, defaultDataType, encodeRegisters, toWords, WORDS, type DataType, type Layout } from './codec';

export const MODBUS_PROTOCOL = 'modbus';

export const REGISTERS = ['CoilRegister', 'DiscreteInputRegister', 'HoldingRegister', 'InputRegister'] as const;
export type Register = (typeof REGISTERS)[number];

export interface ModbusProtocol {
  readonly ip: string;
  readonly port: number;
  readonly slaveID: number;
  readonly timeoutMs: number;
}

export interface ModbusVisitor extends Partial<Layout> {
  readonly register: Register;
  readonly offset: number;
  readonly limit: number;
}

/** Modbus exception codes (Modbus Application Protocol v1.1b3, §7). */
const EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'ILLEGAL FUNCTION',
  2: 'ILLEGAL DATA ADDRESS',
  3: 'ILLEGAL DATA VALUE',
  4: 'SERVER DEVICE FAILURE',
  5: 'ACKNOWLEDGE',
  6: 'SERVER DEVICE BUSY',
  8: 'MEMORY PARITY ERROR',
  10: 'GATEWAY PATH UNAVAILABLE',
  11: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

/** Consecutive timeouts after which the connection is dropped and made again (a half-open TCP connection never heals). */
const TIMEOUTS_BEFORE_RECONNECT = 3;
const MAX_REGISTERS = 125;
const MAX_BITS = 32;

export function modbusDriver(): ProtocolDriver<ModbusProtocol, ModbusVisitor> {
  return {
    protocol: MODBUS_PROTOCOL,
    parseProtocol(reader) {
      if (reader.has('serialPort')) {
        reader.problem('serialPort', 'serial Modbus (RTU) is not supported by this mapper', reader.get('serialPort'), 'use Modbus TCP: set ip and port');
      }
      return {
        ip: reader.string('ip', { required: true, hint: "write the device's IP address or host name, such as 192.168.1.10" }) ?? '',
        port: reader.integer('port', { min: 1, max: 65535, default: 502 }) ?? 502,
        slaveID: reader.integer('slaveID', { min: 0, max: 255, default: 1, hint: 'write the unit (slave) id, a whole number from 0 to 255' }) ?? 1,
        timeoutMs: reader.integer('timeout', { min: 1, max: 600_000, default: 1000, hint: 'write milliseconds, such as 1000' }) ?? 1000,
      };
    },
    parseVisitor(reader, property) {
      const register = reader.oneOf('register', REGISTERS, { required: true }) ?? 'HoldingRegister';
      const offset = reader.integer('offset', { min: 0, max: 65535, required: true, hint: 'write the zero-based address, a whole number from 0 to 65535' }) ?? 0;
      const bits = register === 'CoilRegister' || register === 'DiscreteInputRegister';
      const max = bits ? MAX_BITS : MAX_REGISTERS;
      const limit = reader.integer('limit', { min: 1, max, default: 1, hint: `write how many ${bits ? 'bits' : 'registers'} to read, 1 to ${max}` }) ?? 1;
      if (offset + limit > 65536) reader.problem('limit', `reaches past address 65535 from offset ${offset}`, limit, 'lower offset or limit');
      const scale = reader.number('scale', { default: 1, nonZero: true, hint: 'write a number such as 0.1 (a register holding tenths)' });
      const transform = { scale, offset: 0 };
      if (bits) return { visitor: { register, offset, limit }, transform };

      const named = reader.has('dataType') ? reader.oneOf('dataType', DATA_TYPES, { required: true }) : undefined;
      const dataType: DataType | undefined = named ?? defaultDataType(property.type, limit);
      if (dataType === undefined && !reader.has('dataType')) {
        reader.problem('limit', `${limit} registers do not make a ${property.type.toUpperCase()} value`, limit, 'use 1, 2 or 4 registers, or set dataType');
      }
      const words = dataType === undefined ? undefined : WORDS[dataType];
      if (named !== undefined && words !== undefined && words !== limit) {
        reader.problem('limit', `${named} takes ${words} register${words === 1 ? '' : 's'}`, limit, `write limit: ${words}`);
      }
      const layout: Layout = {
        dataType: dataType ?? 'uint16',
        words: limit,
        isSwap: reader.boolean('isSwap', { default: false }),
        isRegisterSwap: reader.boolean('isRegisterSwap', { default: false }),
      };
      return { visitor: { register, offset, limit, ...layout }, transform };
    },
    createDevice(protocol, context) {
      return new ModbusDevice(protocol, context.log);
    },
  };
}

class ModbusDevice implements DeviceDriver<ModbusVisitor> {
  private client: ModbusRTU | undefined;
  private timeouts = 0;
  private lastFailure: DeviceError | undefined;
  private readonly where: string;

  constructor(
    private readonly protocol: ModbusProtocol,
    private readonly log: Logger,
  ) {
    this.where = `${protocol.ip}:${protocol.port} unit ${protocol.slaveID}`;
  }

  async connect(): Promise<void> {
    await this.close();
    const client = new ModbusRTU();
    client.setID(this.protocol.slaveID);
    client.setTimeout(this.protocol.timeoutMs);
    // Without a listener an 'error' on the socket would be thrown; the failed request reports it instead.
    client.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connectTCP(this.protocol.ip, { port: this.protocol.port, timeout: this.protocol.timeoutMs }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new DeviceError('TIMEOUT', `no TCP connection to ${this.where} within ${this.protocol.timeoutMs} ms`)), this.protocol.timeoutMs);
        }),
      ]);
    } catch (error) {
      client.close(() => undefined);
      throw this.classify(error, 'connecting');
    } finally {
      clearTimeout(timer);
    }
    this.client = client;
    this.timeouts = 0;
    this.lastFailure = undefined;
    this.log.debug({ modbus: this.where }, 'Modbus TCP connected');
  }

  async read(visitor: ModbusVisitor): Promise<DeviceValue> {
    const target = `${visitor.register} ${range(visitor)}`;
    return this.request(`reading ${target}`, async (client) => {
      switch (visitor.register) {
        case 'CoilRegister':
        case 'DiscreteInputRegister': {
          const read = visitor.register === 'CoilRegister' ? client.readCoils(visitor.offset, visitor.limit) : client.readDiscreteInputs(visitor.offset, visitor.limit);
          const bits = (await read).data.slice(0, visitor.limit);
          return visitor.limit === 1 ? (bits[0] ?? false) : bits.reduce((sum, bit, i) => sum + (bit ? 2 ** i : 0), 0);
        }
        case 'HoldingRegister':
        case 'InputRegister': {
          const read = visitor.register === 'HoldingRegister' ? client.readHoldingRegisters(visitor.offset, visitor.limit) : client.readInputRegisters(visitor.offset, visitor.limit);
          return decodeRegisters((await read).buffer, visitor as Layout);
        }
      }
    });
  }

  async write(visitor: ModbusVisitor, property: PropertyContext, value: DeviceValue): Promise<void> {
    const target = `${visitor.register} ${range(visitor)}`;
    if (visitor.register === 'InputRegister' || visitor.register === 'DiscreteInputRegister') {
      throw new DeviceError('BAD_VALUE', `${target} is read-only in Modbus; property ${property.name} needs a HoldingRegister or CoilRegister to be written`);
    }
    if (visitor.register === 'CoilRegister') {
      if (typeof value === 'string') throw new DeviceError('BAD_VALUE', `${JSON.stringify(value)} cannot be written to ${target}; coils hold true/false`);
      const number = Number(value);
      if (visitor.limit === 1) {
        await this.request(`writing ${target}`, (client) => client.writeCoil(visitor.offset, number !== 0));
        return;
      }
      const whole = Math.round(number);
      if (whole < 0 || whole >= 2 ** visitor.limit) throw new DeviceError('BAD_VALUE', `${whole} does not fit ${target} (${visitor.limit} bits: 0 to ${2 ** visitor.limit - 1})`);
      const bits = Array.from({ length: visitor.limit }, (_, i) => Math.floor(whole / 2 ** i) % 2 === 1);
      await this.request(`writing ${target}`, (client) => client.writeCoils(visitor.offset, bits));
      return;
    }
    const words = toWords(encodeRegisters(value, visitor as Layout, target));
    // FC 6 for one register (every device has it), FC 16 for several.
    await this.request<unknown>(`writing ${target}`, (client) =>
      words.length === 1 ? client.writeRegister(visitor.offset, words[0] as number) : client.writeRegisters(visitor.offset, words),
    );
  }

  async health(): Promise<DeviceHealth> {
    if (this.client === undefined || !this.client.isOpen) return 'offline';
    return this.lastFailure === undefined ? 'online' : 'unhealthy';
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async request<T>(what: string, send: (client: ModbusRTU) => Promise<T>): Promise<T> {
    const client = this.client;
    if (client === undefined || !client.isOpen) throw new DeviceError('DISCONNECTED', `no connection to ${this.where} (closed) while ${what}`);
    try {
      const result = await send(client);
      this.timeouts = 0;
      this.lastFailure = undefined;
      return result;
    } catch (error) {
      const failure = this.classify(error, what);
      this.lastFailure = failure;
      if (failure.code === 'TIMEOUT' && ++this.timeouts >= TIMEOUTS_BEFORE_RECONNECT) {
        this.log.warn({ modbus: this.where, timeouts: this.timeouts }, 'Modbus device stopped answering; dropping the connection to make a new one');
        await this.close();
      }
      throw failure;
    }
  }

  /** modbus-serial's errors by their code fields, never by their text. */
  private classify(error: unknown, what: string): DeviceError {
    if (error instanceof DeviceError) return error;
    const { modbusCode, name, errno, code } = error as { modbusCode?: number; name?: string; errno?: string | number; code?: string };
    if (typeof modbusCode === 'number') {
      const meaning = EXCEPTIONS[modbusCode] ?? 'unknown exception';
      return new DeviceError('DEVICE_EXCEPTION', `Modbus exception ${modbusCode} (${meaning}) ${what} from ${this.where}`, { cause: error });
    }
    if (name === 'TransactionTimedOutError' || errno === 'ETIMEDOUT' || code === 'ETIMEDOUT') {
      return new DeviceError('TIMEOUT', `no answer ${what} from ${this.where} within ${this.protocol.timeoutMs} ms`, { cause: error });
    }
    const reason = typeof code === 'string' ? code : typeof errno === 'string' ? errno : (name ?? 'error');
    if (name === 'PortNotOpenError' || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(reason)) {
      return new DeviceError('DISCONNECTED', `no connection to ${this.where} (${reason}) while ${what}`, { cause: error });
    }
    return new DeviceError('DEVICE_EXCEPTION', `${what} from ${this.where} failed: ${(error as Error).message}`, { cause: error });
  }
}

function range(visitor: ModbusVisitor): string {
  return visitor.limit === 1 ? String(visitor.offset) : `${visitor.offset}..${visitor.offset + visitor.limit - 1}`;
}
