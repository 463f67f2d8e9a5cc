import { formatFieldError, invalid, notSupported, required, tooLong, tooMany, toStatusCauses } from './errors';
import { goFloat, goJson, goNumber, goQuote, goTypeName, goValue, renderBadValue } from './go-format';

describe('Go value printing', () => {
  it('prints float64 like %v, with an exponent from 1e+06 and below 1e-04', () => {
    expect([0.5, 100000, 1e6, 1234567.5, 0.0001, 0.00001, -2.5e-7, 1e21].map(goFloat)).toEqual([
      '0.5', '100000', '1e+06', '1.2345675e+06', '0.0001', '1e-05', '-2.5e-07', '1e+21',
    ]);
    expect([3, -7, 1e6, 2 ** 62].map(goNumber)).toEqual(['3', '-7', '1000000', '4611686018427387904']);
  });

  it('quotes strings like strconv.Quote', () => {
    expect(goQuote('say "hi"\n\t\\')).toBe('"say \\"hi\\"\\n\\t\\\\"');
    expect(goQuote('\x01\x7f\u00ad')).toBe('"\\x01\\x7f\\u00ad"');
    expect(goQuote('héllo ✓ 😀')).toBe('"héllo ✓ 😀"');
  });

  it('marshals JSON like encoding/json: keys sorted by bytes, HTML escaped', () => {
    expect(goJson({ b: 1, a: [true, null], '10': 'x', '9': '<&>' })).toBe('{"10":"x","9":"\\u003c\\u0026\\u003e","a":[true,null],"b":1}');
  });

  it('prints %v and %T of decoded JSON', () => {
    expect(goValue({ b: [1, 'x'], a: null })).toBe('map[a:<nil> b:[1 x]]');
    expect([1, 1.5, 's', true, [], {}, null].map(goTypeName)).toEqual(['int64', 'float64', 'string', 'bool', '[]interface {}', 'map[string]interface {}', '<nil>']);
  });

  it('renders bad values as field errors print them', () => {
    expect([null, true, 5, 0.5, 'x', ['a'], { k: 1 }].map(renderBadValue)).toEqual(['null', 'true', '5', '0.5', '"x"', '["a"]', '{"k":1}']);
  });
});

describe('field errors', () => {
  it('have Go ErrorBody messages', () => {
    expect([
      required('a.b'),
      required('a', 'why'),
      invalid('a', 'v', 'bad'),
      notSupported('a', 'x', ['p', 'q']),
      tooLong('a', 1),
      tooMany('a', 3, 2),
    ].map(formatFieldError)).toEqual([
      'a.b: Required value',
      'a: Required value: why',
      'a: Invalid value: "v": bad',
      'a: Unsupported value: "x": supported values: "p", "q"',
      'a: Too long: may not be more than 1 byte',
      'a: Too many: 3: must have at most 2 items',
    ]);
  });

  it('become Status causes with `reason`, omitting an empty field', () => {
    expect(toStatusCauses([required('x'), invalid('', '', 'composite')])).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'x' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "": composite' },
    ]);
  });
});
