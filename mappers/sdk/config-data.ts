/**
 * Typed reads of a decoded configData map (protocol or visitor settings), for drivers. Every problem is collected as
 * one sentence naming the field and the fix, so a device with three mistakes gets all three in one answer.
 *
 * Values arrive as edgecore packed them (facts §1.3): numbers as Int32/Int64/FloatValue, but YAML written by hand
 * often quotes them ("502", "true"), so numeric and boolean strings are accepted too. Keys match exactly or, failing
 * that, ignoring case, as Go's encoding/json matches them for KubeEdge's mappers (slaveID, slaveId, SlaveID).
 */
import type { ConfigValue } from '../../pkg/dmi/any-values';

export class ConfigDataReader {
  readonly issues: string[] = [];

  constructor(
    private readonly data: Readonly<Record<string, ConfigValue>>,
    /** Where this map sits in the Device, e.g. `spec.protocol.configData`. */
    private readonly path: string,
  ) {}

  has(key: string): boolean {
    const value = this.get(key);
    return value !== undefined && value !== '';
  }

  /** The raw value of `key`, or undefined. */
  get(key: string): ConfigValue | undefined {
    if (Object.hasOwn(this.data, key)) return this.data[key];
    const lower = key.toLowerCase();
    const match = Object.keys(this.data).find((candidate) => candidate.toLowerCase() === lower);
    return match === undefined ? undefined : this.data[match];
  }

  /** A string; `required` reports a missing value with `hint`. */
  string(key: string, options: { required: true; hint: string }): string | undefined;
  string(key: string, options: { default: string; hint: string }): string;
  string(key: string, options: { required?: true; default?: string; hint: string }): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === '') {
      if (options.required) this.problem(key, 'missing', undefined, options.hint);
      return options.default;
    }
    if (typeof value !== 'string') {
      this.problem(key, 'not a string', value, options.hint);
      return options.default;
    }
    return value;
  }

  /** One of `values` (compared case-sensitively, as KubeEdge's mappers do). */
  oneOf<const V extends string>(key: string, values: readonly V[], options: { required: true } | { default: V }): V | undefined {
    const hint = `write one of ${values.join(', ')}`;
    const value = 'default' in options ? this.string(key, { default: options.default, hint }) : this.string(key, { required: true, hint });
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as V;
    this.problem(key, 'not an allowed value', value, hint);
    return undefined;
  }

  /** A whole number in [min, max]. */
  integer(key: string, options: { min: number; max: number; default?: number; required?: true; hint?: string }): number | undefined {
    const hint = options.hint ?? `write a whole number from ${options.min} to ${options.max}`;
    const value = this.numeric(key, options.required === true, hint);
    if (value === undefined) return options.default;
    if (!Number.isInteger(value)) this.problem(key, 'not a whole number', value, hint);
    else if (value < options.min || value > options.max) this.problem(key, 'out of range', value, hint);
    else return value;
    return options.default;
  }

  /** A finite number; `nonZero` refuses 0 (a scale of 0 would erase every value). */
  number(key: string, options: { default: number; nonZero?: boolean; hint: string }): number {
    const value = this.numeric(key, false, options.hint);
    if (value === undefined) return options.default;
    if (options.nonZero && value === 0) {
      this.problem(key, 'must not be 0', value, options.hint);
      return options.default;
    }
    return value;
  }

  boolean(key: string, options: { default: boolean }): boolean {
    const value = this.get(key);
    if (value === undefined || value === '') return options.default;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(key, 'not true or false', value, 'write true or false');
    return options.default;
  }

  /** Records a problem found by the driver itself (a combination of fields, say). */
  problem(key: string, problem: string, got: unknown, hint: string): void {
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(typeof got === 'bigint' ? got.toString() : got)})`;
    this.issues.push(`${this.path}.${key}: ${problem}${shown}; ${hint}`);
  }

  private numeric(key: string, required: boolean, hint: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || value === '') {
      if (required) this.problem(key, 'missing', undefined, hint);
      return undefined;
    }
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      this.problem(key, 'not a number', value, hint);
      return undefined;
    }
    return number;
  }
}
