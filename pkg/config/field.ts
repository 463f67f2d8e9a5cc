import { z } from 'zod';
import type { Parsed } from './parse-result';

/** One problem with a value, before it is placed at a field path. */
export interface ValueProblem {
  /** What is wrong, e.g. "not a duration". */
  readonly problem: string;
  /** What is allowed or how to fix it, e.g. `write a duration such as "15s"`. */
  readonly hint: string;
  /** Path below the field, for problems inside lists and maps. */
  readonly path?: readonly (string | number)[];
  /** The offending value; defaults to the field's whole value. */
  readonly input?: unknown;
  /** False when the value itself says nothing useful (e.g. `enable: true`). */
  readonly showInput?: boolean;
}

/** Extra data a custom issue carries to the formatter (see issues.ts). */
export interface ProblemParams {
  readonly hint: string;
  readonly showInput: boolean;
}

/** Metadata every field carries; `unit` drives the compiled name (`heartbeat` -> `heartbeatMs`). */
export interface FieldMeta {
  readonly description: string;
  readonly unit?: 'ms' | 'bytes';
  /** Extra text for the README's reference (allowed values, KubeEdge's default). */
  readonly [key: string]: unknown;
}

/**
 * A leaf value checked by one function that reports every problem it finds. Built on z.unknown() so
 * that all messages come from this project's wording instead of zod's generic texts.
 */
export function leaf<T>(check: (input: unknown, report: (problem: ValueProblem) => void) => T | undefined) {
  return z.unknown().transform((input, ctx): T => {
    let failed = false;
    const value = check(input, (problem) => {
      failed = true;
      const params: ProblemParams = { hint: problem.hint, showInput: problem.showInput ?? true };
      ctx.addIssue({
        code: 'custom',
        message: problem.problem,
        input: 'input' in problem ? problem.input : input,
        path: problem.path === undefined ? [] : [...problem.path],
        params,
      });
    });
    return failed || value === undefined ? z.NEVER : value;
  });
}

/** A leaf from a parse function and one hint for every failure. */
export function parsedLeaf<T>(hint: string, parse: (input: unknown) => Parsed<T>) {
  return leaf<T>((input, report) => {
    const result = parse(input);
    if (result.ok) return result.value;
    report({ problem: result.problem, hint });
    return undefined;
  });
}

/**
 * A config field: `null` (an empty YAML value) counts as unset, unset takes `defaultInput`, which is
 * written as a user would write it (`"15s"`, not 15000) so the default file can show it.
 */
export function field<S extends z.ZodType>(schema: S, defaultInput: z.input<S>, meta: FieldMeta) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.prefault(defaultInput)).meta(meta);
}

/** A whole number in [min, max]. */
export function integer(options: { default: number; description: string; min?: number; max?: number }) {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = options;
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  const schema = leaf<number>((input, report) => {
    if (typeof input !== 'number' || !Number.isInteger(input)) {
      report({ problem: 'not a whole number', hint: `write a whole number ${range}, such as ${options.default}` });
    } else if (input < min || input > max) {
      report({ problem: 'out of range', hint: `write a whole number ${range}` });
    } else return input;
    return undefined;
  });
  return field(schema, options.default, { description: options.description });
}

export function boolean(options: { default: boolean; description: string }) {
  const schema = parsedLeaf<boolean>('write true or false', (input) =>
    typeof input === 'boolean' ? { ok: true, value: input } : { ok: false, problem: 'not true or false' },
  );
  return field(schema, options.default, { description: options.description });
}

/** Free text, optionally checked by `valid` (which returns a problem or undefined). */
export function text(options: {
  default: string;
  description: string;
  valid?: (value: string) => string | undefined;
  hint?: string;
}) {
  const hint = options.hint ?? 'write a quoted string';
  const schema = leaf<string>((input, report) => {
    if (typeof input !== 'string') report({ problem: 'not a string', hint });
    else {
      const problem = options.valid?.(input);
      if (problem === undefined) return input;
      report({ problem, hint });
    }
    return undefined;
  });
  return field(schema, options.default, { description: options.description });
}

/**
 * One of a fixed set of names. `aliases` maps other accepted spellings (KubeEdge's numeric codes,
 * such as mqttMode 0/1/2) to a name; the compiled value is always the name.
 */
export function oneOf<const V extends string>(options: {
  values: readonly V[];
  default: V;
  description: string;
  aliases?: Readonly<Record<string, V>>;
}) {
  const aliases = options.aliases ?? {};
  const aliasText = Object.keys(aliases).length === 0 ? '' : ` (or ${Object.keys(aliases).join(', ')})`;
  const hint = `allowed: ${options.values.join(', ')}${aliasText}`;
  const schema = parsedLeaf<V>(hint, (input) => {
    const key = typeof input === 'number' || typeof input === 'string' ? String(input) : undefined;
    if (key !== undefined && (options.values as readonly string[]).includes(key)) return { ok: true, value: key as V };
    if (key !== undefined && Object.hasOwn(aliases, key)) return { ok: true, value: aliases[key] as V };
    return { ok: false, problem: 'not an allowed value' };
  });
  return field(schema, options.default, { description: options.description });
}
