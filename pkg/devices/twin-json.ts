/**
 * KubeEdge's device twin JSON (facts §5.4): what apps and mappers publish on the twin and state topics, what the edge
 * answers, and what travels to the cloud. Field names are KubeEdge's (snake_case where it uses it) so that existing
 * apps work unchanged. Shapes only: devicetwin validates what it receives.
 */

export interface BaseMessage {
  event_id: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export interface TwinValue {
  value?: string | null;
  metadata?: { timestamp?: number; [key: string]: unknown };
}

/** Who last changed a twin's expected or actual value, counted separately on each side. */
export interface TwinVersion {
  cloud: number;
  edge: number;
}

export interface MsgTwin {
  expected?: TwinValue | null;
  actual?: TwinValue | null;
  optional?: boolean;
  metadata?: { type?: string };
  expected_version?: TwinVersion;
  actual_version?: TwinVersion;
}

/** `.../twin/update` (app or mapper -> edge), `twin/edge_updated` (edge -> cloud), `twin/cloud_updated`. */
export interface DeviceTwinUpdate extends BaseMessage {
  twin: Record<string, MsgTwin | null>;
}

/** `.../twin/get/result` and `.../twin/update/result`; on failure code and reason instead of twin. */
export interface DeviceTwinResult extends BaseMessage {
  twin?: Record<string, MsgTwin>;
  code?: number;
  reason?: string;
}

/** `.../twin/update/delta`: only when an expected value differs from the actual one. */
export interface DeviceTwinDelta extends BaseMessage {
  twin: Record<string, MsgTwin>;
  delta: Record<string, string>;
}

/** `.../twin/update/document`: each changed twin before and after. */
export interface DeviceTwinDocument extends BaseMessage {
  twin: Record<string, { last: MsgTwin | null; current: MsgTwin | null }>;
}

/** `.../state/update` (app or mapper -> edge). The DMI path writes `State`; both are accepted. */
export interface DeviceStateUpdate extends BaseMessage {
  state?: string;
  State?: string;
}

/** `device/<ns>/<name>/state/update` (edge -> cloud). */
export interface DeviceStateToCloud extends BaseMessage {
  device: { name: string; state: string; lastOnlineTime: string };
}

/** A device as the edge describes it in membership answers. */
export interface EdgeDevice {
  id: string;
  name: string;
  description?: string;
  state?: string;
  last_online?: string;
  attributes?: Record<string, { value: string; optional?: boolean; metadata?: { type?: string } }>;
  twin?: Record<string, MsgTwin>;
}

/** `$hw/events/node/<node>/membership/get/result` and `membership/detail`. */
export interface MembershipDetail extends BaseMessage {
  devices: EdgeDevice[];
}

/** `.../membership/updated`. */
export interface MembershipUpdate extends BaseMessage {
  added_devices: EdgeDevice[];
  removed_devices: EdgeDevice[];
}

/** Result codes on the `/result` topics. */
export const TWIN_CODES = { badRequest: 400, notFound: 404, conflict: 409, internal: 500 } as const;

/** Twin names and values as KubeEdge's dtcommon validates them. */
export const TWIN_NAME_PATTERN = /^[a-zA-Z0-9-_.,:/@#]{1,128}$/;
export const TWIN_VALUE_PATTERN = /^[a-zA-Z0-9-_.,:/@#]{1,512}$/;

/** Value types a twin's metadata.type may name. */
export const TWIN_VALUE_TYPES = ['string', 'int', 'integer', 'float', 'double', 'boolean', 'deleted'] as const;

/** Device states a mapper may report (lower-cased); others are ignored. online and ok set last_online. */
export const DEVICE_STATES = ['online', 'offline', 'ok', 'unknown', 'unhealthy'] as const;
