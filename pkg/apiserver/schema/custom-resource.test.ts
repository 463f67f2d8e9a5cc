import { compileCustomResourceVersion } from './custom-resource';
import { SchemaError, formatFieldError } from './errors';
import { crd, root } from './testdata/crontab';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const definition = crd((c) => {
  c.spec.versions[0].subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
  const spec = root(c).properties.spec.properties;
  spec.template = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };
  spec.hosts = { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' };
  spec.ports = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } };
  root(c).properties.status.properties.selector = { type: 'string' };
  root(c).properties.spec.required = ['cronSpec'];
});
const crontab = compileCustomResourceVersion(definition, 'v1', { now: () => NOW });

const object = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'my-new-cron-object', namespace: 'default' },
  spec: { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 3, ...spec },
  ...extra,
});
const check = (obj: unknown): string[] => crontab.validate(obj).map(formatFieldError);

describe('a compiled CRD version', () => {
  it('knows its names and scope', () => {
    expect(crontab).toMatchObject({ group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', listKind: 'CronTabList', namespaced: true, statusSubresource: true });
  });

  it('refuses an unknown version with a named error', () => {
    expect(() => compileCustomResourceVersion(definition, 'v9', { now: () => NOW })).toThrow(SchemaError);
  });

  it('accepts the documentation example', () => {
    expect(check(object())).toEqual([]);
  });

  it('checks kind and apiVersion first, and stops there', () => {
    expect(check({ ...object({ replicas: 'x' }), kind: 'Cron', apiVersion: 'stable.example.com/v2' })).toEqual([
      'kind: Invalid value: "Cron": must be CronTab',
      'apiVersion: Invalid value: "stable.example.com/v2": must be stable.example.com/v1',
    ]);
  });

  it('checks the name and namespace', () => {
    expect(check({ ...object(), metadata: { name: 'My_Cron' } })).toEqual([
      `metadata.name: Invalid value: "My_Cron": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'metadata.namespace: Required value',
    ]);
  });

  it('reports schema errors as the documentation shows them', () => {
    expect(check(object({ cronSpec: '* * * *', replicas: 15 }))).toEqual([
      "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
      'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
    ]);
  });

  it('checks the /scale replica paths', () => {
    expect(check(object({ replicas: 0 }, { status: { replicas: 'many', selector: 5 } }))).toEqual([
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'status.replicas: Invalid value: "string": status.replicas in body must be of type integer: "string"',
      'status.selector: Invalid value: "integer": status.selector in body must be of type string: "integer"',
      '.status.replicas: Invalid value: 0: .status.replicas accessor error: many is of the type string, expected int64',
      '.status.selector: Invalid value: "": .status.selector accessor error: 5 is of the type int64, expected string',
    ]);
  });

  it('checks embedded resources and list types', () => {
    expect(
      check(object({ template: { kind: 'pod', metadata: { name: 'a/b' } }, hosts: ['a', 'b', 'a', 'a'], ports: [{ name: 'x', port: 1 }, { name: 'x', port: 2 }] })),
    ).toEqual([
      'spec.template.apiVersion: Required value',
      "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
      'spec.hosts[2]: Duplicate value: "a"',
      'spec.ports[1]: Duplicate value: {"name":"x"}',
    ]);
  });

  it('prunes and defaults without touching its input', () => {
    const input = object({ unknown: true });
    delete (input.spec as Record<string, unknown>).replicas;
    const pruned = crontab.prune(input);
    expect(pruned.prunedPaths).toEqual(['spec.unknown']);
    expect((crontab.applyDefaults(pruned.value) as { spec: { replicas: number } }).spec.replicas).toBe(1);
    expect((input.spec as Record<string, unknown>).unknown).toBe(true);
  });

  it('ratchets schema errors on unchanged values when updating', () => {
    const old = object({ replicas: 15, hosts: ['a', 'a'] });
    const update = object({ replicas: 15, hosts: ['a', 'a'], image: 5 });
    expect(crontab.validateUpdate(update, old).map(formatFieldError)).toEqual([
      'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
    ]);
    expect(crontab.validateUpdate(object({ replicas: 20 }), old).map(formatFieldError)).toEqual([
      'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    ]);
    const noCron = object();
    delete (noCron.spec as Record<string, unknown>).cronSpec;
    expect(crontab.validateUpdate(noCron, noCron)).toEqual([]);
    expect(crontab.validateUpdate(noCron, object()).map(formatFieldError)).toEqual(['spec.cronSpec: Required value']);
  });

  it('reports a non-object as a type error', () => {
    expect(check('x')).toEqual([': Invalid value: "string":  in body must be of type object: "string"']);
  });
});
