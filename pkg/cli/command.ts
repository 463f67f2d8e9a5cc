import { Command, CommanderError } from 'commander';
import type { CliIO } from './io';

/** Exit status for bad command-line usage (unknown flag, missing value, bad choice). */
export const EXIT_USAGE = 2;

/**
 * A commander program that writes to `io` and throws instead of exiting. Subcommands added with
 * `.command()` inherit these settings.
 */
export function newCommand(name: string, io: CliIO): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showHelpAfterError(`(run "${name} --help" for usage)`)
    .helpOption('-h, --help', 'print this help and exit');
}

/**
 * Parses `argv`. Returns the exit status when parsing already finished the run (--help, --version:
 * 0; bad usage: 2, after commander printed the error and the hint), or undefined to go on.
 */
export async function parseCommand(command: Command, argv: readonly string[]): Promise<number | undefined> {
  try {
    await command.parseAsync([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
}

/** A command that exists in KubeEdge but not here yet. */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
  readonly code = 'NOT_IMPLEMENTED';

  constructor(
    readonly what: string,
    readonly issue: number,
  ) {
    super(`${what} is not implemented yet (tracked in issue #${issue})`);
  }
}
