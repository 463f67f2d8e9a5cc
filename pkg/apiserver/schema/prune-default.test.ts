import { applySchemaDefaults } from './defaulting';
import { pruneUnknownFields } from './prune';
import { readSchema } from './schema-types';

const schema = readSchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1 },
        image: { type: 'string' },
        mode: { type: 'string', default: 'fast' },
        note: { type: 'string', nullable: true, default: 'n' },
        policy: { type: 'object', default: {}, properties: { retries: { type: 'integer', default: 3 }, backoff: { type: 'string' } } },
        ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } } },
        labels: { type: 'object', additionalProperties: { type: 'string', default: 'none' } },
        raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
      },
    },
  },
});

describe('pruning', () => {
  it('drops unknown fields, keeps apiVersion/kind/metadata at the root, and lists what it dropped', () => {
    const input = {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'a', unknownMeta: 1 },
      spec: { image: 'x', extra: 1, ports: [{ name: 'a', junk: true }], labels: { app: 'web' } },
      status: { replicas: 1 },
    };
    const result = pruneUnknownFields(input, schema, { isResourceRoot: true });
    expect(result.value).toEqual({
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'a', unknownMeta: 1 },
      spec: { image: 'x', ports: [{ name: 'a' }], labels: { app: 'web' } },
    });
    expect(result.prunedPaths).toEqual(['spec.extra', 'spec.ports[0].junk', 'status']);
    expect(input.spec.extra).toBe(1); // the input is not touched
  });

  it('keeps everything under x-kubernetes-preserve-unknown-fields, but prunes inside known fields there', () => {
    const result = pruneUnknownFields({ spec: { raw: { free: { x: 1 }, known: { a: 'y', b: 'z' } } } }, schema, { isResourceRoot: true });
    expect(result.value).toEqual({ spec: { raw: { free: { x: 1 }, known: { a: 'y' } } } });
    expect(result.prunedPaths).toEqual(['spec.raw.known.b']);
  });

  it('keeps the TypeMeta of embedded resources and coerces their metadata like ObjectMeta', () => {
    const result = pruneUnknownFields(
      { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { x: 'a', y: 'b' } } } },
      schema,
      { isResourceRoot: true },
    );
    expect(result.value).toEqual({ spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: null }, spec: { x: 'a' } } } });
    expect(result.prunedPaths).toEqual(['spec.template.metadata.bogus', 'spec.template.spec.y']);
  });

  it('drops everything without a schema', () => {
    expect(pruneUnknownFields({ spec: { a: 1 }, kind: 'X' }, undefined, { isResourceRoot: true }).value).toEqual({ kind: 'X' });
  });
});

describe('defaulting', () => {
  it('fills missing fields top-down, including inside a defaulted object and in every list item', () => {
    const input = { spec: { ports: [{ name: 'http' }, { name: 'https', port: 443 }] } };
    expect(applySchemaDefaults(input, schema)).toEqual({
      spec: {
        replicas: 1,
        mode: 'fast',
        note: 'n',
        policy: { retries: 3 },
        ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }],
      },
    });
    expect(input).toEqual({ spec: { ports: [{ name: 'http' }, { name: 'https', port: 443 }] } });
  });

  it('replaces a non-nullable null with the default, drops it without one, keeps a nullable null', () => {
    expect(applySchemaDefaults({ spec: { replicas: null, image: null, note: null, labels: { a: null } } }, schema)).toEqual({
      spec: { replicas: 1, mode: 'fast', note: null, policy: { retries: 3 }, labels: { a: 'none' } },
    });
  });

  it('defaults a field named __proto__ as plain data', () => {
    const odd = readSchema(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string","default":"x"}}}'));
    const out = applySchemaDefaults({}, odd) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":"x"}');
  });

  it('does not default the root or touch values it has no schema for', () => {
    expect(applySchemaDefaults({ other: null }, schema)).toEqual({ other: null });
    expect(applySchemaDefaults({ spec: 'x' }, schema)).toEqual({ spec: 'x' });
  });
});
