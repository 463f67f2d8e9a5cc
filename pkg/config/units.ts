import { durationInputMs, formatDurationMs, type BareNumberUnit } from './duration';
import { field, leaf } from './field';
import { byteSizeInput } from './quantity';

declare const unit: unique symbol;
/** A number of milliseconds. The brand only exists for the compiled-name mapping below. */
export type Milliseconds = number & { readonly [unit]: 'ms' };
/** A number of bytes. */
export type Bytes = number & { readonly [unit]: 'bytes' };

type CompiledKey<K, V> = K extends string
  ? V extends Milliseconds
    ? `${K}Ms`
    : V extends Bytes
      ? `${K}Bytes`
      : K
  : K;

/** A parsed section with the unit in each name: `{heartbeat: Milliseconds}` -> `{heartbeatMs: number}`. */
export type Compiled<T> = {
  readonly [K in keyof T as CompiledKey<K, T[K]>]: T[K] extends Milliseconds | Bytes ? number : T[K];
};

/** The compiled name of a field written as `name` in the file. */
export function compiledName(name: string, fieldUnit: 'ms' | 'bytes' | undefined): string {
  if (fieldUnit === 'ms') return `${name}Ms`;
  if (fieldUnit === 'bytes') return `${name}Bytes`;
  return name;
}

/** setTimeout cannot wait longer than this; a longer timer would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration: a Kubernetes-style string (`15s`, `1h30m`) or, as in KubeEdge's files, a bare number
 * of `bareNumber` units (seconds unless said otherwise). Compiled to milliseconds.
 */
export function duration(options: {
  default: string | number;
  description: string;
  bareNumber?: BareNumberUnit;
  minMs?: number;
  maxMs?: number;
}) {
  const { bareNumber = 'seconds', minMs = 1, maxMs = MAX_TIMER_MS } = options;
  const example = typeof options.default === 'string' ? options.default : `${options.default}s`;
  const syntax = `write a number of ${bareNumber} or a duration such as "${example}"`;
  const atLeast = `write a duration of at least ${formatDurationMs(minMs)}, such as "${example}"`;
  const atMost =
    maxMs === MAX_TIMER_MS
      ? 'write at most 596h (about 24 days, the longest a timer can wait)'
      : `write at most ${formatDurationMs(maxMs)}`;
  const schema = leaf<Milliseconds>((input, report) => {
    const parsed = durationInputMs(input, bareNumber);
    if (!parsed.ok) report({ problem: parsed.problem, hint: syntax });
    else if (parsed.value < minMs) report({ problem: 'out of range', hint: atLeast });
    else if (parsed.value > maxMs) report({ problem: 'out of range', hint: atMost });
    else return parsed.value as Milliseconds;
    return undefined;
  });
  return field(schema, options.default, { description: options.description, unit: 'ms' });
}

/** A size in bytes: a Kubernetes quantity (`12Mi`, `1Gi`, `500k`) or a bare number of bytes. */
export function byteSize(options: { default: string | number; description: string; minBytes?: number; maxBytes?: number }) {
  const { minBytes = 1, maxBytes = Number.MAX_SAFE_INTEGER } = options;
  const syntax = `write a number of bytes or a quantity such as "${options.default}" (suffixes Ki, Mi, Gi, Ti or k, M, G, T)`;
  const schema = leaf<Bytes>((input, report) => {
    const parsed = byteSizeInput(input);
    if (!parsed.ok) report({ problem: parsed.problem, hint: syntax });
    else if (parsed.value < minBytes || parsed.value > maxBytes) {
      report({ problem: 'out of range', hint: `write a size from ${minBytes} to ${maxBytes} bytes` });
    } else return parsed.value as Bytes;
    return undefined;
  });
  return field(schema, options.default, { description: options.description, unit: 'bytes' });
}
