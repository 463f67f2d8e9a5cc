import { crd, messages, root, type Json } from './testdata/crontab';

const P = 'spec.validation.openAPIV3Schema';
const withSchema = (edit: (s: Json) => void): string[] => messages(crd((c) => edit(root(c))));
const spec = (s: Json): Json => s.properties.spec.properties;

describe('CRD schemas: structural rules', () => {
  it('wants a type on every node, reported for a single-version CRD under spec.validation', () => {
    expect(withSchema((s) => ((spec(s).image = {}), (spec(s).list = { type: 'array', items: {} }), delete s.type))).toEqual([
      `${P}.properties[spec].properties[image].type: Required value: must not be empty for specified object fields`,
      `${P}.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items`,
      `${P}.type: Required value: must not be empty at the root`,
    ]);
  });

  it('accepts untyped nodes with x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields', () => {
    expect(withSchema((s) => ((spec(s).port = { 'x-kubernetes-int-or-string': true }), (spec(s).extra = { 'x-kubernetes-preserve-unknown-fields': true })))).toEqual([]);
  });

  it('forbids additionalProperties beside properties, at the root, and wants items for arrays', () => {
    expect(
      withSchema((s) => {
        spec(s).labels = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } };
        spec(s).tags = { type: 'array' };
        s.additionalProperties = true;
      }),
    ).toEqual([
      `${P}.additionalProperties: Forbidden: must not be used at the root`,
      `${P}.properties[spec].properties[tags].items: Required value: must be specified`,
      `${P}.properties[spec].properties[labels].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ]);
  });

  it('wants an object at the root and string apiVersion/kind', () => {
    expect(withSchema((s) => ((s.type = 'array'), (s.items = { type: 'string' }), (s.properties.kind = { type: 'integer' })))).toEqual([
      `${P}.properties[kind].type: Invalid value: "integer": must be string`,
      `${P}.type: Invalid value: "array": must be object at the root`,
    ]);
  });

  it('lets root metadata restrict only name and generateName', () => {
    expect(withSchema((s) => (s.properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } }))).toEqual([]);
    expect(withSchema((s) => (s.properties.metadata = { type: 'object', properties: { labels: { type: 'object' } } }))).toEqual([
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
    expect(withSchema((s) => (s.properties.metadata = { type: 'object', default: { name: 'x' } }))).toEqual([
      `${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`,
    ]);
  });

  it('keeps value validations (anyOf...) from shaping the object', () => {
    expect(
      withSchema((s) => {
        spec(s).port = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
        spec(s).mode = { type: 'string', anyOf: [{ type: 'string', default: 'x', description: 'd' }] };
        s.oneOf = [{ required: ['spec'] }, { properties: { other: { type: 'string' } } }];
      }),
    ).toEqual([
      `${P}.oneOf[1].properties[other].type: Forbidden: must be empty to be structural`,
      `${P}.properties[other]: Required value: because it is defined in ${P}.oneOf[1].properties[other]`,
      `${P}.properties[spec].properties[mode].anyOf[0].default: Forbidden: must be undefined to be structural`,
      `${P}.properties[spec].properties[mode].anyOf[0].description: Forbidden: must be empty to be structural`,
      `${P}.properties[spec].properties[mode].anyOf[0].type: Forbidden: must be empty to be structural`,
    ]);
  });

  it('checks embedded resources', () => {
    expect(withSchema((s) => (spec(s).template = { type: 'object', 'x-kubernetes-embedded-resource': true }))).toEqual([
      `${P}.properties[spec].properties[template].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ]);
    expect(withSchema((s) => (spec(s).template = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }))).toEqual([]);
  });
});

describe('CRD schemas: patterns, defaults and the OpenAPI subset', () => {
  it('refuses patterns RE2 cannot compile (they are Go regexps, not ECMAScript)', () => {
    expect(withSchema((s) => (spec(s).cronSpec.pattern = '^(?!kube-).*$'))).toEqual([
      `${P}.properties[spec].properties[cronSpec].pattern: Invalid value: "^(?!kube-).*$": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?!\``,
    ]);
    expect(withSchema((s) => (spec(s).cronSpec.pattern = '^[a-z]+\\d{2,}(?i)x$'))).toEqual([]);
  });

  it('validates defaults against their own schema and refuses unknown fields in them', () => {
    expect(
      withSchema((s) => {
        spec(s).replicas.default = 'three';
        spec(s).image.default = 'x'.repeat(3);
        spec(s).image.maxLength = 2;
        spec(s).settings = { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 'y' } };
      }),
    ).toEqual([
      `${P}.properties[spec].properties[image].default: Too long: may not be more than 2 bytes`,
      `${P}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`,
      `${P}.properties[spec].properties[settings].default: Invalid value: {"a":"x","b":"y"}: must not have unknown fields`,
    ]);
    expect(withSchema((s) => (spec(s).replicas.default = 20))).toEqual([
      `${P}.properties[spec].properties[replicas].default: Invalid value: 20:  in body should be less than or equal to 10`,
    ]);
  });

  it('forbids what CRD schemas cannot use', () => {
    expect(
      withSchema((s) => {
        spec(s).tags = { type: 'array', items: { type: 'string' }, uniqueItems: true };
        spec(s).ref = { type: 'object', $ref: '#/definitions/x' };
        spec(s).nothing = { type: 'null' };
        spec(s).tuple = { type: 'array', items: [{ type: 'string' }] };
        spec(s).free = { type: 'object', 'x-kubernetes-preserve-unknown-fields': false };
      }),
    ).toEqual([
      // No structural errors: with $ref (etc.) the server cannot build the structural schema, so it skips those checks.
      `${P}.properties[spec].properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${P}.properties[spec].properties[ref].$ref: Forbidden: $ref is not supported`,
      `${P}.properties[spec].properties[nothing].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${P}.properties[spec].properties[nothing].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      `${P}.properties[spec].properties[tuple].items: Forbidden: items must be a schema object and not an array`,
      `${P}.properties[spec].properties[free].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ]);
    expect(withSchema((s) => (s.$schema = 'http://json-schema.org/draft-04/schema#'))).toEqual([
      `${P}: Invalid value: "": OpenAPIV3Schema 'schema' is not supported`,
    ]);
    expect(withSchema((s) => (s.nullable = true))).toEqual([`${P}.nullable: Forbidden: nullable cannot be true at the root`]);
  });

  it('restricts the root schema when /status is enabled', () => {
    const status = (edit: (s: Json) => void): string[] =>
      messages(crd((c) => ((c.spec.versions[0].subresources = { status: {} }), edit(root(c)))));
    expect(status(() => undefined)).toEqual([]);
    expect(status((s) => (s.type = 'array'))[0]).toBe(
      `${P}.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
    );
    expect(status((s) => (s.minProperties = 1))[0]).toMatch(
      /^spec\.validation\.openAPIV3Schema: Invalid value: \{.*\}: only \[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/,
    );
  });

  it('checks list and map types', () => {
    expect(
      withSchema((s) => {
        spec(s).ports = {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name', 'missing'],
          items: { type: 'object', properties: { name: { type: 'string' } } },
        };
        spec(s).flags = { type: 'object', 'x-kubernetes-list-type': 'set' };
        spec(s).mode = { type: 'string', 'x-kubernetes-map-type': 'fancy' };
      }),
    ).toEqual([
      `${P}.properties[spec].properties[ports].x-kubernetes-list-map-keys: Invalid value: ["name","missing"]: entries must all be names of item properties`,
      `${P}.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
      `${P}.properties[spec].properties[flags].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`,
      `${P}.properties[spec].properties[mode].type: Invalid value: "string": must be object if x-kubernetes-map-type is specified`,
      `${P}.properties[spec].properties[mode].x-kubernetes-map-type: Unsupported value: "fancy": supported values: "atomic", "granular"`,
    ]);
  });

  it('checks the shape of x-kubernetes-validations (CEL itself is not compiled)', () => {
    expect(withSchema((s) => (spec(s).image['x-kubernetes-validations'] = [{ rule: ' ' }, { rule: 'self.size() > 1', reason: 'Nope' }]))).toEqual([
      `${P}.properties[spec].properties[image].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
      `${P}.properties[spec].properties[image].x-kubernetes-validations[1].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    ]);
  });
});
