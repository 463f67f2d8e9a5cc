/**
 * The command line every mapper built on the SDK shares:
 *
 *   <mapper> --config config.yaml [--log-level info]     (--config-file is KubeEdge's spelling, also accepted)
 *
 * Runs until SIGINT/SIGTERM. Exit 0 after a clean stop, 1 for a bad config or a failed start, 2 for bad usage.
 */
import { EXIT_FAILURE, newCommand, parseCommand, type CliMain } from '../../pkg/cli';
import { ConfigError } from '../../pkg/config';
import { createLogger, LOG_LEVELS, LogLevelError } from '../../pkg/log';
import { aborted } from '../../pkg/timing';
import { loadMapperConfig } from './config';
import type { ProtocolDriver } from './driver';
import { startMapper } from './mapper';

export function mapperMain<P, V>(program: string, driver: ProtocolDriver<P, V>): CliMain {
  return async (argv, io) => {
    let options: { config?: string; configFile?: string; logLevel: string } | undefined;
    const command = newCommand(program, io)
      .description(`KubeEdge device mapper for the ${driver.protocol} protocol (DMI v1beta1).`)
      .option('--config <path>', 'mapper config file (KubeEdge mapper-framework layout)')
      .option('--config-file <path>', 'same as --config (KubeEdge spelling)')
      .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info')
      .action((parsed: typeof options) => void (options = parsed));
    const usage = await parseCommand(command, argv);
    if (usage !== undefined) return usage;
    const path = options?.config ?? options?.configFile;
    if (path === undefined) {
      io.stderr.write(`${program}: --config is required: the path of the mapper's config.yaml\n`);
      return 2;
    }

    let log;
    try {
      log = createLogger({ level: options?.logLevel ?? 'info', name: program });
    } catch (error) {
      if (!(error instanceof LogLevelError)) throw error;
      io.stderr.write(`${program}: --log-level: ${error.message}\n`);
      return 2;
    }
    let config;
    try {
      config = await loadMapperConfig(path, { protocol: driver.protocol });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT_FAILURE;
    }
    let mapper;
    try {
      mapper = await startMapper({ config, driver, log });
    } catch (error) {
      io.stderr.write(`${program}: cannot start: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    log.info({ protocol: config.protocol, socket: config.socketPath, edgecore: config.edgecoreSock }, 'mapper started');
    await aborted(io.signal);
    log.info({ reason: String(io.signal.reason) }, 'stopping');
    await mapper.stop();
    return 0;
  };
}
