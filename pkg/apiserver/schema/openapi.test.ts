import { crdOpenApiV2Definitions, crdOpenApiV3, groupVersionOpenApiV3 } from './openapi';
import { definitionName } from './openapi-schema';
import { crd, root } from './testdata/crontab';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const definition = crd((c) => {
  c.spec.versions[0].subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } };
  const spec = root(c).properties.spec.properties;
  spec.port = { 'x-kubernetes-int-or-string': true };
  spec.note = { type: 'string', nullable: true };
  spec.template = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };
});

describe('OpenAPI for custom resources', () => {
  it('names definitions with the reversed group', () => {
    expect(definitionName('stable.example.com', 'v1', 'CronTab')).toBe('com.example.stable.v1.CronTab');
    expect(definitionName('devices.kubeedge.io', 'v1beta1', 'Device')).toBe('io.kubeedge.devices.v1beta1.Device');
  });

  it('publishes the kind schema with TypeMeta, an ObjectMeta reference and its GVK', () => {
    const { schemas } = crdOpenApiV3(definition, 'v1');
    const kind = schemas['com.example.stable.v1.CronTab'] as Json;
    expect(kind['x-kubernetes-group-version-kind']).toEqual([{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
    expect(kind.type).toBe('object');
    expect(kind.properties.metadata).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: expect.any(String) });
    expect(kind.properties.apiVersion.type).toBe('string');
    expect(kind.properties.spec.properties.replicas).toEqual({ type: 'integer', minimum: 1, maximum: 10, default: 1 });
    expect(kind.properties.spec.properties.port).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true });
    expect(kind.properties.spec.properties.note).toEqual({ type: 'string', nullable: true });
    expect(kind.properties.spec.properties.template.required).toEqual(['kind', 'apiVersion']);
    const list = schemas['com.example.stable.v1.CronTabList'] as Json;
    expect(list.required).toEqual(['items']);
    expect(list.properties.items.items).toEqual({ $ref: '#/components/schemas/com.example.stable.v1.CronTab' });
    expect(list['x-kubernetes-group-version-kind']).toEqual([{ group: 'stable.example.com', kind: 'CronTabList', version: 'v1' }]);
  });

  it('publishes the paths with the operations, parameters and extensions kubectl reads', () => {
    const { paths } = crdOpenApiV3(definition, 'v1');
    expect(Object.keys(paths)).toEqual([
      '/apis/stable.example.com/v1/crontabs',
      '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs',
      '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}',
      '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/status',
      '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/scale',
    ]);
    const item = paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'] as Json;
    expect(item.patch.operationId).toBe('patchStableExampleComV1NamespacedCronTab');
    expect(item.patch['x-kubernetes-action']).toBe('patch');
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'stable.example.com', kind: 'CronTab', version: 'v1' });
    expect(item.patch.parameters.map((p: Json) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    expect(Object.keys(item.patch.requestBody.content)).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    expect(item.delete.description).toContain('CronTab');
    expect(item.parameters.map((p: Json) => p.name)).toEqual(['name', 'namespace', 'pretty']);
    const collection = paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs'] as Json;
    expect(collection.post.description).toContain('CronTab');
    expect(collection.delete.operationId).toBe('deleteStableExampleComV1CollectionNamespacedCronTab');
    expect(collection.get.tags).toEqual(['stableExampleCom_v1']);
    expect((paths['/apis/stable.example.com/v1/crontabs'] as Json).get.operationId).toBe('listStableExampleComV1CronTabForAllNamespaces');
    const scale = paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/scale'] as Json;
    expect(scale.get.description).toMatch(/scale.*CronTab/);
    expect(scale.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' });
  });

  it('builds the group-version document with the shared definitions it refers to', () => {
    const other = crd((c) => ((c.spec.group = 'other.example.com'), (c.metadata.name = 'crontabs.other.example.com')));
    const doc = groupVersionOpenApiV3([definition, other], 'stable.example.com', 'v1');
    expect(doc.openapi).toBe('3.0.0');
    expect(doc.info).toEqual({ title: 'Kubernetes CRD Swagger', version: 'v0.1.0' });
    const names = Object.keys(doc.components.schemas);
    for (const n of ['com.example.stable.v1.CronTab', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.api.autoscaling.v1.Scale']) {
      expect(names).toContain(n);
    }
    expect(names).not.toContain('com.example.other.v1.CronTab');
    // every $ref resolves inside the document
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const r of refs) expect(names).toContain(r.slice('"$ref":"#/components/schemas/'.length, -1));
  });

  it('describes every operation, parameter and added property in one short sentence without outside links', () => {
    const doc = groupVersionOpenApiV3([definition], 'stable.example.com', 'v1');
    const descriptions: string[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'description' && typeof x === 'string') descriptions.push(x);
          else collect(x);
        }
      }
    };
    collect(doc);
    expect(descriptions.length).toBeGreaterThan(100);
    for (const d of descriptions) {
      expect(d.trim()).not.toBe('');
      expect(d.length).toBeLessThanOrEqual(120);
      expect(d).not.toMatch(/https?:|More info|\n/);
    }
    for (const item of Object.values(doc.paths) as Json[]) {
      for (const p of item.parameters) expect(p.description).toEqual(expect.any(String));
      for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
        if (!item[verb]) continue;
        expect(item[verb].description).toContain('CronTab');
        for (const p of item[verb].parameters) expect(p.description).toEqual(expect.any(String));
      }
    }
  });

  it('filters v2 definitions as the server does for /openapi/v2', () => {
    const defs = crdOpenApiV2Definitions(definition, 'v1');
    const spec = (defs['com.example.stable.v1.CronTab'] as Json).properties.spec.properties;
    expect(spec.replicas).toEqual({ type: 'integer', default: 1 });
    expect(spec.port).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(spec.note).toEqual({});
    expect((defs['com.example.stable.v1.CronTab'] as Json).properties.metadata.$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  });
});
