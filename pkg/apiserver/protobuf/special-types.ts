/**
 * The apimachinery types whose JSON form is not an object of their fields: Time, MicroTime, Duration, Quantity,
 * IntOrString, FieldsV1 and RawExtension. Each converter gets the message's decoded fields by number (scalars as read:
 * int64 as bigint) and returns the value Go's MarshalJSON writes.
 */
import { ProtobufDecodeError } from './errors';

/** Decoded fields of one message by field number; see wire-json.ts readFields. */
export type FieldValues = Map<number, unknown>;

export interface SpecialContext {
  readonly where: string;
  readonly typeName: string;
  /** Decodes a protobuf object (with its own `k8s\0` envelope) held in a RawExtension. */
  readonly embedded: (raw: Uint8Array) => unknown;
}

type Converter = (fields: FieldValues, ctx: SpecialContext) => unknown;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds; metav1.Time writes it as null. */
const GO_ZERO_TIME_SECONDS = -62135596800n;

export const SPECIAL_TYPES: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  // metav1.Time: the apiserver keeps seconds only (it drops nanos when it reads protobuf) and writes RFC 3339.
  [`${META}.Time`, (f, ctx) => timeToJson(f, ctx, false)],
  [`${META}.MicroTime`, (f, ctx) => timeToJson(f, ctx, true)],
  [`${META}.Duration`, (f) => goDurationString(bigintOf(f.get(1)))],
  // An empty Quantity is the zero quantity, written "0".
  ['k8s.io.apimachinery.pkg.api.resource.Quantity', (f) => (f.get(1) as string | undefined) ?? '0'],
  ['k8s.io.apimachinery.pkg.util.intstr.IntOrString', intOrStringToJson],
  [`${META}.FieldsV1`, (f, ctx) => rawJson(f.get(1) as Uint8Array | undefined, ctx)],
  [
    'k8s.io.apimachinery.pkg.runtime.RawExtension',
    (f, ctx) => {
      const raw = f.get(1) as Uint8Array | undefined;
      if (raw && raw.length >= 4 && raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0) return ctx.embedded(raw);
      return rawJson(raw, ctx);
    },
  ],
]);

function timeToJson(fields: FieldValues, ctx: SpecialContext, micro: boolean): string | null {
  if (fields.size === 0) return null; // Go marshals the zero time as an empty message
  const seconds = bigintOf(fields.get(1));
  const nanos = Number(fields.get(2) ?? 0);
  if (nanos < 0 || nanos >= 1e9) throw malformed(`${ctx.typeName} at ${ctx.where} has nanos ${nanos}, outside [0, 1e9)`, ctx);
  if (seconds === GO_ZERO_TIME_SECONDS && (!micro || nanos === 0)) return null;
  const date = new Date(Number(seconds) * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw malformed(`${ctx.typeName} at ${ctx.where} is out of range (${seconds} seconds)`, ctx);
  }
  const iso = date.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function intOrStringToJson(fields: FieldValues, ctx: SpecialContext): number | string {
  const type = bigintOf(fields.get(1));
  if (type === 0n) return Number(fields.get(2) ?? 0);
  if (type === 1n) return (fields.get(3) as string | undefined) ?? '';
  throw malformed(`IntOrString at ${ctx.where} has type ${type}; only 0 (int) and 1 (string) exist`, ctx);
}

/** Bytes that hold JSON (FieldsV1, RawExtension): the JSON value itself, null when empty. */
function rawJson(raw: Uint8Array | undefined, ctx: SpecialContext): unknown {
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as unknown;
  } catch (error) {
    throw malformed(`${ctx.typeName} at ${ctx.where} does not hold JSON: ${(error as Error).message}`, ctx, error);
  }
}

function bigintOf(value: unknown): bigint {
  return value === undefined ? 0n : BigInt(value as bigint | number);
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "300µs", "0s". */
export function goDurationString(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const negative = nanoseconds < 0n;
  let u = negative ? -nanoseconds : nanoseconds;
  let text: string;
  if (u < 1_000_000_000n) {
    // Below a second Go switches unit and prints the fraction: 1.2ms, 300µs, 15ns.
    const [unit, precision] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    text = fraction(u, precision) + unit;
  } else {
    const seconds = fraction(u % 60_000_000_000n, 9) + 's';
    u /= 60_000_000_000n; // whole minutes
    text = u === 0n ? seconds : u < 60n ? `${u}m${seconds}` : `${u / 60n}h${u % 60n}m${seconds}`;
  }
  return negative ? `-${text}` : text;
}

/** v / 10^precision, with the fraction's trailing zeros (and a bare point) left out, as Go's fmtFrac does. */
function fraction(v: bigint, precision: number): string {
  const scale = 10n ** BigInt(precision);
  const whole = v / scale;
  const frac = precision === 0 ? '' : (v % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function malformed(message: string, ctx: SpecialContext, cause?: unknown): ProtobufDecodeError {
  return new ProtobufDecodeError('Malformed', message, { typeName: ctx.typeName }, cause === undefined ? undefined : { cause });
}
