import { DeviceError, ValueError } from './errors';
import { formatNumber, parseValueType, toDeviceValue, toTwinValue, type ValueSpec } from './values';

const spec = (type: ValueSpec['type'], extra: Partial<ValueSpec> = {}): ValueSpec => ({ type, transform: { scale: 1, offset: 0 }, ...extra });

describe('model types', () => {
  test.each([
    ['INT', 'int'],
    ['integer', 'int'],
    ['FLOAT', 'float'],
    ['DOUBLE', 'double'],
    ['STRING', 'string'],
    ['BOOLEAN', 'boolean'],
    ['', 'string'],
  ])('%s is %s', (model, type) => expect(parseValueType(model)).toBe(type));

  test('an unknown type is undefined', () => expect(parseValueType('decimal')).toBeUndefined());
});

describe('device value -> twin text', () => {
  test('scale and offset apply on read', () => {
    expect(toTwinValue(235, spec('float', { transform: { scale: 0.1, offset: 0 } }))).toBe('23.5');
    expect(toTwinValue(100, spec('int', { transform: { scale: 1, offset: -40 } }))).toBe('60');
    expect(toTwinValue(7, spec('double', { transform: { scale: 0.5, offset: 1 } }))).toBe('4.5');
  });

  test('INT rounds; floats lose float32 noise but keep 6 decimals', () => {
    expect(toTwinValue(29, spec('int', { transform: { scale: 0.1, offset: 0 } }))).toBe('3');
    expect(toTwinValue(Math.fround(23.1), spec('float'))).toBe('23.1');
    expect(formatNumber(1 / 3)).toBe('0.333333');
  });

  test('booleans and bits', () => {
    expect(toTwinValue(true, spec('boolean'))).toBe('true');
    expect(toTwinValue(0, spec('boolean'))).toBe('false');
    expect(toTwinValue(true, spec('int'))).toBe('1');
    expect(toTwinValue(false, spec('string'))).toBe('false');
  });

  test('a 64-bit integer stays exact', () => {
    expect(toTwinValue(2n ** 60n, spec('int'))).toBe('1152921504606846976');
  });

  test('text that is not a number for a numeric property is a BAD_VALUE read', () => {
    expect(() => toTwinValue('warm', spec('float'))).toThrow(DeviceError);
    expect(() => toTwinValue('warm', spec('float'))).toThrow('the device returned "warm", which is not a float value');
  });
});

describe('twin text -> device value', () => {
  test('scale and offset are undone on write', () => {
    expect(toDeviceValue('23.5', spec('float', { transform: { scale: 0.1, offset: 0 } }), 'p')).toBeCloseTo(235);
    expect(toDeviceValue('60', spec('int', { transform: { scale: 1, offset: -40 } }), 'p')).toBe(100);
    expect(toDeviceValue('true', spec('boolean'), 'p')).toBe(true);
    expect(toDeviceValue('on', spec('string'), 'p')).toBe('on');
  });

  test('min/max from the model refuse a value out of range, naming it', () => {
    const bounded = spec('int', { minimum: 10, maximum: 30 });
    expect(toDeviceValue('30', bounded, 'p')).toBe(30);
    expect(() => toDeviceValue('31', bounded, 'property setpoint')).toThrow(
      new ValueError("property setpoint: 31 is above the model's maximum 30; the model allows 10 to 30"),
    );
    expect(() => toDeviceValue('9', bounded, 'property setpoint')).toThrow("9 is below the model's minimum 10");
  });

  test('a value of the wrong type is refused with the fix', () => {
    expect(() => toDeviceValue('21.5', spec('int'), 'property count')).toThrow('property count: "21.5" is not a whole number; write digits such as 42');
    expect(() => toDeviceValue('abc', spec('double'), 'p')).toThrow('"abc" is not a number');
    expect(() => toDeviceValue('yes', spec('boolean'), 'p')).toThrow('"yes" is not a boolean; write true or false');
    expect(() => toDeviceValue('', spec('float'), 'p')).toThrow('is not a number');
    expect(() => toDeviceValue('00', spec('bytes'), 'p')).toThrow('BYTES properties cannot be written');
  });
});
