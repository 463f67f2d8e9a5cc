import { formatFieldError } from '../schema/errors';
import { findBuiltinType } from './catalogue';
import { base64ErrorOffset } from './resources/config';
import type { BuiltinType, KObject } from './types';

function type(group: string, plural: string): BuiltinType {
  const t = findBuiltinType(group, 'v1', plural);
  if (!t) throw new Error(`no ${plural}`);
  return t;
}

/** Defaults then validates, as the create path does, and returns `field: message` lines. */
function errorsOnCreate(t: BuiltinType, obj: KObject): string[] {
  const copy = structuredClone(obj);
  t.defaults(copy);
  t.prepareForCreate?.(copy);
  return t.validate(copy).map(formatFieldError);
}

function errorsOnUpdate(t: BuiltinType, old: KObject, next: KObject): string[] {
  const o = structuredClone(old);
  t.defaults(o);
  t.prepareForCreate?.(o);
  const n = structuredClone(next);
  t.defaults(n);
  t.prepareForUpdate?.(n, o);
  return t.validate(n, o).map(formatFieldError);
}

const pods = type('', 'pods');
const deployments = type('apps', 'deployments');

const pod = (spec: KObject, metadata: KObject = { name: 'p', namespace: 'default' }): KObject => ({ metadata, spec });
const ctr = (extra: KObject = {}): KObject => ({ name: 'app', image: 'nginx', ...extra });

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('metadata', () => {
  test('names per type', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr()] }, { name: 'Foo', namespace: 'default' }))).toEqual([`metadata.name: Invalid value: "Foo": ${SUBDOMAIN_MSG}`]);
    expect(errorsOnCreate(type('', 'namespaces'), { metadata: { name: 'a.b' } })).toEqual([`metadata.name: Invalid value: "a.b": ${LABEL_MSG}`]);
    expect(errorsOnCreate(type('', 'services'), { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } })).toEqual([
      "metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(errorsOnCreate(pods, pod({ containers: [ctr()] }, { namespace: 'default' }))).toEqual(['metadata.name: Required value: name or generateName is required']);
  });

  test('generateName is checked as a prefix', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr()] }, { name: 'web-x1', generateName: 'web-', namespace: 'default' }))).toEqual([]);
  });

  test('namespace rules', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr()] }, { name: 'p' }))).toEqual(['metadata.namespace: Required value']);
    expect(errorsOnCreate(type('', 'nodes'), { metadata: { name: 'n', namespace: 'default' } })).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  test('labels and annotations', () => {
    const errs = errorsOnCreate(type('', 'configmaps'), {
      metadata: { name: 'c', namespace: 'd', labels: { 'bad key!': 'v', ok: 'x'.repeat(64) }, annotations: { big: 'x'.repeat(256 * 1024) } },
    });
    expect(errs).toEqual([
      "metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      `metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });

  test('name is immutable', () => {
    expect(errorsOnUpdate(type('', 'configmaps'), { metadata: { name: 'a', namespace: 'd' } }, { metadata: { name: 'b', namespace: 'd' } })).toEqual([
      'metadata.name: Invalid value: "b": field is immutable',
    ]);
  });
});

describe('pods', () => {
  test('required fields', () => {
    expect(errorsOnCreate(pods, pod({}))).toEqual(['spec.containers: Required value']);
    expect(errorsOnCreate(pods, pod({ containers: [{ name: 'app' }] }))).toEqual(['spec.containers[0].image: Required value']);
  });

  test('container names: DNS labels, unique across init and regular containers', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ name: 'App' }), ctr()], initContainers: [ctr()] }))).toEqual([
      `spec.containers[0].name: Invalid value: "App": ${LABEL_MSG}`,
      'spec.initContainers[0].name: Duplicate value: "app"',
    ]);
    expect(errorsOnCreate(pods, pod({ containers: [ctr(), ctr()] }))).toEqual(['spec.containers[1].name: Duplicate value: "app"']);
  });

  test('enums', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ imagePullPolicy: 'Sometimes' })], restartPolicy: 'Maybe', dnsPolicy: 'Google' }))).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.restartPolicy: Unsupported value: "Maybe": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  test('ports', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ ports: [{ containerPort: 70000, protocol: 'HTTP' }, { containerPort: 0 }, { containerPort: 80, name: 'http_x' }] })] }))).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[1].containerPort: Required value',
      'spec.containers[0].ports[2].name: Invalid value: "http_x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  test('resources: negative values and requests above limits', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ resources: { requests: { cpu: '2', memory: '-1Gi' }, limits: { cpu: '1' } } })] }))).toEqual([
      // Go visits the map in random order; here keys are sorted.
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ]);
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ resources: { limits: { gpu: '1' } } })] }))).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    ]);
  });

  test('unparsable quantities are a decoding error, before validation', () => {
    expect(pods.decodeError?.(pod({ containers: [ctr({ resources: { limits: { cpu: 'lots' } } })] }))).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  test('probes need exactly one handler, liveness success threshold 1', () => {
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ livenessProbe: { periodSeconds: 5 } })] }))).toEqual([
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
    ]);
    expect(
      errorsOnCreate(pods, pod({ containers: [ctr({ readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } }, livenessProbe: { httpGet: { port: 'web' }, successThreshold: 2 } })] })),
    ).toEqual([
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ]);
  });

  test('env and mounts', () => {
    expect(
      errorsOnCreate(
        pods,
        pod({
          containers: [
            ctr({
              env: [{ name: '1X', value: 'a' }, { name: 'Y', value: 'v', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }, { name: 'Z', valueFrom: {} }],
              volumeMounts: [{ name: 'missing', mountPath: '/a' }, { name: 'data', mountPath: '/a' }],
            }),
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        }),
      ),
    ).toEqual([
      "spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    ]);
  });

  test('downward API field paths', () => {
    const env = (fieldPath: string): KObject => ({ name: 'X', valueFrom: { fieldRef: { fieldPath } } });
    expect(errorsOnCreate(pods, pod({ containers: [ctr({ env: [env('status.phase'), env('spec.foo'), env("metadata.labels['a b']")] })] }))).toEqual([
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo',
      "spec.containers[0].env[2].valueFrom.fieldRef: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
  });

  test('host network: host ports default to, and must match, container ports', () => {
    expect(errorsOnCreate(pods, pod({ hostNetwork: true, containers: [ctr({ ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }] })] }))).toEqual([
      'spec.containers[0].ports[1].hostPort: Invalid value: 8081: must match `containerPort` when `hostNetwork` is true',
    ]);
  });

  test('volumes', () => {
    expect(
      errorsOnCreate(
        pods,
        pod({
          containers: [ctr({ volumeMounts: [{ name: 'c', mountPath: '/c' }] })],
          volumes: [{ name: 'a', configMap: { name: 'c' }, secret: { secretName: 's' } }, { name: 'b', emptyDir: {} }, { name: 'b', emptyDir: {} }, { name: 'c', hostPath: { path: '' } }],
        }),
      ),
    ).toEqual([
      'spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2].name: Duplicate value: "b"',
      'spec.volumes[3].hostPath.path: Required value',
      // A volume with errors is not mountable either, as on the real server.
      'spec.containers[0].volumeMounts[0].name: Not found: "c"',
    ]);
  });

  test('tolerations and affinity', () => {
    expect(
      errorsOnCreate(
        pods,
        pod({
          containers: [ctr()],
          tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } } },
        }),
      ),
    ).toEqual([
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is \'In\' or \'NotIn\'',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ]);
  });

  test('updates: only images, activeDeadlineSeconds and added tolerations may change', () => {
    const old = pod({ containers: [ctr({ imagePullPolicy: 'IfNotPresent' })] });
    expect(errorsOnUpdate(pods, old, pod({ containers: [ctr({ image: 'nginx:2', imagePullPolicy: 'IfNotPresent' })], tolerations: [{ key: 'k', operator: 'Exists' }] }))).toEqual([]);
    // Defaulting a new image can change the pull policy: the real server refuses that update too.
    expect(errorsOnUpdate(pods, pod({ containers: [ctr()] }), pod({ containers: [ctr({ image: 'nginx:2' })] }))[0]).toContain(
      'spec.containers[0].imagePullPolicy: "Always" -> "IfNotPresent"',
    );
    const changed = errorsOnUpdate(pods, old, pod({ containers: [ctr({ imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80 }] })] }));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(changed[0]).toContain('spec.containers[0].ports');
    expect(errorsOnUpdate(pods, old, pod({ containers: [ctr(), ctr({ name: 'b' })] }))).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });
});

describe('workloads', () => {
  const template = (labels: KObject = { app: 'web' }): KObject => ({ metadata: { labels }, spec: { containers: [ctr()] } });
  const deployment = (spec: KObject): KObject => ({ metadata: { name: 'd', namespace: 'default' }, spec });

  test('selector required and must match the template labels', () => {
    expect(errorsOnCreate(deployments, deployment({ template: template() }))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    expect(errorsOnCreate(deployments, deployment({ selector: { matchLabels: { app: 'api' } }, template: template({ app: 'web', tier: 'fe' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
    ]);
    expect(errorsOnCreate(deployments, deployment({ selector: {}, template: template() }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  test('selector is immutable', () => {
    const old = deployment({ selector: { matchLabels: { app: 'web' } }, template: template() });
    const next = deployment({ selector: { matchLabels: { app: 'web', v: '2' } }, template: template({ app: 'web', v: '2' }) });
    expect(errorsOnUpdate(deployments, old, next)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  test('template restart policy and strategy', () => {
    const t = template();
    (t.spec as KObject).restartPolicy = 'Never';
    expect(
      errorsOnCreate(deployments, deployment({ selector: { matchLabels: { app: 'web' } }, template: t, strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } })),
    ).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
    expect(errorsOnCreate(deployments, deployment({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { rollingUpdate: { maxSurge: '1x' } } }))).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"1x\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
  });

  test('daemonsets', () => {
    const ds = type('apps', 'daemonsets');
    expect(errorsOnCreate(ds, { metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'x' } }, template: template(), updateStrategy: { type: 'Rolling' } } })).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Rolling", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
    ]);
  });
});

describe('configmaps and secrets', () => {
  const cms = type('', 'configmaps');
  const secrets = type('', 'secrets');

  test('data keys', () => {
    expect(errorsOnCreate(cms, { metadata: { name: 'c', namespace: 'd' }, data: { 'a/b': '1', ok: '2' } })).toEqual([
      "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });

  test('immutable data', () => {
    const old = { metadata: { name: 'c', namespace: 'd' }, data: { a: '1' }, immutable: true };
    expect(errorsOnUpdate(cms, old, { ...old, data: { a: '2' } })).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(errorsOnUpdate(cms, old, { ...old, immutable: false })).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    expect(errorsOnUpdate(cms, old, { ...old, metadata: { ...old.metadata, labels: { x: 'y' } } })).toEqual([]);
  });

  test('secret types and base64', () => {
    expect(errorsOnCreate(secrets, { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } })).toEqual(['data[tls.key]: Required value']);
    expect(errorsOnUpdate(secrets, { metadata: { name: 's', namespace: 'd' } }, { metadata: { name: 's', namespace: 'd' }, type: 'Other' })).toEqual([
      'type: Invalid value: "Other": field is immutable',
    ]);
    expect(secrets.decodeError?.({ metadata: {}, data: { a: 'aGVsbG8=', b: 'not base64!' } })).toBe('illegal base64 data at input byte 3');
    expect(base64ErrorOffset('aGVsbG8=')).toBeUndefined();
    expect(base64ErrorOffset('aGVsbG8')).toBe(4);
    expect(base64ErrorOffset('aGVs\nbG8=')).toBeUndefined();
    expect(base64ErrorOffset('a===')).toBe(1);
  });
});

describe('services, nodes, leases, events', () => {
  test('service ports', () => {
    const svc = type('', 'services');
    expect(errorsOnCreate(svc, { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80 }, { port: 80, name: 'b' }], type: 'Magic' } })).toEqual([
      'spec.ports[0].name: Required value',
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
    expect(errorsOnCreate(svc, { metadata: { name: 's', namespace: 'd' }, spec: {} })).toEqual(['spec.ports: Required value']);
  });

  test('cluster IP may not change', () => {
    const svc = type('', 'services');
    const old = { metadata: { name: 's', namespace: 'd' }, spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] } };
    expect(errorsOnUpdate(svc, old, { ...old, spec: { clusterIP: '10.0.0.2', ports: [{ port: 80 }] } })).toEqual([
      'spec.clusterIPs[0]: Invalid value: ["10.0.0.2"]: may not change once set',
    ]);
  });

  test('node taints', () => {
    const nodes = type('', 'nodes');
    expect(errorsOnCreate(nodes, { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'x', effect: 'Never' }] } })).toEqual([
      'spec.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
      'spec.taints[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  test('lease duration', () => {
    const leases = type('coordination.k8s.io', 'leases');
    expect(errorsOnCreate(leases, { metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } })).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
  });

  test('events.k8s.io events are validated strictly, core events leniently', () => {
    const v1 = type('events.k8s.io', 'events');
    expect(errorsOnCreate(v1, { metadata: { name: 'e', namespace: 'default' }, regarding: { kind: 'Pod', namespace: 'default', name: 'p' }, note: 'hi', type: 'Normal' })).toEqual([
      'eventTime: Required value',
    ]);
    const core = type('', 'events');
    expect(errorsOnCreate(core, { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', namespace: 'other', name: 'p' } })).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });
});
