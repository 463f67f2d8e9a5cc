import { formatFieldError } from '../schema/errors';
import { BUILTIN_TYPES, findBuiltinType } from './catalogue';
import { buildOpenApiDocument, openApiGroupVersionPaths } from './openapi/document';
import { REF_PREFIX } from './openapi/dsl';
import { MANIFESTS } from './testing/manifests';
import type { BuiltinType, KObject } from './types';
import { isObject } from './util/json';

const GROUP_VERSIONS = [...new Set(BUILTIN_TYPES.map((t) => `${t.group}/${t.version}`))].map((gv) => {
  const [group = '', version = ''] = gv.split('/');
  return { group, version };
});

/** Every `$ref` string in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/** What kubectl's QueryParamVerifierV3 does: find the PATCH of a GVK and look for the query parameter. */
function supportsFieldValidation(doc: KObject, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths as Record<string, KObject>)) {
    const patch = item.patch as KObject | undefined;
    const ext = patch?.['x-kubernetes-group-version-kind'] as KObject | undefined;
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return (patch?.parameters as KObject[]).some((p) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

describe('OpenAPI v3 documents', () => {
  test.each(GROUP_VERSIONS)('$group/$version is valid JSON with every $ref resolvable', ({ group, version }) => {
    const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(group, version, BUILTIN_TYPES))) as KObject;
    expect(doc.openapi).toBe('3.0.0');
    const schemas = (doc.components as KObject).schemas as Record<string, unknown>;
    const missing = refs(doc).filter((r) => !r.startsWith(REF_PREFIX) || !(r.slice(REF_PREFIX.length) in schemas));
    expect(missing).toEqual([]);
    for (const t of BUILTIN_TYPES.filter((x) => x.group === group && x.version === version)) {
      expect(supportsFieldValidation(doc, t)).toBe(true);
      const kind = schemas[t.openapi.name] as KObject;
      expect(kind['x-kubernetes-group-version-kind']).toEqual([{ group, kind: t.kind, version }]);
    }
  });

  test('core/v1 paths and operations', () => {
    const doc = buildOpenApiDocument('', 'v1', BUILTIN_TYPES) as { paths: Record<string, KObject> };
    const pods = doc.paths['/api/v1/namespaces/{namespace}/pods'] as KObject;
    expect((pods.get as KObject).operationId).toBe('listCoreV1NamespacedPod');
    expect((pods.post as KObject)['x-kubernetes-action']).toBe('post');
    expect(((pods.post as KObject).parameters as KObject[]).map((p) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation']);
    expect((doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding']?.post as KObject).operationId).toBe('createCoreV1NamespacedPodBinding');
    expect((doc.paths['/api/v1/namespaces/{name}/finalize']?.put as KObject).operationId).toBe('replaceCoreV1NamespaceFinalize');
    expect(doc.paths['/api/v1/namespaces']?.delete).toBeUndefined();
    expect((doc.paths['/api/v1/nodes/{name}/status']?.patch as KObject).operationId).toBe('patchCoreV1NodeStatus');
    expect((doc.paths['/api/v1/pods']?.get as KObject).operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(Object.keys(((doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']?.patch as KObject).requestBody as KObject).content as KObject)).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
  });

  test('apps/v1 scale and other groups', () => {
    const apps = buildOpenApiDocument('apps', 'v1', BUILTIN_TYPES) as { paths: Record<string, KObject>; components: { schemas: KObject } };
    const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.patch as KObject;
    expect(scale.operationId).toBe('patchAppsV1NamespacedDeploymentScale');
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    const coordination = buildOpenApiDocument('coordination.k8s.io', 'v1', BUILTIN_TYPES) as { paths: Record<string, KObject> };
    expect((coordination.paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases']?.get as KObject).tags).toEqual(['coordination_v1']);
    expect(openApiGroupVersionPaths(BUILTIN_TYPES)).toEqual(['api/v1', 'apis/apiextensions.k8s.io/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/events.k8s.io/v1']);
  });

  test('list and map markers kubectl and server-side apply read', () => {
    const pod = findBuiltinType('', 'v1', 'pods') as BuiltinType;
    const spec = pod.openapi.components['io.k8s.api.core.v1.PodSpec'] as { properties: Record<string, KObject> };
    expect(spec.properties.containers).toMatchObject({
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(spec.properties.volumes).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
    expect(spec.properties.nodeSelector).toMatchObject({ 'x-kubernetes-map-type': 'atomic' });
    expect(spec.properties.tolerations).toMatchObject({ 'x-kubernetes-list-type': 'atomic' });
    const container = pod.openapi.components['io.k8s.api.core.v1.Container'] as { properties: Record<string, KObject>; required: string[] };
    expect(container.required).toEqual(['name']);
    expect(container.properties.ports).toMatchObject({ 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'], 'x-kubernetes-patch-merge-key': 'containerPort' });
    expect(container.properties.resources).toEqual({
      allOf: [{ $ref: `${REF_PREFIX}io.k8s.api.core.v1.ResourceRequirements` }],
      default: {},
      description: 'Compute resources.',
    });
    const meta = pod.openapi.components['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] as { properties: Record<string, KObject> };
    expect(meta.properties.finalizers).toMatchObject({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
  });

  test('a type without a schema (a CRD) gets a permissive one', () => {
    const doc = buildOpenApiDocument('devices.kubeedge.io', 'v1beta1', [
      { group: 'devices.kubeedge.io', version: 'v1beta1', kind: 'Device', listKind: 'DeviceList', plural: 'devices', namespaced: true, verbs: ['get', 'list', 'patch'], subresources: ['status'] },
    ]) as { paths: Record<string, KObject>; components: { schemas: KObject } };
    expect(doc.components.schemas['io.kubeedge.devices.v1beta1.Device']).toMatchObject({ 'x-kubernetes-preserve-unknown-fields': true });
    expect((doc.paths['/apis/devices.kubeedge.io/v1beta1/namespaces/{namespace}/devices/{name}']?.patch as KObject).operationId).toBe('patchDevicesKubeedgeIoV1beta1NamespacedDevice');
  });
});

describe('realistic manifests', () => {
  const typeFor = (name: string, m: KObject): BuiltinType => {
    const [group, version] = String(m.apiVersion).includes('/') ? String(m.apiVersion).split('/') : ['', String(m.apiVersion)];
    const t = BUILTIN_TYPES.find((x) => x.group === group && x.version === version && x.kind === m.kind);
    if (!t) throw new Error(`no type for ${name}`);
    return t;
  };

  test.each(Object.keys(MANIFESTS))('%s: no unknown field, and valid once defaulted', (name) => {
    const manifest = MANIFESTS[name] as KObject;
    const t = typeFor(name, manifest);
    expect(t.unknownFields(manifest)).toEqual([]);
    const obj = structuredClone(manifest);
    t.defaults(obj);
    t.prepareForCreate?.(obj);
    expect(t.validate(obj).map(formatFieldError)).toEqual([]);
    // What the server stores and returns has no unknown field either.
    expect(t.unknownFields(obj)).toEqual([]);
  });

  test('typos are found with the path the strict decoder reports', () => {
    const t = findBuiltinType('apps', 'v1', 'deployments') as BuiltinType;
    const m = structuredClone(MANIFESTS.deployments as KObject);
    const spec = ((m.spec as KObject).template as KObject).spec as KObject;
    ((spec.containers as KObject[])[0] as KObject).imagePullPolcy = 'Always';
    (spec.affinity as KObject).nodeAfinity = {};
    (m.metadata as KObject).lables = {};
    const typos = ['metadata.lables', 'spec.template.spec.containers[0].imagePullPolcy', 'spec.template.spec.affinity.nodeAfinity'];
    expect(t.unknownFields(m)).toEqual(typos);
    expect(t.dropUnknownFields(m)).toEqual(typos);
    expect(t.unknownFields(m)).toEqual([]);
    expect((m.metadata as KObject).name).toBe('sensor-gateway');
  });
});
