import { findBuiltinType } from './catalogue';
import type { BuiltinType, KObject } from './types';
import { humanDuration } from './util/age';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function type(group: string, plural: string): BuiltinType {
  const t = findBuiltinType(group, 'v1', plural);
  if (!t) throw new Error(`no ${plural}`);
  return t;
}

const pods = type('', 'pods');
const podCells = (pod: KObject): unknown[] => pods.table.cells(pod, NOW);
const headers = (t: BuiltinType): string[] => t.table.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

const running = (name: string, extra: KObject = {}): KObject => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: ago(600) } }, ...extra });

function pod(status: KObject, spec: KObject = { containers: [{ name: 'app', image: 'x' }] }, metadata: KObject = {}): KObject {
  return { metadata: { name: 'p', namespace: 'd', creationTimestamp: ago(3600), ...metadata }, spec, status };
}

describe('humanDuration', () => {
  test.each([
    [0, '0s'],
    [-1500, '0s'],
    [-3000, '<invalid>'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000 + 4 * 3600_000, '3d4h'],
    [400 * 86400_000, '400d'],
    [3 * 365 * 86400_000 + 12 * 86400_000, '3y12d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%d ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('pod table', () => {
  test('columns, wide columns flagged with priority 1', () => {
    expect(headers(pods)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
    expect(pods.table.columns[0]).toMatchObject({ type: 'string', format: 'name' });
  });

  test('running pod with wide cells', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [running('app')], podIPs: [{ ip: '10.0.0.5' }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/gate', status: 'True' }] },
      { containers: [{ name: 'app', image: 'x' }], nodeName: 'edge-1', readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'other' }] },
    );
    expect(podCells(p)).toEqual(['p', '1/1', 'Running', '0', '60m', '10.0.0.5', 'edge-1', '<none>', '1/2']);
  });

  test('pending pod', () => {
    expect(podCells(pod({ phase: 'Pending' })).slice(1, 4)).toEqual(['0/1', 'Pending', '0']);
  });

  test('restarts show the age of the last one', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(120) } } },
      ],
    });
    expect(podCells(p).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '5 (2m ago)']);
  });

  const twoInits = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }], containers: [{ name: 'app', image: 'x' }] };

  test.each([
    [{ waiting: { reason: 'PodInitializing' } }, 'Init:1/2'],
    [{ running: { startedAt: ago(5) } }, 'Init:1/2'],
    [{ waiting: { reason: 'CrashLoopBackOff' } }, 'Init:CrashLoopBackOff'],
    [{ terminated: { exitCode: 2, reason: 'Error' } }, 'Init:Error'],
    [{ terminated: { exitCode: 3 } }, 'Init:ExitCode:3'],
    // Both init containers done: the regular container's state decides.
    [{ terminated: { exitCode: 0 } }, 'PodInitializing'],
  ])('init container state %j shows %s', (state, reason) => {
    const statuses = [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'i2', ready: false, restartCount: 0, state }];
    const p = pod({ phase: 'Pending', initContainerStatuses: statuses, containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, twoInits);
    expect(podCells(p)[2]).toBe(reason);
  });

  test('first init container still running', () => {
    const p = pod({ phase: 'Pending', initContainerStatuses: [running('i1', { ready: false }), { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, twoInits);
    expect(podCells(p).slice(1, 3)).toEqual(['0/1', 'Init:0/2']);
  });

  test('completed pods, and completed containers beside running ones', () => {
    const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    expect(podCells(done).slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(pods.table.conditions?.(done)).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const spec = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] };
    const statuses = [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }, spec))[2]).toBe('Running');
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses }, spec))[2]).toBe('NotReady');
  });

  test('terminating, and unknown on a lost node', () => {
    const deleting = { deletionTimestamp: ago(5) };
    expect(podCells(pod({ phase: 'Running', containerStatuses: [running('app')] }, undefined, deleting))[2]).toBe('Terminating');
    expect(podCells(pod({ phase: 'Running', reason: 'NodeLost' }, undefined, deleting))[2]).toBe('Unknown');
    expect(podCells(pod({ phase: 'Succeeded' }, undefined, deleting))[2]).toBe('Succeeded');
  });

  test('sidecars count towards ready and total', () => {
    const spec = { initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }], containers: [{ name: 'app', image: 'x' }] };
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ ...running('proxy'), started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } }],
      containerStatuses: [running('app')],
    };
    expect(podCells(pod(status, spec)).slice(1, 4)).toEqual(['2/2', 'Running', '1 (30s ago)']);
  });

  test('scheduling gated', () => {
    expect(podCells(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2]).toBe('SchedulingGated');
  });
});

describe('other tables', () => {
  test('nodes', () => {
    const nodes = type('', 'nodes');
    expect(headers(nodes)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
    const node = {
      metadata: { name: 'edge-1', creationTimestamp: ago(86400 * 3), labels: { 'node-role.kubernetes.io/edge': '', 'node-role.kubernetes.io/agent': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'edge-1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0-kubeedge', osImage: 'Ubuntu 22.04', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
      },
    };
    expect(nodes.table.cells(node, NOW)).toEqual(['edge-1', 'Ready,SchedulingDisabled', 'agent,edge', '3d', 'v1.32.0-kubeedge', '192.168.1.10', '<none>', 'Ubuntu 22.04', '6.1', 'containerd://1.7']);
    expect(nodes.table.cells({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, NOW).slice(1, 3)).toEqual(['NotReady', '<none>']);
    expect(nodes.table.cells({ metadata: { name: 'n' } }, NOW).slice(1, 4)).toEqual(['Unknown', '<none>', '<unknown>']);
  });

  test('services', () => {
    const svcs = type('', 'services');
    expect(headers(svcs)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
    const meta = { name: 's', creationTimestamp: ago(90) };
    expect(svcs.table.cells({ metadata: meta, spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } }, NOW)).toEqual([
      's',
      'ClusterIP',
      '10.96.0.1',
      '<none>',
      '80/TCP,53/UDP',
      '90s',
      'a=1,b=2',
    ]);
    expect(svcs.table.cells({ metadata: meta, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } }, NOW).slice(2, 5)).toEqual(['<none>', '<none>', '80:30080/TCP']);
    expect(svcs.table.cells({ metadata: meta, spec: { type: 'LoadBalancer', ports: [] } }, NOW).slice(3, 5)).toEqual(['<pending>', '<none>']);
  });

  test('workloads', () => {
    const deploy = type('apps', 'deployments');
    expect(headers(deploy)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const d = {
      metadata: { name: 'web', creationTimestamp: ago(600) },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(deploy.table.cells(d, NOW)).toEqual(['web', '2/3', 3, 2, '10m', 'nginx,log', 'nginx:1,busybox', 'app=web,tier in (a,b)']);
    const rs = type('apps', 'replicasets');
    expect(headers(rs)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(rs.table.cells({ ...d, status: { replicas: 3, readyReplicas: 1 } }, NOW).slice(1, 4)).toEqual([3, 3, 1]);
    const ds = type('apps', 'daemonsets');
    expect(headers(ds)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(ds.table.cells({ metadata: { name: 'agent' }, spec: { template: { spec: { nodeSelector: { edge: 'true' } } } }, status: { desiredNumberScheduled: 4 } }, NOW).slice(1, 8)).toEqual([
      4,
      0,
      0,
      0,
      0,
      'edge=true',
      '<unknown>',
    ]);
    expect(deploy.scale?.selector(d)).toBe('app=web,tier in (a,b)');
  });

  test('config, accounts, leases, endpoints, namespaces', () => {
    expect(type('', 'configmaps').table.cells({ metadata: { name: 'c' }, data: { a: '1' }, binaryData: { b: '' } }, NOW).slice(0, 2)).toEqual(['c', 2]);
    expect(type('', 'secrets').table.cells({ metadata: { name: 's' }, type: 'Opaque', data: { a: '' } }, NOW).slice(0, 3)).toEqual(['s', 'Opaque', 1]);
    expect(headers(type('', 'serviceaccounts'))).toEqual(['Name', 'Secrets', 'Age']);
    expect(type('coordination.k8s.io', 'leases').table.cells({ metadata: { name: 'edge-1' }, spec: { holderIdentity: 'edge-1' } }, NOW).slice(0, 2)).toEqual(['edge-1', 'edge-1']);
    expect(
      type('', 'endpoints').table.cells(
        { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] },
        NOW,
      )[1],
    ).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
    expect(type('', 'namespaces').table.cells({ metadata: { name: 'edge' }, status: { phase: 'Active' } }, NOW).slice(0, 2)).toEqual(['edge', 'Active']);
  });

  test('events, both views', () => {
    const core = type('', 'events');
    expect(headers(core)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    const event = {
      metadata: { name: 'p.17a', namespace: 'd' },
      involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: ' Pulled image \n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'edge-1' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(60),
      count: 3,
    };
    const cells = ['60s', 'Normal', 'Pulled', 'pod/p', 'spec.containers{app}', 'kubelet, edge-1', 'Pulled image', '5m', 3, 'p.17a'];
    expect(core.table.cells(event, NOW)).toEqual(cells);
    const v1 = type('events.k8s.io', 'events');
    expect(v1.table.cells(v1.fromStorage?.(event) as KObject, NOW)).toEqual(cells);
    const series = { metadata: { name: 'e' }, eventTime: `${ago(100).slice(0, -1)}.000000Z`, reportingController: 'edgecore', reportingInstance: 'edge-1', series: { count: 7, lastObservedTime: ago(10) } };
    expect(v1.table.cells(series, NOW)).toEqual(['10s', '', '', '', '', 'edgecore, edge-1', '', '100s', 7, 'e']);
  });

  test('CRDs print a date column', () => {
    const crds = type('apiextensions.k8s.io', 'customresourcedefinitions');
    expect(crds.table.columns.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    expect(crds.table.cells({ metadata: { name: 'devices.devices.kubeedge.io', creationTimestamp: '2024-05-01T10:00:00+02:00' } })).toEqual([
      'devices.devices.kubeedge.io',
      '2024-05-01T08:00:00Z',
    ]);
  });
});
