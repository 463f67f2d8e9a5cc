import { formatFieldError } from './errors';
import { validateValue } from './validate-schema';

const str = { type: 'string' };
const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
        positive: { type: 'integer', minimum: 0, exclusiveMinimum: true },
        ratio: { type: 'number', maximum: 0.5 },
        big: { type: 'number', maximum: 1e6 },
        count: { type: 'integer', format: 'int32' },
        n: { type: 'integer', multipleOf: 5 },
        mode: { type: 'string', enum: ['a', 'b'] },
        level: { type: 'number', enum: [1, 2] },
        name: { type: 'string', minLength: 3, maxLength: 5 },
        tags: { type: 'array', items: str, minItems: 1, maxItems: 2, uniqueItems: true },
        when: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        data: { type: 'string', format: 'byte' },
        optional: { type: 'string', nullable: true },
        image: str,
        empty: { type: 'object', additionalProperties: false },
        labels: { type: 'object', additionalProperties: str, minProperties: 1, maxProperties: 2 },
        port: { 'x-kubernetes-int-or-string': true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        size: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\d+Gi$' }] },
      },
    },
  },
};

const check = (spec: Record<string, unknown>): string[] =>
  validateValue(schema, { spec: { cronSpec: '* * * * *', ...spec } }).map(formatFieldError);

describe('custom object validation (kube-openapi semantics and messages)', () => {
  it('accepts a valid object', () => {
    expect(check({ replicas: 3, mode: 'a', tags: ['x'], port: 'http', free: { anything: [1, { a: 2 }] }, optional: null, size: 3 })).toEqual([]);
    expect(check({ port: 8080, size: '10Gi', when: '2024-05-01T10:00:00Z', day: '2024-02-29', data: 'aGVsbG8=' })).toEqual([]);
  });

  it('reports types with the type the value has', () => {
    expect(check({ replicas: 'three', ratio: true, tags: 'x', image: 5 })).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      'spec.ratio: Invalid value: "boolean": spec.ratio in body must be of type number: "boolean"',
      'spec.tags: Invalid value: "string": spec.tags in body must be of type array: "string"',
      'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
    ]);
    expect(check({ replicas: 1.5 })).toEqual(['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
    expect(check({ image: null })).toEqual(['spec.image: Invalid value: "null": spec.image in body must be of type string: "null"']);
    expect(check({ port: true })).toEqual(['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  });

  it('names the format when a number breaks an integer format (a kube-openapi quirk)', () => {
    expect(check({ count: 2.5 })).toEqual(['spec.count: Invalid value: "float64": spec.count in body must be of type int32: "float64"']);
  });

  it('reports required fields and enums', () => {
    expect(validateValue(schema, { spec: {} }).map(formatFieldError)).toEqual(['spec.cronSpec: Required value']);
    expect(check({ mode: 'x', level: 3 })).toEqual([
      'spec.mode: Unsupported value: "x": supported values: "a", "b"',
      'spec.level: Unsupported value: 3: supported values: "1", "2"',
    ]);
    expect(check({ level: 1.5 })).toEqual([]); // Go converts 1.5 to the enum's int64 type before comparing
  });

  it('reports patterns, lengths and formats', () => {
    expect(check({ cronSpec: '* * * *' })).toEqual([
      "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
    ]);
    expect(check({ name: 'abcdef' })).toEqual(['spec.name: Too long: may not be more than 5 bytes']);
    expect(check({ name: 'ab' })).toEqual(['spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long']);
    expect(check({ name: 'äöüß' })).toEqual([]); // lengths count characters, not bytes
    expect(check({ when: 'yesterday', day: '2023-02-29', data: 'not base64!' })).toEqual([
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
      'spec.day: Invalid value: "2023-02-29": spec.day in body must be of type date: "2023-02-29"',
      'spec.data: Invalid value: "not base64!": spec.data in body must be of type byte: "not base64!"',
    ]);
  });

  it('reports bounds as Go prints numbers', () => {
    expect(check({ replicas: 15, positive: 0, ratio: 0.75, n: 7 })).toEqual([
      'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
      'spec.positive: Invalid value: 0: spec.positive in body should be greater than 0',
      'spec.ratio: Invalid value: 0.75: spec.ratio in body should be less than or equal to 0.5',
      'spec.n: Invalid value: 7: spec.n in body should be a multiple of 5',
    ]);
    expect(check({ big: 2000000.5 })).toEqual(['spec.big: Invalid value: 2.0000005e+06: spec.big in body should be less than or equal to 1e+06']);
    expect(check({ big: 2000000 })).toEqual(['spec.big: Invalid value: 2000000: spec.big in body should be less than or equal to 1000000']);
  });

  it('reports item and property counts', () => {
    expect(check({ tags: [] })).toEqual(['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']);
    expect(check({ tags: ['a', 'b', 'c'] })).toEqual(['spec.tags: Too many: 3: must have at most 2 items']);
    expect(check({ tags: ['a', 'a'] })).toEqual(['spec.tags: Invalid value: "": spec.tags in body shouldn\'t contain duplicates']);
    expect(check({ tags: ['a', 5] })).toEqual(['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']);
    expect(check({ labels: {} })).toEqual(['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties']);
    expect(check({ labels: { a: 'x', b: 'y', c: 'z' } })).toEqual(['spec.labels: Too many: 3: must have at most 2 items']);
  });

  it('checks additionalProperties', () => {
    expect(check({ labels: { a: 1 }, empty: { x: 1 } })).toEqual([
      'spec.empty: Invalid value: "x": spec.empty.x in body is a forbidden property',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
    ]);
  });

  it('reports anyOf failures at the root field, then the closest alternative', () => {
    expect(check({ size: '10G' })).toEqual([
      ': Invalid value: "": "spec.size" must validate at least one schema (anyOf)',
      'spec.size: Invalid value: "10G": spec.size in body should match \'^\\d+Gi$\'',
    ]);
  });

  it('reports a root that is not an object', () => {
    expect(validateValue(schema, [1]).map(formatFieldError)).toEqual([': Invalid value: "array":  in body must be of type object: "array"']);
  });

  it('treats keys such as __proto__ and constructor as plain data', () => {
    const value = JSON.parse('{"spec": {"cronSpec": "* * * * *", "labels": {"__proto__": 1, "constructor": "x"}}}');
    expect(validateValue(schema, value).map(formatFieldError)).toEqual([
      'spec.labels.__proto__: Invalid value: "integer": spec.labels.__proto__ in body must be of type string: "integer"',
    ]);
  });
});
