import { ConfigError, configReference, defaultConfig, parseConfig, renderDefaultConfig } from '../pkg/config';
import { CLOUDCORE_MODULES, cloudCoreConfigSpec } from './config';

const spec = cloudCoreConfigSpec();
const HEAD = 'apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\n';

function problems(text: string): string[] {
  try {
    parseConfig(spec, text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.text);
    throw error;
  }
  return [];
}

describe('cloudcore config', () => {
  it('round-trips its commented default file', () => {
    const text = renderDefaultConfig(spec, { header: 'cloudcore defaults' });
    expect(parseConfig(spec, text)).toEqual(defaultConfig(spec));
  });

  it("has KubeEdge's defaults, compiled with units in the names", () => {
    const config = defaultConfig(spec);
    expect(config.kubeAPIConfig).toEqual({ kubeConfig: '', qps: 2500, burst: 5000 });
    expect(config.embeddedAPIServer).toEqual({ dataDir: '/var/lib/kubeedge/cloudcore', bindAddress: '127.0.0.1', port: 6443, tokenAuthFile: '' });
    expect(config.monitorServer.bindAddress).toEqual({ host: '127.0.0.1', port: 9091 });
    expect(config.modules.cloudHub).toMatchObject({
      enable: true,
      nodeLimit: 500,
      keepaliveIntervalMs: 30_000,
      writeTimeoutMs: 30_000,
      tunnel: { address: '0.0.0.0', port: 10000 },
      https: { address: '0.0.0.0', port: 10002 },
      edgeCertSigningDurationMs: 365 * 86_400_000,
      tokenRefreshDurationMs: 12 * 3_600_000,
      maxMessageSizeBytes: 12 * 2 ** 20,
    });
    expect(config.modules.edgeController.nodeUpdateFrequencyMs).toBe(10_000);
    expect(config.modules.syncController.periodMs).toBe(5000);
    expect(config.modules.router).toMatchObject({ address: '0.0.0.0', port: 9443, restTimeoutMs: 60_000, maxBodySizeBytes: 12 * 2 ** 20 });
    expect(config.modules.cloudStream).toMatchObject({ streamPort: 10003, tunnelPort: 10004 });
  });

  it("reads KubeEdge's bare numbers: seconds, but days and hours for the certificate and token", () => {
    const config = parseConfig(
      spec,
      `${HEAD}modules:\n  cloudHub:\n    keepaliveInterval: 45\n    edgeCertSigningDuration: 30\n    tokenRefreshDuration: 1\n`,
    );
    expect(config.modules.cloudHub).toMatchObject({
      keepaliveIntervalMs: 45_000,
      edgeCertSigningDurationMs: 30 * 86_400_000,
      tokenRefreshDurationMs: 3_600_000,
    });
  });

  it('refuses the modules not implemented yet, each naming its issue', () => {
    const modules = Object.keys(CLOUDCORE_MODULES).filter((name) => !CLOUDCORE_MODULES[name as keyof typeof CLOUDCORE_MODULES].implemented);
    expect(modules).toEqual(['router', 'cloudStream']);
    const text = `${HEAD}modules:\n${modules.map((name) => `  ${name}:\n    enable: true\n`).join('')}`;
    expect(problems(text)).toEqual(
      modules.map((name) => {
        const { issue } = CLOUDCORE_MODULES[name as keyof typeof CLOUDCORE_MODULES];
        return `modules.${name}.enable: the ${name} module is not implemented yet (tracked in issue #${issue}); set enable: false`;
      }),
    );
  });

  it('checks addresses and paths', () => {
    expect(problems(`${HEAD}kubeAPIConfig:\n  kubeConfig: kube/config\nmodules:\n  cloudHub:\n    advertiseAddress: [10.0.0.1, cloud.example.com]\n`)).toEqual([
      'kubeAPIConfig.kubeConfig: not an absolute path (got "kube/config"); write an absolute path starting with /, or "" to leave it unset',
      'modules.cloudHub.advertiseAddress[1]: not an IP address (got "cloud.example.com"); each item is an IP address such as 192.0.2.10',
    ]);
  });
});

describe('cloudcore config reference', () => {
  it('gives every section and field a description, and every field a default', () => {
    const fields = configReference(spec);
    expect(fields.length).toBeGreaterThan(40);
    expect(fields.filter((field) => !field.description)).toEqual([]);
    expect(fields.filter((field) => !field.section && field.default === undefined)).toEqual([]);
    expect(fields).toContainEqual({
      path: 'modules.cloudHub.keepaliveInterval',
      section: false,
      default: '30s',
      description: 'A node that sends no keepalive for this long is disconnected. A bare number counts seconds.',
    });
  });
});
