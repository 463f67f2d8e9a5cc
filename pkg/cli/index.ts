export { EXIT_USAGE, newCommand, NotImplementedError, parseCommand } from './command';
export { EXIT_FAILURE, runCoreCli, type CoreProgram } from './core-cli';
export { DaemonError, runDaemon, type DaemonErrorCode, type DaemonOptions, type DaemonModule } from './daemon';
export type { CliIO, CliMain, TextOutput } from './io';
export { runAsProcess, type ProcessHost } from './process';
export { packageVersion, versionText } from './version';
