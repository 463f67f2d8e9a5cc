import { ConfigError, configReference, defaultConfig, parseConfig, renderDefaultConfig } from '../pkg/config';
import { EDGECORE_MODULES, edgeCoreConfigSpec, resolveNodeName } from './config';

const spec = edgeCoreConfigSpec();
const HEAD = 'apiVersion: edgecore.config.kubeedge.io/v1alpha2\nkind: EdgeCore\n';

function problems(text: string): string[] {
  try {
    parseConfig(spec, text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.text);
    throw error;
  }
  return [];
}

describe('edgecore config', () => {
  it('round-trips its commented default file', () => {
    const text = renderDefaultConfig(spec, { header: 'edgecore defaults' });
    expect(parseConfig(spec, text)).toEqual(defaultConfig(spec));
  });

  it('has the documented defaults, compiled with units in the names', () => {
    const config = defaultConfig(spec);
    expect(config.database.dataSource).toBe('/var/lib/kubeedge/edgecore.db');
    expect(config.monitorServer.bindAddress).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(config.modules.edged).toMatchObject({
      hostnameOverride: '',
      registerNodeNamespace: 'default',
      containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
      cgroupDriver: 'cgroupfs',
      rootDirectory: '/var/lib/kubelet',
      staticPodPath: '/etc/kubeedge/manifests',
      nodeStatusUpdateFrequencyMs: 10_000,
      nodeLeaseDurationMs: 40_000,
    });
    expect(config.modules.edgeHub).toMatchObject({
      heartbeatMs: 15_000,
      messageQPS: 30,
      messageBurst: 60,
      servers: [{ host: '127.0.0.1', port: 10000 }],
      httpServer: 'https://127.0.0.1:10002',
      rotateCertificates: true,
      maxMessageSizeBytes: 12 * 2 ** 20,
    });
    expect(config.modules.eventBus).toMatchObject({ mqttMode: 'internal', mqttQOS: 0, mqttRetain: false, mqttSessionQueueSize: 100 });
    expect(config.modules.metaManager).toEqual({
      enable: true,
      remoteQueryTimeoutMs: 60_000,
      metaServer: { enable: false, server: { host: '127.0.0.1', port: 10550 } },
    });
    expect(config.modules.serviceBus).toEqual({ enable: false, server: '127.0.0.1', port: 9060, timeoutMs: 60_000 });
    expect(config.modules.edgeStream.tunnelServer).toEqual({ host: '127.0.0.1', port: 10004 });
  });

  it("accepts KubeEdge's spellings: numeric mqttMode, bare seconds, a socket path for the DMI folder", () => {
    const config = parseConfig(
      spec,
      `${HEAD}modules:\n  eventBus:\n    mqttMode: 2\n  edgeHub:\n    heartbeat: 20\n    servers: [a.example.com:10000, "[fd00::1]:10000"]\n  deviceTwin:\n    dmiSockPath: /etc/kubeedge/dmi.sock\n`,
    );
    expect(config.modules.eventBus.mqttMode).toBe('external');
    expect(config.modules.edgeHub.heartbeatMs).toBe(20_000);
    expect(config.modules.edgeHub.servers).toEqual([
      { host: 'a.example.com', port: 10000 },
      { host: 'fd00::1', port: 10000 },
    ]);
    expect(config.modules.deviceTwin.dmiSockPath).toBe('/etc/kubeedge');
  });

  it('reports the heartbeat example from the docs word for word', () => {
    expect(problems(`${HEAD}modules:\n  edgeHub:\n    heartbeat: 15 sec\n`)).toEqual([
      'modules.edgeHub.heartbeat: not a duration (got "15 sec"); write a number of seconds or a duration such as "15s"',
    ]);
  });

  it('checks names, enums and URLs', () => {
    expect(
      problems(
        `${HEAD}modules:\n  edged:\n    hostnameOverride: Edge_1\n    cgroupDriver: cgroups\n  edgeHub:\n    httpServer: http://127.0.0.1:10002\n  eventBus:\n    mqttQOS: 3\n`,
      ),
    ).toEqual([
      'modules.edged.hostnameOverride: not a valid node name (got "Edge_1"); write a lower-case DNS name such as edge-node-1, or "" for the host name',
      'modules.edged.cgroupDriver: not an allowed value (got "cgroups"); allowed: cgroupfs, systemd',
      'modules.edgeHub.httpServer: scheme http is not supported (got "http://127.0.0.1:10002"); write a URL such as "https://127.0.0.1:10002" (schemes: https)',
      'modules.eventBus.mqttQOS: out of range (got 3); write a whole number from 0 to 2',
    ]);
  });

  it("checks edged's pod settings: name servers, cluster domain, pods capacity, log folder", () => {
    const text =
      `${HEAD}modules:\n  edged:\n    clusterDNS: [10.96.0.10, dns.local]\n    clusterDomain: Cluster_Local\n` +
      '    maxPods: 0\n    podLogsDirectory: logs\n';
    expect(problems(text)).toEqual([
      expect.stringMatching(/^modules\.edged\.clusterDNS\[1\]: not an IP address \(got "dns\.local"\); each item is an IP address/),
      expect.stringMatching(/^modules\.edged\.clusterDomain: not a DNS domain \(got "Cluster_Local"\); write a DNS domain such as cluster\.local/),
      expect.stringMatching(/^modules\.edged\.maxPods: .*\(got 0\)/),
      expect.stringMatching(/^modules\.edged\.podLogsDirectory: .*\(got "logs"\)/),
    ]);
  });

  it('refuses the modules not implemented yet, metaServer included', () => {
    const text = `${HEAD}modules:\n  serviceBus:\n    enable: true\n  metaManager:\n    metaServer:\n      enable: true\n`;
    expect(problems(text)).toEqual([
      `modules.serviceBus.enable: the serviceBus module is not implemented yet (tracked in issue #${EDGECORE_MODULES.serviceBus.issue}); set enable: false`,
      'modules.metaManager.metaServer.enable: the metaServer module is not implemented yet (tracked in issue #7); set enable: false',
    ]);
  });

  it('names the node after the host unless overridden', () => {
    expect(resolveNodeName('', 'Edge-Host')).toBe('edge-host');
    expect(resolveNodeName('node-7', 'Edge-Host')).toBe('node-7');
  });
});

describe('edgecore config reference', () => {
  it('gives every section and field a description, and every field a default', () => {
    const fields = configReference(spec);
    expect(fields.filter((field) => !field.description)).toEqual([]);
    expect(fields.filter((field) => !field.section && field.default === undefined)).toEqual([]);
    expect(fields.find((field) => field.path === 'modules.edgeHub.servers')?.default).toEqual(['127.0.0.1:10000']);
  });
});
