import { Option } from 'commander';
import type { z } from 'zod';
import { ConfigError, defaultConfig, loadConfig, parseConfig, renderDefaultConfig, type ConfigSpec } from '../config';
import { createLogger, LOG_LEVELS, type Logger } from '../log';
import { newCommand, parseCommand } from './command';
import type { CliIO } from './io';
import { packageVersion, versionText } from './version';

/** What cloudcore and edgecore each plug into the shared command line. */
export interface CoreProgram<S extends z.ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly spec: ConfigSpec<S>;
  readonly defaultConfigPath: string;
  run(options: { readonly config: z.output<S>; readonly logger: Logger }, signal: AbortSignal): Promise<void>;
  /** Flags of this program that override config fields (applied after loading, before --check). */
  readonly overrides?: {
    readonly options: readonly Option[];
    apply(config: z.output<S>, flags: Record<string, unknown>): z.output<S>;
  };
}

interface CoreFlags {
  readonly config: string;
  readonly defaultconfig?: boolean;
  readonly check?: boolean;
  readonly logLevel: string;
}

/** Exit status when the config is bad or the program failed. */
export const EXIT_FAILURE = 1;

/** The cloudcore/edgecore command line: --config, --defaultconfig, --check, --log-level, --version. */
export async function runCoreCli<S extends z.ZodType>(argv: readonly string[], io: CliIO, program: CoreProgram<S>): Promise<number> {
  const command = newCommand(program.name, io)
    .description(program.summary)
    .version(versionText(program.name), '--version', 'print the version and exit')
    .addOption(
      new Option('--config <file>', 'config file to load ("-" or /dev/stdin: standard input)').default(program.defaultConfigPath),
    )
    .addOption(new Option('--defaultconfig', 'print the default config file, with comments, and exit').conflicts('check'))
    .addOption(new Option('--check', 'validate the config file, print "config OK" or the problems, and exit'))
    .addOption(new Option('--log-level <level>', 'least severe level to log').choices(LOG_LEVELS).default('info'));
  for (const option of program.overrides?.options ?? []) command.addOption(option);
  const exit = await parseCommand(command, argv);
  if (exit !== undefined) return exit;
  const flags = command.opts<CoreFlags>();

  if (flags.defaultconfig) {
    io.stdout.write(renderDefaultConfig(program.spec, { header: defaultHeader(program.name) }));
    return 0;
  }

  const explicit = command.getOptionValueSource('config') === 'cli';
  let config: z.output<S>;
  let note: string | undefined;
  try {
    const fromStdin = flags.config === '-' || flags.config === '/dev/stdin';
    config = fromStdin
      ? parseConfig(program.spec, await io.readStdin(), flags.config)
      : await loadConfig(program.spec, { path: flags.config });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (explicit || error.code !== 'CONFIG_NOT_FOUND') {
      io.stderr.write(`${error.message}\n`);
      return EXIT_FAILURE;
    }
    // Like KubeEdge, a missing file at the default path means "all defaults"; a named file must exist.
    config = defaultConfig(program.spec);
    note = `no config file at ${flags.config}; using the defaults (see ${program.name} --defaultconfig)`;
  }

  if (program.overrides) config = program.overrides.apply(config, command.opts());

  if (flags.check) {
    if (note !== undefined) io.stderr.write(`${note}\n`);
    io.stdout.write('config OK\n');
    return 0;
  }

  const logger = createLogger({ level: flags.logLevel, name: program.name, destination: io.stdout });
  logger.info({ version: versionText(program.name) }, 'starting');
  if (note !== undefined) logger.info(note);
  else logger.info({ file: flags.config }, 'config loaded');
  try {
    await program.run({ config, logger }, io.signal);
    return 0;
  } catch (error) {
    logger.error({ err: error }, `${program.name} failed`);
    return EXIT_FAILURE;
  }
}

function defaultHeader(name: string): string {
  return [
    `Default ${name} configuration, printed by \`${name} --defaultconfig\` (version ${packageVersion()}).`,
    'Every field is shown at its default; a field left out takes its default too.',
  ].join('\n');
}
