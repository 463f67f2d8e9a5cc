/**
 * What every multi-phase benchmark shares: reading its BENCH_* variables (BENCH_QUICK picks the short defaults) and
 * running its phases in order, gathering their table rows and RESULT figures.
 */
import type { Row } from './report';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface BenchEnv {
  readonly quick: boolean;
  /** A whole-number variable: `full` by default, `small` with BENCH_QUICK; a bad value throws SettingsError. */
  whole(name: string, full: number, small: number, min?: number): number;
}

export function benchEnv(env: Env): BenchEnv {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    whole(name, full, small, min = 1) {
      const text = env[name];
      if (text === undefined || text === '') return quick ? small : full;
      const value = Number(text);
      if (!Number.isInteger(value) || value < min) {
        throw new SettingsError(`${name}=${JSON.stringify(text)} is not a whole number >= ${min}; set it like ${name}=${full}, or unset it`);
      }
      return value;
    },
  };
}

export interface PhaseResult {
  rows: Row[];
  figures: Record<string, number | string>;
}

export interface PhasesOutcome extends PhaseResult {
  failed: boolean;
}

/**
 * Runs the phases in order. A failed phase is noted (`<name> phase failed: ...`, the name without "measure") and,
 * when `stopAfter` says so, ends the run: later phases would only measure the wreck.
 */
export async function runPhases<B>(
  phases: readonly ((bench: B) => Promise<PhaseResult>)[],
  bench: B,
  report: { notes: string[]; progress(line: string): void; stopAfter(phase: (bench: B) => Promise<PhaseResult>): boolean },
): Promise<PhasesOutcome> {
  const outcome: PhasesOutcome = { rows: [], figures: {}, failed: false };
  for (const phase of phases) {
    try {
      const result = await phase(bench);
      outcome.rows.push(...result.rows);
      Object.assign(outcome.figures, result.figures);
    } catch (error) {
      outcome.failed = true;
      report.notes.push(`${phase.name.replace(/^measure/, '').toLowerCase()} phase failed: ${(error as Error).message.split('\n')[0]}`);
      report.progress(`phase failed: ${(error as Error).stack ?? String(error)}`);
      if (report.stopAfter(phase)) break;
    }
  }
  return outcome;
}

/** The exit of a benchmark's main(): a SettingsError is the user's to fix (exit 2), anything else a failure (1). */
export function exitOnError(program: string): (error: unknown) => never {
  return (error) => {
    console.error(error instanceof SettingsError ? `${program}: ${error.message}` : error);
    process.exit(error instanceof SettingsError ? 2 : 1);
  };
}
