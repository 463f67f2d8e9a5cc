import { memoryIO } from '../cli/testing/memory-io';
import { main } from './cli';

describe('keadm', () => {
  it('prints help listing its commands, and its version', async () => {
    const help = memoryIO();
    expect(await main(['--help'], help)).toBe(0);
    for (const command of ['init', 'gettoken', 'join', 'reset']) expect(help.out()).toContain(command);
    const version = memoryIO();
    expect(await main(['--version'], version)).toBe(0);
    expect(version.out()).toMatch(/^keadm \d+\.\d+\.\d+/);
  });

  it("declares join's KubeEdge flags", async () => {
    const io = memoryIO();
    expect(await main(['join', '--help'], io)).toBe(0);
    for (const flag of ['-e, --cloudcore-ipport', '-t, --token', '-i, --edgenode-name', '-p, --remote-runtime-endpoint', '--cgroupdriver', '-l, --labels', '-s, --certport']) {
      expect(io.out()).toContain(flag);
    }
  });

  it.each([
    [['init', '--advertise-address', '10.0.0.1', '--kube-config', '/root/.kube/config', '--data-dir', '/tmp/x'], 'init'],
    [['join', '-e', '10.0.0.1:10000', '-t', 'abc', '-i', 'edge-1', '--cgroupdriver', 'systemd', '-l', 'zone=a,rack=7', '-s', '10002'], 'join'],
    [['reset', 'edge', '--force'], 'reset'],
  ])('%p parses its flags, then says it is not implemented yet and exits 2', async (argv, command) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toBe(`keadm ${command} is not implemented yet (tracked in issue #8)\n`);
  });

  it.each([
    [['join'], "error: required option '-e, --cloudcore-ipport <host:port>' not specified"],
    [['join', '-e', '10.0.0.1'], 'not a host:port address; write host:port, such as 192.0.2.10:10000.'],
    [['join', '-e', '10.0.0.1:10000', '--cgroupdriver', 'cgroupv2'], 'Allowed choices are cgroupfs, systemd.'],
    [['join', '-e', '10.0.0.1:10000', '-l', 'bad key=x'], '"bad key=x" is not a label'],
    [['join', '-e', '10.0.0.1:10000', '-s', '0'], 'write a port number from 1 to 65535.'],
    [['reset', 'everything'], "error: command-argument value 'everything' is invalid for argument 'target'. Allowed choices are cloud, edge."],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['join', '--token'], "error: option '-t, --token <token>' argument missing"],
  ])('exits 2 with commander\'s error and a hint for %p', async (argv, message) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).toContain('--help" for usage)');
  });
});
