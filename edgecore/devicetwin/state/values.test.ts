import { nameProblem, twinTypeOf, valueProblem } from './values';

describe('twin values (KubeEdge dtcommon rules)', () => {
  it('checks names against the twin name pattern', () => {
    expect(nameProblem('temperature')).toBeUndefined();
    expect(nameProblem('a-b_c.d,e:f/g@h#1')).toBeUndefined();
    expect(nameProblem('x'.repeat(128))).toBeUndefined();
    for (const bad of ['', 'x'.repeat(129), 'with space', 'émoji', 'a+b']) expect(nameProblem(bad)).toMatch(/is not a twin name/);
  });

  it('checks values by type', () => {
    expect(valueProblem('int', '-42')).toBeUndefined();
    expect(valueProblem('integer', '9223372036854775807')).toBeUndefined();
    expect(valueProblem('int', '9223372036854775808')).toMatch(/is not an int/);
    expect(valueProblem('int', '1.5')).toMatch(/is not an int/);
    expect(valueProblem('float', '21.5')).toBeUndefined();
    expect(valueProblem('double', '-1e-3')).toBeUndefined();
    expect(valueProblem('float', 'NaN')).toBeUndefined();
    expect(valueProblem('float', '1.2.3')).toMatch(/is not a float/);
    expect(valueProblem('boolean', 'true')).toBeUndefined();
    expect(valueProblem('boolean', 'True')).toBe('"True" is not a boolean (true or false)');
    expect(valueProblem('string', 'any/thing@1')).toBeUndefined();
    expect(valueProblem('string', 'x'.repeat(513))).toMatch(/is not a twin value/);
    expect(valueProblem('widget', 'x')).toBe('twin type "widget" is unknown');
  });

  it("maps DeviceModel property types to KubeEdge's twin types", () => {
    expect(['INT', 'FLOAT', 'DOUBLE', 'BOOLEAN', 'STRING', 'BYTES', 'STREAM', undefined].map(twinTypeOf)).toEqual([
      'int',
      'float',
      'double',
      'boolean',
      'string',
      'string',
      'string',
      'string',
    ]);
  });
});
