import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { runCoreCli, type CliIO } from '../pkg/cli';
import { CLOUDCORE_CONFIG_PATH, cloudCoreConfigSpec } from './config';
import { run } from './run';

/** The cloudcore command line, callable in-process (tests) or from main.ts. */
export function main(argv: readonly string[], io: CliIO): Promise<number> {
  return runCoreCli(argv, io, {
    name: 'cloudcore',
    summary: 'The cloud side of KubeEdge: streams Kubernetes objects to edge nodes and their status back.',
    spec: cloudCoreConfigSpec(),
    defaultConfigPath: CLOUDCORE_CONFIG_PATH,
    run: (options, signal) => run(options, signal),
    overrides: {
      options: [
        new Option('--kubeconfig <file>', 'use the Kubernetes cluster of this kubeconfig (overrides kubeAPIConfig.kubeConfig)'),
        new Option(
          '--data-dir <dir>',
          'with no kubeconfig: run the embedded control plane with its data (SQLite, certificates, admin.kubeconfig) in this folder (overrides embeddedAPIServer.dataDir)',
        ),
        new Option('--apiserver-port <port>', 'port of the embedded control plane (overrides embeddedAPIServer.port; 0 picks a free one)').argParser(parsePort),
      ],
      apply: (config, flags) => ({
        ...config,
        kubeAPIConfig: { ...config.kubeAPIConfig, ...(flags.kubeconfig ? { kubeConfig: resolve(String(flags.kubeconfig)) } : {}) },
        embeddedAPIServer: {
          ...config.embeddedAPIServer,
          ...(flags.dataDir ? { dataDir: resolve(String(flags.dataDir)) } : {}),
          ...(flags.apiserverPort !== undefined ? { port: Number(flags.apiserverPort) } : {}),
        },
      }),
    },
  });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('write a port number from 0 to 65535');
  return port;
}
