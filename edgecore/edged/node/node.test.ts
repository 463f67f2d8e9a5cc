import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLease, buildNode, defaultRouteInterface, hostInfo, kubeletVersion, nodeStatus, prettyName, type HostInfo } from '.';

const host: HostInfo = {
  hostname: 'box',
  cpuCount: 4,
  memoryBytes: 8 * 1024 * 1024 * 1024,
  maxPods: 110,
  ephemeralStorageBytes: 100 * 1024 * 1024 * 1024,
  machineID: 'm',
  systemUUID: 's',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  internalIP: '192.168.1.5',
};

const ready = [
  { type: 'RuntimeReady', status: true, reason: '', message: '' },
  { type: 'NetworkReady', status: true, reason: '', message: '' },
];

describe('hostInfo', () => {
  it('reads this host from fake /proc and /etc roots', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'edged-host-'));
    try {
      await fs.mkdir(join(root, 'proc', 'sys', 'kernel', 'random'), { recursive: true });
      await fs.mkdir(join(root, 'proc', 'net'), { recursive: true });
      await fs.mkdir(join(root, 'etc'));
      await fs.writeFile(join(root, 'proc', 'meminfo'), 'MemTotal:       16384000 kB\nMemFree: 1 kB\n');
      await fs.writeFile(join(root, 'proc', 'sys', 'kernel', 'random', 'boot_id'), 'boot-1\n');
      await fs.writeFile(join(root, 'etc', 'machine-id'), 'machine-1\n');
      await fs.writeFile(join(root, 'etc', 'os-release'), 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
      const info = await hostInfo({ rootDirectory: root, procRoot: join(root, 'proc'), etcRoot: join(root, 'etc'), sysRoot: join(root, 'sys') });
      expect(info).toMatchObject({ memoryBytes: 16384000 * 1024, machineID: 'machine-1', bootID: 'boot-1', osImage: 'Debian GNU/Linux 12 (bookworm)', maxPods: 110, systemUUID: '' });
      expect(info.cpuCount).toBeGreaterThan(0);
      expect(info.ephemeralStorageBytes).toBeGreaterThan(0);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('reads the real host', async () => {
    const info = await hostInfo({ rootDirectory: tmpdir(), maxPods: 50 });
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.maxPods).toBe(50);
    expect(info.kernelVersion).not.toBe('');
  });

  it('parses os-release and the default route', () => {
    expect(prettyName("PRETTY_NAME='Alpine Linux v3.19'")).toBe('Alpine Linux v3.19');
    const routes = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n' + 'cni0\t0058000A\t00000000\t0001\t0\t0\t0\t0000FFFF\n' + 'eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\n';
    expect(defaultRouteInterface(routes)).toBe('eth0');
  });
});

describe('buildNode', () => {
  it('labels the node as kubelet and KubeEdge do, config labels last', () => {
    const node = buildNode({ nodeName: 'edge-1', host, labels: { zone: 'a', 'kubernetes.io/hostname': 'custom' } });
    expect(node.metadata.labels).toEqual({
      'kubernetes.io/hostname': 'custom',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
      'node-role.kubernetes.io/edge': '',
      'node-role.kubernetes.io/agent': '',
      zone: 'a',
    });
    expect(node).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-1' } });
  });
});

describe('nodeStatus', () => {
  const base = { host, nodeName: 'edge-1', kubeletVersion: kubeletVersion('0.1.0'), containerRuntimeVersion: 'containerd://1.6.20' };

  it('reports capacity, allocatable after eviction thresholds and reservations, info and endpoints', () => {
    const status = nodeStatus({ ...base, runtimeConditions: ready, now: new Date('2026-01-01T00:00:00.123Z'), reserved: { cpu: '100m', memory: '1Gi' } });
    expect(status.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
    expect(status.allocatable).toMatchObject({ cpu: '3900m', memory: '7068Mi', pods: '110' }); // 8Gi - 1Gi reserved - 100Mi eviction
    expect(status.allocatable?.['ephemeral-storage']).toBe('90Gi');
    expect(status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.10-kubeedge-v0.1.0', containerRuntimeVersion: 'containerd://1.6.20', architecture: 'amd64', bootID: 'b' });
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.1.5' },
      { type: 'Hostname', address: 'edge-1' },
    ]);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10350 } });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: '2026-01-01T00:00:00Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
  });

  it('is NotReady with kubelet messages when the runtime or its network is not, keeping transition times', () => {
    const first = nodeStatus({ ...base, runtimeConditions: ready, now: new Date('2026-01-01T00:00:00Z') });
    const notReady = nodeStatus({
      ...base,
      runtimeConditions: [ready[0]!, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' }],
      now: new Date('2026-01-01T00:00:10Z'),
      previous: first,
    });
    const readyCondition = notReady.conditions?.find((c) => c.type === 'Ready');
    expect(readyCondition).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      lastTransitionTime: '2026-01-01T00:00:10Z',
    });
    expect(notReady.conditions?.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    const down = nodeStatus({ ...base, runtimeConditions: undefined, now: new Date() });
    expect(down.conditions?.find((c) => c.type === 'Ready')?.message).toBe('container runtime is down');
  });
});

describe('buildLease', () => {
  it('names the node, is owned by it and renews with microsecond time', () => {
    const lease = buildLease({ metadata: { name: 'edge-1', uid: 'n-uid' } }, 'edge-1', 40, new Date('2026-01-01T00:00:01.250Z'));
    expect(lease).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'edge-1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'edge-1', uid: 'n-uid' }] },
      spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:01.250000Z' },
    });
  });
});
