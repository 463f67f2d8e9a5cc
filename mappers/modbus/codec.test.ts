import { DeviceError } from '../sdk/errors';
import { decodeRegisters, defaultDataType, encodeRegisters, reorder, toWords, type Layout } from './codec';

const layout = (dataType: Layout['dataType'], words: number, isSwap = false, isRegisterSwap = false): Layout => ({ dataType, words, isSwap, isRegisterSwap });
const words = (...values: number[]): Buffer => Buffer.from(values.flatMap((value) => [value >> 8, value & 0xff]));

test('byte and word order', () => {
  const bytes = words(0x0102, 0x0304);
  expect(reorder(bytes, { isSwap: true, isRegisterSwap: false })).toEqual(words(0x0201, 0x0403));
  expect(reorder(bytes, { isSwap: false, isRegisterSwap: true })).toEqual(words(0x0304, 0x0102));
  expect(reorder(bytes, { isSwap: true, isRegisterSwap: true })).toEqual(words(0x0403, 0x0201));
  expect(reorder(words(1, 2, 3, 4), { isSwap: false, isRegisterSwap: true })).toEqual(words(4, 3, 2, 1));
});

test('decodes each data type', () => {
  expect(decodeRegisters(words(0xfff6), layout('int16', 1))).toBe(-10);
  expect(decodeRegisters(words(0xfff6), layout('uint16', 1))).toBe(65526);
  expect(decodeRegisters(words(0x0001, 0x86a0), layout('uint32', 2))).toBe(100000);
  expect(decodeRegisters(words(0x86a0, 0x0001), layout('uint32', 2, false, true))).toBe(100000);
  expect(decodeRegisters(words(0x41bc, 0x0000), layout('float32', 2))).toBe(23.5);
  expect(decodeRegisters(words(0x0000, 0x41bc), layout('float32', 2, false, true))).toBe(23.5);
  expect(decodeRegisters(words(0xbc41, 0x0000), layout('float32', 2, true))).toBe(23.5);
  expect(decodeRegisters(words(0x4037, 0x8000, 0, 0), layout('float64', 4))).toBe(23.5);
  expect(decodeRegisters(words(0xffff, 0xffff, 0xffff, 0xfffe), layout('int64', 4))).toBe(-2);
  expect(decodeRegisters(words(0x4f4b, 0x0000), layout('string', 2))).toBe('OK');
});

test('encoding undoes decoding, with the same reorderings', () => {
  for (const [value, l] of [
    [-10, layout('int16', 1, true)],
    [100000, layout('uint32', 2, false, true)],
    [23.5, layout('float32', 2, true, true)],
    [-1234567, layout('int64', 4, false, true)],
    [1.25, layout('float64', 4, true)],
    ['hi!', layout('string', 2)],
  ] as const) {
    expect(decodeRegisters(encodeRegisters(value, l, 'x'), l)).toBe(value);
  }
  expect(toWords(encodeRegisters(21, layout('uint16', 1), 'x'))).toEqual([21]);
  expect(toWords(encodeRegisters(true, layout('uint16', 1), 'x'))).toEqual([1]);
});

test('values that do not fit are BAD_VALUE naming the register and range', () => {
  expect(() => encodeRegisters(70000, layout('uint16', 1), 'HoldingRegister 3')).toThrow(new DeviceError('BAD_VALUE', '70000 does not fit HoldingRegister 3 (uint16: 0 to 65535)'));
  expect(() => encodeRegisters(-1, layout('uint32', 2), 'r')).toThrow('does not fit');
  expect(() => encodeRegisters('abc', layout('int16', 1), 'r')).toThrow('"abc" is not a number; r holds int16');
  expect(() => encodeRegisters('toolong', layout('string', 1), 'r')).toThrow('needs 7 bytes; r holds 2');
});

test("default data types follow KubeEdge's reading of a property's type and register count", () => {
  expect(defaultDataType('int', 1)).toBe('uint16');
  expect(defaultDataType('int', 2)).toBe('uint32');
  expect(defaultDataType('float', 1)).toBe('uint16');
  expect(defaultDataType('float', 2)).toBe('float32');
  expect(defaultDataType('double', 4)).toBe('float64');
  expect(defaultDataType('string', 5)).toBe('string');
  expect(defaultDataType('int', 3)).toBeUndefined();
});
