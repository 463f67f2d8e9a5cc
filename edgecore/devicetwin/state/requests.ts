/**
 * What apps and mappers send, checked field by field before anything changes: a twin update, a get, a state update.
 * Every refusal is a 400 TwinError whose reason names the field (`twin.temperature.actual.value`), the bad value and
 * the fix. Unknown fields are ignored, as Go's JSON decoding in KubeEdge ignores them.
 */
import type { TwinVersion } from '../../../pkg/devices/twin-json';
import { badRequest } from '../errors';
import { DELETED } from './types';
import { isTwinType, nameProblem, TWIN_TYPES_TEXT } from './values';

/** One twin of an update, checked for shape (values are checked against the twin's type when applied). */
export interface TwinPatch {
  readonly name: string;
  /** `null`, or metadata.type "deleted": delete the twin. */
  readonly remove: boolean;
  /** Absent, or given as "" (a mapper reporting no desired value): leave as it is. */
  readonly expected?: string;
  readonly actual?: string;
  readonly optional?: boolean;
  readonly type?: string;
  readonly expectedVersion?: TwinVersion;
  readonly actualVersion?: TwinVersion;
}

export interface TwinUpdateRequest {
  readonly eventId: string;
  readonly patches: readonly TwinPatch[];
}

export interface StateUpdateRequest {
  readonly eventId: string;
  /** As sent (not yet lower-cased or checked against the known states). */
  readonly state: string;
}

const UPDATE_EXAMPLE = '{"event_id":"","timestamp":0,"twin":{"temperature":{"actual":{"value":"24"}}}}';

/** Decodes an MQTT payload as a JSON object, within `maxBytes`. */
export function decodePayload(payload: Uint8Array, maxBytes: number, example: string): Record<string, unknown> {
  if (payload.length > maxBytes) {
    throw badRequest(`payload: is ${payload.length} bytes, over devicetwin's limit of ${maxBytes}; send fewer twins per message`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (error) {
    throw badRequest(`payload: is not valid JSON (${(error as Error).message}); publish a JSON object such as ${example}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`payload: is a JSON ${kindOf(value)}, not an object; publish a JSON object such as ${example}`);
  }
  return value as Record<string, unknown>;
}

/** An empty payload is a get with no event id (KubeEdge refuses it; nothing is gained by that). */
export function decodeOptionalPayload(payload: Uint8Array, maxBytes: number, example: string): Record<string, unknown> {
  return payload.length === 0 ? {} : decodePayload(payload, maxBytes, example);
}

/** event_id, when it is there and a string; used to answer even a request that is refused. */
export function eventIdOf(value: unknown): string {
  const id = (value as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : '';
}

export function parseBase(value: Record<string, unknown>): { eventId: string } {
  const id = value.event_id;
  if (id !== undefined && id !== null && typeof id !== 'string') {
    throw badRequest(`event_id: is a JSON ${kindOf(id)}; it must be a string (or left out)`);
  }
  const timestamp = value.timestamp;
  if (timestamp !== undefined && timestamp !== null && typeof timestamp !== 'number') {
    throw badRequest(`timestamp: is a JSON ${kindOf(timestamp)}; it must be milliseconds since the epoch (or left out)`);
  }
  return { eventId: typeof id === 'string' ? id : '' };
}

export function parseTwinUpdate(value: Record<string, unknown>): TwinUpdateRequest {
  const { eventId } = parseBase(value);
  const twin = value.twin;
  if (twin === undefined || twin === null) {
    throw badRequest(`twin: is missing; a twin update carries the twins to change, such as ${UPDATE_EXAMPLE}`);
  }
  if (typeof twin !== 'object' || Array.isArray(twin)) {
    throw badRequest(`twin: is a JSON ${kindOf(twin)}; it must be an object of twins by name, such as ${UPDATE_EXAMPLE}`);
  }
  const patches: TwinPatch[] = [];
  for (const [name, entry] of Object.entries(twin as Record<string, unknown>)) {
    const problem = nameProblem(name);
    if (problem) throw badRequest(`twin[${JSON.stringify(name.slice(0, 160))}]: ${problem}`);
    patches.push(parsePatch(name, entry));
  }
  if (patches.length === 0) throw badRequest(`twin: is empty; name at least one twin, such as ${UPDATE_EXAMPLE}`);
  return { eventId, patches };
}

function parsePatch(name: string, entry: unknown): TwinPatch {
  const field = `twin.${name}`;
  if (entry === null) return { name, remove: true };
  if (typeof entry !== 'object' || Array.isArray(entry)) {
    throw badRequest(`${field}: is a JSON ${kindOf(entry)}; a twin is an object such as {"actual":{"value":"24"}}, or null to delete it`);
  }
  const raw = entry as Record<string, unknown>;
  const type = parseType(raw.metadata, `${field}.metadata`);
  const optional = raw.optional;
  if (optional !== undefined && optional !== null && typeof optional !== 'boolean') {
    throw badRequest(`${field}.optional: is a JSON ${kindOf(optional)}; it must be true or false`);
  }
  const patch: {
    -readonly [K in keyof TwinPatch]: TwinPatch[K];
  } = { name, remove: type === DELETED };
  const expected = parseValue(raw.expected, `${field}.expected`);
  const actual = parseValue(raw.actual, `${field}.actual`);
  if (expected !== undefined) patch.expected = expected;
  if (actual !== undefined) patch.actual = actual;
  if (typeof optional === 'boolean') patch.optional = optional;
  if (type !== undefined) patch.type = type;
  const expectedVersion = parseVersion(raw.expected_version, `${field}.expected_version`);
  const actualVersion = parseVersion(raw.actual_version, `${field}.actual_version`);
  if (expectedVersion) patch.expectedVersion = expectedVersion;
  if (actualVersion) patch.actualVersion = actualVersion;
  return patch;
}

/** `{"value": "24", "metadata": {...}}`; "" is treated as not given (mappers send it for "no desired value"). */
function parseValue(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest(`${field}: is a JSON ${kindOf(raw)}; it must be an object such as {"value":"24"}`);
  }
  const value = (raw as { value?: unknown }).value;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw badRequest(`${field}.value: is a JSON ${kindOf(value)}; twin values are strings, such as "24"`);
  }
  return value;
}

function parseType(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest(`${field}: is a JSON ${kindOf(raw)}; it must be an object such as {"type":"int"}`);
  }
  const type = (raw as { type?: unknown }).type;
  if (type === undefined || type === null || type === '') return undefined;
  if (typeof type !== 'string' || !isTwinType(type)) {
    throw badRequest(`${field}.type: ${JSON.stringify(type)} is not a twin type; use one of ${TWIN_TYPES_TEXT}`);
  }
  return type;
}

function parseVersion(raw: unknown, field: string): TwinVersion | undefined {
  if (raw === undefined || raw === null) return undefined;
  const version = raw as { cloud?: unknown; edge?: unknown };
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (typeof raw !== 'object' || Array.isArray(raw) || !count(version.cloud ?? 0) || !count(version.edge ?? 0)) {
    throw badRequest(`${field}: must be {"cloud": <count>, "edge": <count>} with whole numbers of 0 or more`);
  }
  return { cloud: (version.cloud as number | undefined) ?? 0, edge: (version.edge as number | undefined) ?? 0 };
}

/** `state` (or `State`, as KubeEdge's DMI path writes it): a string; which states count is decided later. */
export function parseStateUpdate(value: Record<string, unknown>): StateUpdateRequest {
  const { eventId } = parseBase(value);
  const state = value.state ?? value.State;
  if (state === undefined || state === null || state === '') {
    throw badRequest('state: is missing; publish {"event_id":"","timestamp":0,"state":"online"}');
  }
  if (typeof state !== 'string') throw badRequest(`state: is a JSON ${kindOf(state)}; it must be a string such as "online"`);
  return { eventId, state };
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
