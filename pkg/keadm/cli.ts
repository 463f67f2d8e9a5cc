import { Argument, InvalidArgumentError, Option } from 'commander';
import { formatHostPort, parseHostPort, parsePort } from '../config/address';
import { isLabelKey, isLabelValue } from '../config/collections';
import { EXIT_USAGE, newCommand, NotImplementedError, parseCommand, versionText, type CliIO } from '../cli';
import { getToken } from './gettoken';

/** keadm's commands arrive with this issue. */
const KEADM_ISSUE = 8;

const notImplemented = (command: string) => (): never => {
  throw new NotImplementedError(`keadm ${command}`, KEADM_ISSUE);
};

function hostPortArg(value: string): string {
  const parsed = parseHostPort(value);
  if (!parsed.ok) throw new InvalidArgumentError(`${parsed.problem}; write host:port, such as 192.0.2.10:10000.`);
  return formatHostPort(parsed.value);
}

function portArg(value: string): number {
  const parsed = parsePort(value);
  if (!parsed.ok || parsed.value === 0) throw new InvalidArgumentError('write a port number from 1 to 65535.');
  return parsed.value;
}

/** `key=value,key2=value2` as Kubernetes labels. */
function labelsArg(value: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of value.split(',').filter((item) => item !== '')) {
    const [key = '', label = '', ...rest] = pair.split('=');
    if (rest.length > 0 || !isLabelKey(key) || !isLabelValue(label)) {
      throw new InvalidArgumentError(`"${pair}" is not a label; write key=value pairs separated by commas, such as zone=a,rack=7.`);
    }
    labels[key] = label;
  }
  return labels;
}

/** keadm: sets up cloudcore (init, gettoken) and edge nodes (join), and removes them (reset). */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  /** Set by a command that ran to its end; parsing alone (help, version, usage errors) leaves it unset. */
  let status: number | undefined;
  const keadm = newCommand('keadm', io)
    .description('Installs and removes cloudcore and edgecore.')
    .version(versionText('keadm'), '--version', 'print the version and exit');

  keadm
    .command('init')
    .description('Install cloudcore on this host.')
    .option('--advertise-address <ips>', 'comma-separated IPs edge nodes reach cloudcore at (added to its certificate)')
    .option('--kube-config <path>', 'kubeconfig of the cluster to install into (none: the embedded API server)')
    .addOption(new Option('--kubeconfig <path>', 'same as --kube-config').hideHelp())
    .option('--data-dir <dir>', 'folder for the embedded API server data', '/var/lib/kubeedge/cloudcore')
    .action(notImplemented('init'));

  keadm
    .command('gettoken')
    .description('Print the token edge nodes join with.')
    .option('--kube-config <path>', 'kubeconfig of the cluster cloudcore runs in (default: $KUBECONFIG, then ~/.kube/config)')
    .addOption(new Option('--kubeconfig <path>', 'same as --kube-config').hideHelp())
    .action(async (flags: { kubeConfig?: string; kubeconfig?: string }) => {
      const kubeConfig = flags.kubeConfig ?? flags.kubeconfig;
      status = await getToken(kubeConfig ? { kubeConfig } : {}, io);
    });

  keadm
    .command('join')
    .description('Install edgecore on this host and join it to cloudcore.')
    .requiredOption('-e, --cloudcore-ipport <host:port>', 'cloudcore tunnel address, such as 192.0.2.10:10000', hostPortArg)
    .option('-t, --token <token>', 'join token from keadm gettoken')
    .option('-i, --edgenode-name <name>', "this node's name (default: the host name)")
    .option('-p, --remote-runtime-endpoint <endpoint>', 'container runtime CRI socket', 'unix:///run/containerd/containerd.sock')
    .addOption(
      new Option('--cgroupdriver <driver>', 'cgroup driver of the container runtime').choices(['cgroupfs', 'systemd']).default('cgroupfs'),
    )
    .option('-l, --labels <key=value,...>', 'labels for the node', labelsArg)
    .option('-s, --certport <port>', "cloudcore's HTTPS port for certificates", portArg, 10002)
    .action(notImplemented('join'));

  keadm
    .command('reset')
    .description('Remove cloudcore or edgecore from this host.')
    .addArgument(new Argument('[target]', 'what to remove (default: whatever is installed)').choices(['cloud', 'edge']))
    .option('--force', 'do not ask for confirmation')
    .action(notImplemented('reset'));

  try {
    return (await parseCommand(keadm, argv)) ?? status ?? 0;
  } catch (error) {
    if (!(error instanceof NotImplementedError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
}
